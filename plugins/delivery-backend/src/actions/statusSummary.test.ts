import {
  DeliveryStatus,
  Hop,
  HOPS,
  TimelineEntry,
} from '@internal/backstage-plugin-delivery-common';
import { summarizeStatus } from './statusSummary';

const ok = <T>(data: T) => ({ state: 'ok' as const, data });

function entry(
  sha: string,
  message: string,
  states: Partial<Record<(typeof HOPS)[number], Hop['state']>>,
  detail?: string,
): TimelineEntry {
  const hops = Object.fromEntries(
    HOPS.map(h => [
      h,
      { state: states[h] ?? 'pending', ...(detail ? { detail } : {}) },
    ]),
  ) as TimelineEntry['hops'];
  return {
    commit: { sha, message, committedAt: '', url: '' },
    environment: 'dev',
    hops,
  };
}

const status: DeliveryStatus = {
  entityRef: 'component:default/payments-api',
  generatedAt: '2026-12-02T07:00:00Z',
  source: ok({ repository: 'slipway-demo/payments-api', commits: [] }),
  build: ok({
    provider: 'jenkins',
    builds: [
      {
        number: 43,
        status: 'failed',
        commitSha: 'ccccccc111',
        startedAt: '',
        url: 'http://jenkins/job/43',
      },
    ],
  }),
  image: {
    state: 'error',
    error: { kind: 'upstream', message: 'ECR did not answer' },
  },
  sync: ok({
    environments: [
      {
        environment: 'dev',
        instance: 'sandbox',
        appName: 'payments-api',
        appUrl: '',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        images: [],
        history: [],
      },
    ],
  }),
  gitops: ok({ repository: 'h', path: 'charts/payments-api', changes: [] }),
  timeline: [
    entry(
      'ccccccc111',
      'Fix rounding\n\nbody',
      {
        pushed: 'done',
        built: 'failed',
      },
      'tests failed',
    ),
    entry('bbbbbbb222', 'Add endpoint', {
      pushed: 'done',
      built: 'done',
      imagePushed: 'done',
      tagBumped: 'done',
      synced: 'running',
    }),
    entry(
      'aaaaaaa333',
      'Old change',
      Object.fromEntries(HOPS.map(h => [h, 'done'])),
    ),
    entry('9999999444', 'Beyond history', { pushed: 'done', built: 'unknown' }),
  ],
  environments: ['dev', 'staging', 'prod'],
  releases: [
    {
      environment: 'dev',
      runningTag: 'bbbbbbb-42',
      deployed: true,
      pinned: false,
      rollback: { possible: true, fromTag: 'bbbbbbb-42', toTag: 'aaaaaaa-41' },
      promoteTo: 'staging',
    },
    {
      environment: 'staging',
      runningTag: 'aaaaaaa-41',
      deployed: false,
      pinned: true,
      rollback: { possible: false, reason: 'no earlier change' },
    },
    {
      environment: 'prod',
      deployed: false,
      pinned: false,
      rollback: { possible: false, reason: 'nothing runs' },
    },
  ],
};

describe('summarizeStatus', () => {
  it('says what runs where, what is in flight and where it stands, and what is wrong', () => {
    const s = summarizeStatus(status);
    expect(s.environments).toEqual([
      {
        environment: 'dev',
        runningTag: 'bbbbbbb-42',
        deployedByArgoCd: true,
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        pinned: false,
        promoteTo: 'staging',
        rollbackTo: 'aaaaaaa-41',
      },
      {
        environment: 'staging',
        runningTag: 'aaaaaaa-41',
        deployedByArgoCd: false,
        syncStatus: undefined,
        healthStatus: undefined,
        pinned: true,
        promoteTo: undefined,
        rollbackTo: undefined,
      },
      {
        environment: 'prod',
        runningTag: undefined,
        deployedByArgoCd: false,
        syncStatus: undefined,
        healthStatus: undefined,
        pinned: false,
        promoteTo: undefined,
        rollbackTo: undefined,
      },
    ]);
    // Arrived and beyond-history commits are not in flight.
    expect(
      s.inFlight.map(c => [c.commit, c.reached, c.next, c.failed]),
    ).toEqual([
      ['ccccccc', 'pushed', 'built', true],
      ['bbbbbbb', 'tagBumped', 'synced', false],
    ]);
    expect(s.problems).toEqual([
      'image: ECR did not answer',
      'build #43 failed for ccccccc: http://jenkins/job/43',
    ]);
    expect(s.summary).toBe(
      'component:default/payments-api: dev runs bbbbbbb-42 (Synced, Healthy); ' +
        'staging runs aaaaaaa-41 (in helm-charts; no Argo CD application deploys it, pinned by a promotion); ' +
        'prod runs nothing yet. ' +
        'In flight: ccccccc "Fix rounding" failed at built in dev (tests failed); ' +
        'bbbbbbb "Add endpoint" waits on synced in dev. ' +
        'Problems: image: ECR did not answer; build #43 failed for ccccccc: http://jenkins/job/43.',
    );
  });
});
