import type {
  ChartChange,
  EnvironmentSync,
} from '@internal/backstage-plugin-delivery-common';
import { environmentReleases, planRollback } from './releasePlan';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api';

function change(sha: string, tag: string, environment?: string): ChartChange {
  return {
    sha,
    message: environment
      ? `promote(payments-api): ${tag} from dev to ${environment}`
      : `ci(payments-api): deploy ${tag}`,
    committedAt: '2026-11-30T10:00:00Z',
    url: `http://git.example/commit/${sha}`,
    kind: environment ? 'promote' : 'deploy',
    tag,
    ...(environment ? { environment } : {}),
  };
}

function app(environment: string, tag: string): EnvironmentSync {
  return {
    environment,
    instance: 'main',
    appName: `payments-api-${environment}`,
    appUrl: `http://argocd.example/applications/payments-api-${environment}`,
    syncStatus: 'Synced',
    healthStatus: 'Healthy',
    images: ['nginx:1.27', `${REPO}:${tag}`],
    history: [],
  };
}

describe('environmentReleases', () => {
  const environments = ['dev', 'staging', 'prod'];

  it('decides per environment what runs, what is pinned and what Rollback and Promote do', () => {
    const releases = environmentReleases({
      name: 'payments-api',
      environments,
      changes: [
        change('c3', '3f2a1bc-42'),
        change('p2', '9e8d7c6-40', 'staging'),
        change('c2', '9e8d7c6-40'),
        change('p1', '7d6c5b4-38', 'staging'),
        change('c1', '7d6c5b4-38'),
      ],
      sync: [app('dev', '3f2a1bc-42')],
      repositoryUri: REPO,
    });
    expect(releases).toEqual([
      {
        environment: 'dev',
        runningTag: '3f2a1bc-42',
        deployed: true,
        pinned: false,
        rollback: {
          possible: true,
          fromTag: '3f2a1bc-42',
          toTag: '9e8d7c6-40',
        },
        promoteTo: 'staging',
      },
      {
        environment: 'staging',
        // Not deployed: the tag helm-charts pins for it.
        runningTag: '9e8d7c6-40',
        deployed: false,
        pinned: true,
        rollback: {
          possible: true,
          fromTag: '9e8d7c6-40',
          toTag: '7d6c5b4-38',
        },
        promoteTo: 'prod',
      },
      {
        environment: 'prod',
        runningTag: '3f2a1bc-42',
        deployed: false,
        pinned: false,
        rollback: {
          possible: false,
          reason:
            'prod follows the tag CI sets in charts/payments-api/values.yaml for dev; roll back dev, or promote a tag into prod first',
        },
      },
    ]);
  });

  it("a rollback of an environment that follows CI does not pin it: the next rollback reads values.yaml's history, as the route does", () => {
    const rollback: ChartChange = {
      ...change('r1', '9e8d7c6-40', 'dev'),
      kind: 'rollback',
      message: 'Revert "ci(payments-api): deploy 3f2a1bc-42"',
    };
    const [dev] = environmentReleases({
      name: 'payments-api',
      environments,
      changes: [
        rollback,
        change('c3', '3f2a1bc-42'),
        change('c2', '9e8d7c6-40'),
        change('c1', '7d6c5b4-38'),
      ],
      sync: [],
    });
    expect(dev).toMatchObject({
      pinned: false,
      runningTag: '9e8d7c6-40',
      // Back past the tag the rollback set to the one before it in values.yaml.
      rollback: { possible: true, fromTag: '9e8d7c6-40', toTag: '3f2a1bc-42' },
    });
  });

  it('offers no rollback when the history holds no earlier tag, or could not be read', () => {
    const [dev] = environmentReleases({
      name: 'payments-api',
      environments,
      changes: [change('c1', '3f2a1bc-42')],
      sync: [],
    });
    expect(dev.rollback).toEqual({
      possible: false,
      reason:
        'No earlier image tag in the recent history of charts/payments-api/values.yaml; nothing to roll back to',
    });
    const [unread] = environmentReleases({
      name: 'payments-api',
      environments,
      sync: [],
    });
    expect(unread).toMatchObject({
      deployed: false,
      pinned: false,
      rollback: { possible: false },
    });
    expect(unread.runningTag).toBeUndefined();
  });
});

describe('planRollback', () => {
  it('goes back past repeated commits of the current tag to the tag before it', () => {
    expect(
      planRollback({
        file: 'charts/a/values.yaml',
        current: 'b-2',
        history: [
          { sha: 'x3', subject: 'ci(a): deploy b-2', tag: 'b-2' },
          { sha: 'x2', subject: 'chore: comment' },
          { sha: 'x1', subject: 'ci(a): deploy b-2', tag: 'b-2' },
          { sha: 'x0', subject: 'ci(a): deploy a-1', tag: 'a-1' },
        ],
      }),
    ).toEqual({
      possible: true,
      fromTag: 'b-2',
      toTag: 'a-1',
      reverts: { sha: 'x3', subject: 'ci(a): deploy b-2' },
    });
    expect(
      planRollback({ file: 'charts/a/values.yaml', history: [] }),
    ).toMatchObject({ possible: false, why: 'no-tag' });
  });
});
