import type {
  ChartChange,
  EnvironmentSync,
  GitOpsSection,
} from '@internal/backstage-plugin-delivery-common';
import { computeDora, doraDeployments, HealthTransition, median } from './dora';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** `days` days before NOW, plus `minutes` (which may be negative). */
const ago = (days: number, minutes = 0) =>
  new Date(NOW - days * DAY + minutes * MIN).toISOString();
const sha = (sha7: string) => sha7.padEnd(40, '0');

const change = (
  sha7: string,
  committedAt: string,
  fields: Partial<ChartChange>,
): ChartChange => ({
  sha: sha(sha7),
  message: `change ${sha7}`,
  committedAt,
  url: `https://github.com/slipway-demo/helm-charts/commit/${sha(sha7)}`,
  kind: 'promote',
  environment: 'prod',
  ...fields,
});

/*
 * The constructed history. App commits on main (newest first), when each was
 * committed, and the prod deployment that first carried it (the first prod
 * deployment whose image was built from it or a newer commit):
 *
 *   c8  1d 2h ago    never reached prod                    -> no lead time
 *   c7  1d 3h ago    D6 (1d ago)                           lead 3h
 *   c6  5d ago       D5 (4d ago)                           lead 1d
 *   c5  9d 6h ago    D3 (9d ago, failed: it is rolled back) lead 6h
 *   c4  19d ago      D3 (9d ago; c4 was never promoted alone) lead 10d
 *   c3  20d ago      D2 (18d ago)                          lead 2d
 *   c2  38d ago      D2 (18d ago)                          lead 20d
 *   c1  41d ago      D1 (40d ago)                          lead 1d
 *
 * Prod deployments (helm-charts changes to values-prod.yaml), oldest first:
 *
 *   D0  100d ago  promote 0a0a0a0-1 (an image older than the listed commits)
 *   D1   40d ago  promote c1-1   not in Argo CD's (bounded) history: the
 *                                commit time stands in for the deploy time
 *   D2   18d ago  promote c3-3   Argo CD deployed it 18d ago (commit 5 min before)
 *   D3    9d ago  promote c5-5   FAILED: D4 reverts it
 *   D4    9d ago + 45 min  rollback to c3-3: restores D3 after 45 minutes
 *   D5    4d ago  promote c6-6
 *   D6    1d ago  promote c7-7   Argo CD re-synced it 2h ago too: the first
 *                                entry counts; prod runs it, Healthy
 *
 * Noise that must not count for prod: CI's deploys to values.yaml (dev
 * follows it) and a promote to staging.
 *
 * Worked out by hand (window = (now − days, now]):
 *
 *   7 days:  D5, D6             -> 2 deployments, 0 failed
 *            frequency 2/7 per day; failure rate 0/2 = 0; no restore time
 *            lead times {3h, 1d} (c7, c6): even count, median (3h + 24h) / 2 = 13.5h
 *   30 days: D2, D3, D4, D5, D6 -> 5 deployments, 1 failed (D3)
 *            frequency (5 − 1)/30 per day; failure rate 1/5 = 0.2
 *            restore: D4 − D3 = 45 min
 *            lead times {3h, 6h, 1d, 2d, 10d, 20d} (c2..c7): median (1d + 2d)/2 = 36h
 *   90 days: D1 .. D6 (D0 is outside) -> 6 deployments, 1 failed
 *            frequency 5/90 per day; failure rate 1/6; restore 45 min
 *            lead times {3h, 6h, 1d, 1d, 2d, 10d, 20d} (c1..c7): median 1d
 */
const commits = [
  { sha: sha('c8c8c8c'), committedAt: ago(1, -2 * 60) },
  { sha: sha('c7c7c7c'), committedAt: ago(1, -3 * 60) },
  { sha: sha('c6c6c6c'), committedAt: ago(5) },
  { sha: sha('c5c5c5c'), committedAt: ago(9, -6 * 60) },
  { sha: sha('c4c4c4c'), committedAt: ago(19) },
  { sha: sha('c3c3c3c'), committedAt: ago(20) },
  { sha: sha('c2c2c2c'), committedAt: ago(38) },
  { sha: sha('c1c1c1c'), committedAt: ago(41) },
];

function history(): { gitops: GitOpsSection; prod: EnvironmentSync } {
  const gitops: GitOpsSection = {
    repository: 'slipway-demo/helm-charts',
    path: 'charts/payments-api',
    changes: [
      change('dd00008', ago(0, -30), {
        kind: 'deploy',
        tag: 'c8c8c8c-8',
        environment: undefined,
      }),
      change('d600000', ago(1, -5), { tag: 'c7c7c7c-7' }),
      change('dd00007', ago(1, -60), {
        kind: 'deploy',
        tag: 'c7c7c7c-7',
        environment: undefined,
      }),
      change('5700000', ago(3), { tag: 'c6c6c6c-6', environment: 'staging' }),
      change('d500000', ago(4, -5), { tag: 'c6c6c6c-6' }),
      change('d400000', ago(9, 40), {
        kind: 'rollback',
        tag: 'c3c3c3c-3',
        reverts: sha('d300000'),
      }),
      change('d300000', ago(9, -5), { tag: 'c5c5c5c-5' }),
      change('d200000', ago(18, -5), { tag: 'c3c3c3c-3' }),
      change('d100000', ago(40), { tag: 'c1c1c1c-1' }),
      change('d000000', ago(100), { tag: '0a0a0a0-1' }),
    ],
  };
  const prod: EnvironmentSync = {
    environment: 'prod',
    instance: 'main',
    appName: 'payments-api-prod',
    appUrl: 'https://argocd.example/applications/payments-api-prod',
    syncStatus: 'Synced',
    healthStatus: 'Healthy',
    revision: sha('d600000'),
    images: ['registry/payments-api:c7c7c7c-7'],
    history: [
      { id: 6, revision: sha('d600000'), deployedAt: ago(0, -2 * 60) },
      { id: 5, revision: sha('d600000'), deployedAt: ago(1) },
      { id: 4, revision: sha('d500000'), deployedAt: ago(4) },
      { id: 3, revision: sha('d400000'), deployedAt: ago(9, 45) },
      { id: 2, revision: sha('d300000'), deployedAt: ago(9) },
      { id: 1, revision: sha('d200000'), deployedAt: ago(18) },
    ],
  };
  return { gitops, prod };
}

function prodDeployments(
  gitops: GitOpsSection,
  prod: EnvironmentSync,
  health?: HealthTransition[],
) {
  return doraDeployments({
    environment: 'prod',
    isBaseEnvironment: false,
    gitops,
    sync: prod,
    health,
  });
}

function prodReport(gitops: GitOpsSection, prod: EnvironmentSync) {
  const deployments = prodDeployments(gitops, prod);
  return computeDora({
    environment: 'prod',
    deployments,
    commits,
    now: new Date(NOW),
  });
}

describe('doraDeployments', () => {
  it('takes the changes that set the environment tag, timed by Argo CD history, else by commit (history bounded)', () => {
    const { gitops, prod } = history();
    const deployments = doraDeployments({
      environment: 'prod',
      isBaseEnvironment: false,
      gitops,
      sync: prod,
    });
    expect(
      deployments.map(d => [d.sha.slice(0, 7), d.deployedAt, d.timeFrom]),
    ).toEqual([
      ['d600000', ago(1), 'argocd'], // the first of its two history entries
      ['d500000', ago(4), 'argocd'],
      ['d400000', ago(9, 45), 'argocd'],
      ['d300000', ago(9), 'argocd'],
      ['d200000', ago(18), 'argocd'],
      ['d100000', ago(40), 'commit'], // history no longer has it
      ['d000000', ago(100), 'commit'],
    ]);
  });

  it('marks a rolled-back deployment failed and restored by the next good one', () => {
    const { gitops, prod } = history();
    const deployments = doraDeployments({
      environment: 'prod',
      isBaseEnvironment: false,
      gitops,
      sync: prod,
    });
    const failed = deployments.filter(d => d.failed);
    expect(failed).toEqual([
      expect.objectContaining({
        sha: sha('d300000'),
        tag: 'c5c5c5c-5',
        restoredAt: ago(9, 45),
      }),
    ]);
    expect(deployments.find(d => d.kind === 'rollback')?.failed).toBe(false);
  });

  it("counts CI's values.yaml deploys only for the base environment", () => {
    const { gitops } = history();
    const dev = doraDeployments({
      environment: 'dev',
      isBaseEnvironment: true,
      gitops,
    });
    expect(dev.map(d => d.tag)).toEqual(['c8c8c8c-8', 'c7c7c7c-7']);
    expect(dev.every(d => d.timeFrom === 'commit')).toBe(true);
    expect(
      doraDeployments({
        environment: 'staging',
        isBaseEnvironment: false,
        gitops,
      }).map(d => d.tag),
    ).toEqual(['c6c6c6c-6']);
  });

  it('marks the current deployment failed, not yet restored, when the environment is Degraded', () => {
    const { gitops, prod } = history();
    prod.healthStatus = 'Degraded';
    // Argo CD is at a later chart commit that did not touch prod's tag.
    prod.revision = sha('dd00008');
    const deployments = doraDeployments({
      environment: 'prod',
      isBaseEnvironment: false,
      gitops,
      sync: prod,
    });
    expect(deployments[0]).toMatchObject({ sha: sha('d600000'), failed: true });
    expect(deployments[0].restoredAt).toBeUndefined();
    expect(deployments.filter(d => d.failed)).toHaveLength(2);
  });

  it('marks a change the recorded health saw Degraded failed, from when it turned, restored by the fix that replaced it', () => {
    const { gitops, prod } = history();
    // D5 (4 days ago) ran Healthy for 6 hours, then turned Degraded; D6
    // (a fix, not a rollback) replaced it 3 days later. Argo CD says
    // Healthy now; only the recorded health knows.
    const deployments = prodDeployments(gitops, prod, [
      { status: 'Healthy', revision: sha('d500000'), since: ago(4, 2) },
      { status: 'Degraded', revision: sha('d500000'), since: ago(4, 360) },
      // Argo CD at a later chart commit that kept prod's tag: still D5.
      { status: 'Degraded', revision: sha('5700000'), since: ago(3) },
      { status: 'Healthy', revision: sha('d600000'), since: ago(1, 3) },
    ]);
    const d5 = deployments.find(d => d.sha === sha('d500000'));
    expect(d5).toMatchObject({
      failed: true,
      failedAt: ago(4, 360),
      restoredAt: ago(1),
    });
    // 7 days: D5 and D6, D5 failed: 1/2. Restore: D6 (1d ago) − 4d + 6h.
    const w = computeDora({
      environment: 'prod',
      deployments,
      commits,
      now: new Date(NOW),
      windows: [7],
    }).windows[0];
    expect(w).toMatchObject({
      deployments: 2,
      failedDeployments: 1,
      changeFailureRate: 0.5,
      rollbacks: 0,
      timeToRestoreMedianMs: 3 * DAY - 6 * HOUR,
    });
  });

  it('times a failure from the deployment when the environment was already Degraded before it', () => {
    const { gitops, prod } = history();
    prod.healthStatus = 'Degraded';
    // Degraded since before D6 reached prod (1 day ago), and still.
    prod.healthSince = ago(2);
    const deployments = prodDeployments(gitops, prod);
    expect(deployments[0]).toMatchObject({
      sha: sha('d600000'),
      failed: true,
      failedAt: ago(1),
    });
  });
});

describe('computeDora', () => {
  it('computes the four keys over 7, 30 and 90 days as worked out by hand', () => {
    const { gitops, prod } = history();
    const report = prodReport(gitops, prod);
    expect(report.environment).toBe('prod');
    // Rollbacks are rework: D4 counts as a rollback, not a deployment, so it
    // no longer dilutes the failure rate (1 of 4 changes in 30 days failed,
    // not 1 of 5 deployments).
    expect(report.windows).toEqual([
      {
        days: 7,
        deployments: 2,
        deploymentsPerDay: 2 / 7,
        failedDeployments: 0,
        changeFailureRate: 0,
        rollbacks: 0,
        reworkRate: 0,
        leadTimeMedianMs: 13.5 * HOUR,
      },
      {
        days: 30,
        deployments: 4,
        deploymentsPerDay: 4 / 30,
        failedDeployments: 1,
        changeFailureRate: 0.25,
        rollbacks: 1,
        reworkRate: 0.2,
        leadTimeMedianMs: 36 * HOUR,
        timeToRestoreMedianMs: 45 * MIN,
      },
      {
        days: 90,
        deployments: 5,
        deploymentsPerDay: 5 / 90,
        failedDeployments: 1,
        changeFailureRate: 0.2,
        rollbacks: 1,
        reworkRate: 1 / 6,
        leadTimeMedianMs: 1 * DAY,
        timeToRestoreMedianMs: 45 * MIN,
      },
    ]);
    expect(report.basis).toContain(
      "7 helm-charts changes that set prod's image tag",
    );
    expect(report.basis).toContain(
      "Argo CD's sync history for 5, from the helm-charts commit time for 2",
    );
    expect(report.basis).toContain('8 newest app commits');
  });

  it('ignores deployments outside the window, including ones after now', () => {
    const { gitops, prod } = history();
    const deployments = doraDeployments({
      environment: 'prod',
      isBaseEnvironment: false,
      gitops,
      sync: prod,
    });
    const later = {
      ...deployments[0],
      sha: sha('e0e0e0e'),
      deployedAt: new Date(NOW + HOUR).toISOString(),
      failed: true,
    };
    const report = computeDora({
      environment: 'prod',
      deployments: [later, ...deployments],
      commits,
      now: new Date(NOW),
      windows: [1, 120],
    });
    expect(
      report.windows.map(w => [w.days, w.deployments, w.rollbacks]),
    ).toEqual([
      [1, 0, 0], // D6 was exactly 1 day ago: the window's open end
      [120, 6, 1], // D0 .. D6: six changes and the rollback D4
    ]);
    expect(report.windows[1].failedDeployments).toBe(1);
  });

  it('reports no deployments as zero frequency and no rates or medians', () => {
    const report = computeDora({
      environment: 'prod',
      deployments: [],
      commits,
      now: new Date(NOW),
    });
    expect(report.windows).toEqual(
      [7, 30, 90].map(days => ({
        days,
        deployments: 0,
        deploymentsPerDay: 0,
        failedDeployments: 0,
        rollbacks: 0,
      })),
    );
  });

  it('counts a failure not yet restored in the failure rate but not in time to restore', () => {
    const { gitops, prod } = history();
    prod.healthStatus = 'Degraded';
    const report = prodReport(gitops, prod);
    const week = report.windows[0];
    expect(week).toMatchObject({
      deployments: 2,
      failedDeployments: 1,
      changeFailureRate: 0.5,
      deploymentsPerDay: 2 / 7,
    });
    expect(week.timeToRestoreMedianMs).toBeUndefined();
    // The restored failure 9 days ago still gives the 30-day window its figure.
    expect(report.windows[1].timeToRestoreMedianMs).toBe(45 * MIN);
  });

  it('reports a team whose every change fails as a 100% failure rate, with its rollbacks as rework', () => {
    // Two changes this week, each rolled back within the hour. Counting
    // rollbacks as deployments made this 2 failures of 4 deployments: 50%.
    const promote = (sha7: string, days: number) => ({
      sha: sha(sha7),
      kind: 'promote' as const,
      tag: `${sha7}-1`,
      deployedAt: ago(days),
      timeFrom: 'argocd' as const,
      failed: true,
    });
    const rollback = (sha7: string, at: string) => ({
      sha: sha(sha7),
      kind: 'rollback' as const,
      tag: '0a0a0a0-1',
      deployedAt: at,
      timeFrom: 'argocd' as const,
      failed: false,
    });
    const a = { ...promote('a1a1a1a', 5), restoredAt: ago(5, 30) };
    const b = { ...promote('b2b2b2b', 3), restoredAt: ago(3, 20) };
    const report = computeDora({
      environment: 'prod',
      deployments: [
        a,
        rollback('r1r1r1r', ago(5, 30)),
        b,
        rollback('r2r2r2r', ago(3, 20)),
      ],
      commits: [],
      now: new Date(NOW),
      windows: [7],
    });
    expect(report.windows[0]).toEqual({
      days: 7,
      deployments: 2,
      deploymentsPerDay: 2 / 7,
      failedDeployments: 2,
      changeFailureRate: 1,
      rollbacks: 2,
      reworkRate: 0.5,
      timeToRestoreMedianMs: 25 * MIN,
    });
  });

  it('does not count a restore that happens after now', () => {
    const report = computeDora({
      environment: 'prod',
      deployments: [
        {
          sha: sha('d100000'),
          kind: 'promote',
          tag: 'c1c1c1c-1',
          deployedAt: ago(1),
          timeFrom: 'argocd',
          failed: true,
          restoredAt: new Date(NOW + HOUR).toISOString(),
        },
      ],
      commits,
      now: new Date(NOW),
      windows: [7],
    });
    expect(report.windows[0].timeToRestoreMedianMs).toBeUndefined();
  });
});

describe('median', () => {
  it('takes the middle value of an odd count', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('takes the mean of the two middle values of an even count', () => {
    expect(median([10, 1, 4, 2])).toBe(3);
  });

  it('has no median of nothing', () => {
    expect(median([])).toBeUndefined();
  });
});
