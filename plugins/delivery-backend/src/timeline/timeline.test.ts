import type {
  ChartChange,
  EnvironmentSync,
  SourceCommit,
} from '@internal/backstage-plugin-delivery-common';
import { buildTimeline, summariseFindings, TimelineInput } from './timeline';

const BASE = Date.parse('2025-03-01T10:00:00.000Z');
const MIN = 60_000;
/** Minutes after 10:00, as ISO 8601. */
const t = (minutes: number) => new Date(BASE + minutes * MIN).toISOString();
/** A full 40-hex SHA whose first seven characters are `sha7`. */
const sha = (sha7: string) => sha7.padEnd(40, '0');

const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api';
const ECR_URL = 'https://console.aws.amazon.com/ecr/repositories/payments-api';

const commit = (sha7: string, at: number): SourceCommit => ({
  sha: sha(sha7),
  message: `change ${sha7}`,
  committedAt: t(at),
  url: `https://github.com/slipway-demo/payments-api/commit/${sha(sha7)}`,
});

const change = (
  sha7: string,
  at: number,
  fields: Partial<ChartChange>,
): ChartChange => ({
  sha: sha(sha7),
  message: `change ${sha7}`,
  committedAt: t(at),
  url: `https://github.com/slipway-demo/helm-charts/commit/${sha(sha7)}`,
  kind: 'deploy',
  ...fields,
});

/*
 * The world every test starts from (then changes what it is about):
 *
 *   c3 pushed 11:00, build #14 running.
 *   c2 pushed 10:00, #13 ok 10:05, image c2c2c2c-13 10:06 (1 critical, 3 high),
 *      bump b2 10:07, dev synced 10:09, Healthy since 10:10.   <- the full walk
 *   c1 pushed 08:00, #12 ok 08:05, image c1c1c1c-12 08:06, bump b1 08:07,
 *      dev synced 08:09, since replaced by c2c2c2c-13.
 *   c0 pushed 07:50, never built (CI built c1 instead).
 *   helm-charts: p9 (promote to staging, 10:20) > b2 > b1; dev's Argo CD app is
 *   at p9, which includes b2.
 */
function world(): TimelineInput & {
  sync: { environments: EnvironmentSync[] };
} {
  const dev: EnvironmentSync = {
    environment: 'dev',
    instance: 'main',
    appName: 'payments-api-dev',
    appUrl: 'https://argocd.example/applications/payments-api-dev',
    syncStatus: 'Synced',
    healthStatus: 'Healthy',
    healthSince: t(10),
    revision: sha('f9f9f9f'),
    images: [`${URI}:c2c2c2c-13`, 'docker.io/library/redis:7'],
    operation: { phase: 'Succeeded', startedAt: t(8), finishedAt: t(9) },
    history: [
      { id: 2, revision: sha('b2b2b2b'), deployedAt: t(9) },
      { id: 1, revision: sha('b1b1b1b'), deployedAt: t(-111) },
    ],
  };
  const staging: EnvironmentSync = {
    ...dev,
    environment: 'staging',
    appName: 'payments-api-staging',
    healthStatus: 'Degraded',
    history: [],
  };
  return {
    limit: 10,
    source: {
      repository: 'slipway-demo/payments-api',
      commits: [
        commit('c3c3c3c', 60),
        commit('c2c2c2c', 0),
        commit('c1c1c1c', -120),
        commit('c0c0c0c', -130),
      ],
    },
    build: {
      provider: 'jenkins',
      builds: [
        {
          number: 14,
          status: 'running',
          commitSha: sha('c3c3c3c'),
          startedAt: t(61),
          url: 'https://jenkins.example/job/payments-api/14/',
        },
        {
          number: 13,
          status: 'succeeded',
          commitSha: sha('c2c2c2c'),
          startedAt: t(1),
          finishedAt: t(5),
          url: 'https://jenkins.example/job/payments-api/13/',
        },
        {
          number: 12,
          status: 'succeeded',
          commitSha: sha('c1c1c1c'),
          startedAt: t(-119),
          finishedAt: t(-115),
          url: 'https://jenkins.example/job/payments-api/12/',
        },
      ],
    },
    image: {
      repositoryName: 'payments-api',
      repositoryUri: URI,
      url: ECR_URL,
      images: [
        {
          digest: 'sha256:2',
          tags: ['latest', 'c2c2c2c-13'],
          pushedAt: t(6),
          scan: { status: 'COMPLETE', findings: { CRITICAL: 1, HIGH: 3 } },
          environments: ['dev'],
        },
        {
          digest: 'sha256:1',
          tags: ['c1c1c1c-12'],
          pushedAt: t(-114),
          scan: { status: 'COMPLETE', findings: {} },
          environments: [],
        },
      ],
    },
    gitops: {
      repository: 'slipway-demo/helm-charts',
      path: 'charts/payments-api',
      changes: [
        change('f9f9f9f', 20, {
          kind: 'promote',
          tag: 'c2c2c2c-13',
          environment: 'staging',
        }),
        change('b2b2b2b', 7, { tag: 'c2c2c2c-13' }),
        change('b1b1b1b', -113, { tag: 'c1c1c1c-12' }),
      ],
    },
    sync: { environments: [dev, staging] },
  };
}

const entryOf = (input: TimelineInput, sha7: string) => {
  const entry = buildTimeline(input).find(e => e.commit.sha === sha(sha7));
  if (!entry) {
    throw new Error(`no entry for ${sha7}`);
  }
  return entry;
};

describe('buildTimeline', () => {
  it('follows a commit from push to healthy with each hop timed', () => {
    const entry = entryOf(world(), 'c2c2c2c');
    expect(entry.environment).toBe('dev');
    expect(entry.imageTag).toBe('c2c2c2c-13');
    expect(entry.findings).toEqual({ CRITICAL: 1, HIGH: 3 });
    expect(entry.hops).toEqual({
      pushed: {
        state: 'done',
        at: t(0),
        url: expect.stringContaining('/payments-api/commit/'),
      },
      built: {
        state: 'done',
        at: t(5),
        durationMs: 5 * MIN,
        detail: '#13',
        url: 'https://jenkins.example/job/payments-api/13/',
      },
      imagePushed: {
        state: 'done',
        at: t(6),
        durationMs: 1 * MIN,
        detail: 'c2c2c2c-13 (1 critical, 3 high)',
        url: ECR_URL,
      },
      tagBumped: {
        state: 'done',
        at: t(7),
        durationMs: 1 * MIN,
        detail: 'b2b2b2b',
        url: expect.stringContaining('/helm-charts/commit/b2b2b2b'),
      },
      synced: {
        state: 'done',
        at: t(9),
        durationMs: 2 * MIN,
        detail: 'b2b2b2b',
      },
      healthy: {
        state: 'done',
        at: t(10),
        durationMs: 1 * MIN,
        url: 'https://argocd.example/applications/payments-api-dev',
      },
    });
    expect(entry.totalMs).toBe(10 * MIN);
  });

  it('follows the image to each later environment it reached: when it was promoted there, and whether it runs there now', () => {
    const input = world();
    const prod: EnvironmentSync = {
      ...input.sync.environments[1],
      environment: 'prod',
      appName: 'payments-api-prod',
      images: [`${URI}:c1c1c1c-12`],
    };
    input.sync.environments.push(prod);
    input.gitops!.changes.unshift(
      change('e8e8e8e', 40, {
        kind: 'rollback',
        tag: 'c1c1c1c-12',
        environment: 'prod',
      }),
      change('d7d7d7d', 30, {
        kind: 'promote',
        tag: 'c2c2c2c-13',
        environment: 'prod',
      }),
    );
    // c2: promoted to staging (runs it) and to prod (rolled back since).
    expect(entryOf(input, 'c2c2c2c').reached).toEqual([
      { environment: 'staging', at: t(20), running: true },
      { environment: 'prod', at: t(30), running: false },
    ]);
    // c1: only back in prod, by the rollback.
    expect(entryOf(input, 'c1c1c1c').reached).toEqual([
      { environment: 'prod', at: t(40), running: true },
    ]);
    // c0 was never imaged: it reached nothing.
    expect(entryOf(input, 'c0c0c0c').reached).toBeUndefined();
  });

  it('returns the newest commits first and honours the limit', () => {
    const input = world();
    expect(buildTimeline(input).map(e => e.commit.sha.slice(0, 7))).toEqual([
      'c3c3c3c',
      'c2c2c2c',
      'c1c1c1c',
      'c0c0c0c',
    ]);
    input.limit = 2;
    expect(buildTimeline(input).map(e => e.commit.sha.slice(0, 7))).toEqual([
      'c3c3c3c',
      'c2c2c2c',
    ]);
    input.limit = 0;
    expect(buildTimeline(input)).toEqual([]);
  });

  it('shows a running build with everything after it pending', () => {
    const entry = entryOf(world(), 'c3c3c3c');
    expect(entry.hops.built).toEqual({
      state: 'running',
      detail: '#14',
      url: 'https://jenkins.example/job/payments-api/14/',
    });
    for (const hop of [
      'imagePushed',
      'tagBumped',
      'synced',
      'healthy',
    ] as const) {
      expect(entry.hops[hop]).toEqual({ state: 'pending' });
    }
    expect(entry.totalMs).toBeUndefined();
  });

  it('marks a failed build failed and leaves every later hop pending with no time', () => {
    const input = world();
    input.build!.builds[0] = {
      ...input.build!.builds[0],
      status: 'failed',
      finishedAt: t(64),
    };
    const entry = entryOf(input, 'c3c3c3c');
    expect(entry.hops.built).toMatchObject({
      state: 'failed',
      at: t(64),
      durationMs: 4 * MIN,
      detail: '#14 failed',
    });
    for (const hop of [
      'imagePushed',
      'tagBumped',
      'synced',
      'healthy',
    ] as const) {
      expect(entry.hops[hop]).toEqual({ state: 'pending' });
    }
    expect(entry.imageTag).toBeUndefined();
  });

  it('says pending for a commit newer than the newest build, unknown for one CI skipped', () => {
    const input = world();
    input.build!.builds.shift(); // c3's build has not started
    expect(entryOf(input, 'c3c3c3c').hops.built).toEqual({ state: 'pending' });
    const skipped = entryOf(input, 'c0c0c0c');
    expect(skipped.hops.built).toEqual({
      state: 'unknown',
      detail: 'no build for this commit',
    });
    expect(skipped.hops.imagePushed.state).toBe('unknown');
    expect(skipped.hops.tagBumped.state).toBe('unknown');
    expect(skipped.hops.healthy.state).toBe('unknown');
  });

  it('waits for an image that is missing after a good build (image pending)', () => {
    const input = world();
    input.image!.images.shift();
    input.gitops!.changes = input.gitops!.changes.slice(2); // no bump of c2 either
    input.sync!.environments[0].revision = sha('b1b1b1b');
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.built.state).toBe('done');
    expect(entry.hops.imagePushed).toEqual({ state: 'pending' });
    expect(entry.hops.tagBumped).toEqual({ state: 'pending' });
    expect(entry.hops.synced).toEqual({ state: 'pending' });
    expect(entry.hops.healthy).toEqual({ state: 'pending' });
    expect(entry.imageTag).toBeUndefined();
  });

  it('counts an image no longer listed in ECR as pushed (no time) when helm-charts deployed its tag', () => {
    const input = world();
    input.image!.images.pop(); // c1's image aged out of the listing
    const entry = entryOf(input, 'c1c1c1c');
    expect(entry.hops.imagePushed).toEqual({
      state: 'done',
      detail: 'c1c1c1c-12 (not among the listed images)',
    });
    expect(entry.imageTag).toBe('c1c1c1c-12');
    expect(entry.hops.tagBumped).toMatchObject({ state: 'done', at: t(-113) });
    expect(entry.hops.tagBumped.durationMs).toBeUndefined();
  });

  it('waits for the tag bump after the image is pushed (tag bump pending)', () => {
    const input = world();
    input.gitops!.changes = input.gitops!.changes.slice(2);
    input.sync!.environments[0].revision = sha('b1b1b1b');
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.imagePushed.state).toBe('done');
    expect(entry.hops.tagBumped).toEqual({ state: 'pending' });
    expect(entry.hops.synced).toEqual({ state: 'pending' });
  });

  it('shows a sync in progress as running and health as pending', () => {
    const input = world();
    const dev = input.sync!.environments[0];
    dev.revision = sha('b1b1b1b');
    dev.images = [`${URI}:c1c1c1c-12`];
    dev.history = dev.history.slice(1);
    dev.operation = { phase: 'Running', startedAt: t(8) };
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.tagBumped.state).toBe('done');
    expect(entry.hops.synced).toEqual({ state: 'running' });
    expect(entry.hops.healthy).toEqual({ state: 'pending' });
  });

  it('marks a degraded rollout failed with the health message', () => {
    const input = world();
    const dev = input.sync!.environments[0];
    dev.healthStatus = 'Degraded';
    dev.healthMessage =
      'Deployment "payments-api" exceeded its progress deadline';
    dev.healthSince = t(15);
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.healthy).toMatchObject({
      state: 'failed',
      at: t(15),
      durationMs: 6 * MIN,
      detail: 'Deployment "payments-api" exceeded its progress deadline',
    });
    expect(entry.totalMs).toBeUndefined();
  });

  it('shows a rollout still progressing as running', () => {
    const input = world();
    input.sync!.environments[0].healthStatus = 'Progressing';
    expect(entryOf(input, 'c2c2c2c').hops.healthy.state).toBe('running');
  });

  it('reports health unknown, superseded by the newer tag, once another image runs', () => {
    const entry = entryOf(world(), 'c1c1c1c');
    expect(entry.hops.synced).toEqual({
      state: 'done',
      at: t(-111),
      durationMs: 2 * MIN,
      detail: 'b1b1b1b',
    });
    expect(entry.hops.healthy).toMatchObject({
      state: 'unknown',
      detail: 'superseded by c2c2c2c-13',
    });
    expect(entry.hops.healthy.at).toBeUndefined();
    expect(entry.totalMs).toBeUndefined();
  });

  it('tells how a superseded change ran from the recorded health', () => {
    // c1's bump (b1b1b1b) ran Healthy from 105 min before; c2's took over.
    const healthy = world();
    healthy.health = [
      { status: 'Progressing', revision: sha('b1b1b1b'), since: t(-111) },
      { status: 'Healthy', revision: sha('b1b1b1b'), since: t(-105) },
      { status: 'Progressing', revision: sha('b2b2b2b'), since: t(9) },
    ];
    expect(entryOf(healthy, 'c1c1c1c').hops.healthy).toMatchObject({
      state: 'done',
      at: t(-105),
      detail: 'Healthy (recorded); replaced by c2c2c2c-13',
    });

    // Degraded at some point while it ran: a failure, whatever came after.
    const degraded = world();
    degraded.health = [
      { status: 'Degraded', revision: sha('b1b1b1b'), since: t(-100) },
      { status: 'Healthy', revision: sha('b1b1b1b'), since: t(-90) },
    ];
    expect(entryOf(degraded, 'c1c1c1c').hops.healthy).toMatchObject({
      state: 'failed',
      at: t(-100),
      detail: 'Degraded while it ran (recorded); replaced by c2c2c2c-13',
    });

    // Another change's health says nothing about this one.
    const other = world();
    other.health = [
      { status: 'Degraded', revision: sha('b2b2b2b'), since: t(10) },
    ];
    expect(entryOf(other, 'c1c1c1c').hops.healthy.state).toBe('unknown');
  });

  it('counts a sync the bounded history lost as done with no time (health at healthSince)', () => {
    const input = world();
    input.sync!.environments[0].history = [];
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.synced).toEqual({ state: 'done', detail: 'f9f9f9f' });
    expect(entry.hops.healthy).toMatchObject({ state: 'done', at: t(10) });
    expect(entry.hops.healthy.durationMs).toBeUndefined();
    expect(entry.totalMs).toBe(10 * MIN);
  });

  it('takes the sync time as healthy time when health changed before the sync', () => {
    const input = world();
    input.sync!.environments[0].healthSince = t(-200);
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.healthy).toMatchObject({ state: 'done', at: t(9) });
    expect(entry.hops.healthy.durationMs).toBe(0);
  });

  it('leaves synced unknown when the app is at a revision that is not a listed change of the chart', () => {
    const input = world();
    const dev = input.sync!.environments[0];
    dev.revision = sha('0e0e0e0');
    dev.images = [`${URI}:c1c1c1c-12`];
    dev.history = [{ id: 9, revision: sha('0e0e0e0'), deployedAt: t(30) }];
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.synced).toEqual({
      state: 'unknown',
      detail: 'at 0e0e0e0, not a listed change of this chart',
    });
    expect(entry.hops.healthy).toEqual({ state: 'unknown' });
  });

  it("places Argo CD's revision by the branch's commits when it is another chart's commit", () => {
    // helm-charts main: o2 (other chart) > o1 (other chart) > b2 > b1. Dev
    // first synced at o1 (10:09), which includes b2; the entry before it
    // (b1) does not, so 10:09 is provably when b2 first ran.
    const input = world();
    const dev = input.sync!.environments[0];
    dev.revision = sha('0202020');
    dev.history = [
      { id: 3, revision: sha('0202020'), deployedAt: t(40) },
      { id: 2, revision: sha('0101010'), deployedAt: t(9) },
      { id: 1, revision: sha('b1b1b1b'), deployedAt: t(-111) },
    ];
    input.gitops!.changes = input.gitops!.changes.slice(1);
    input.gitops!.branchCommits = [
      '0202020',
      '0101010',
      'b2b2b2b',
      'b1b1b1b',
    ].map(sha);
    const entry = entryOf(input, 'c2c2c2c');
    expect(entry.hops.synced).toMatchObject({
      state: 'done',
      at: t(9),
      detail: '0101010',
    });
    expect(entry.hops.healthy).toMatchObject({ state: 'done', at: t(10) });
    // With the history starting after b2, when b2 first ran is not known.
    dev.history = dev.history.slice(0, 1);
    expect(entryOf(input, 'c2c2c2c').hops.synced).toEqual({
      state: 'done',
      detail: '0202020',
    });
  });

  describe('a missing section makes the hops that depend on it unknown', () => {
    it('without source there is nothing to follow', () => {
      expect(buildTimeline({ ...world(), source: undefined })).toEqual([]);
    });

    it('without builds: built unknown, the image found by its sha7 prefix', () => {
      const entry = entryOf({ ...world(), build: undefined }, 'c2c2c2c');
      expect(entry.hops.built).toEqual({ state: 'unknown' });
      expect(entry.hops.imagePushed).toMatchObject({ state: 'done', at: t(6) });
      expect(entry.hops.imagePushed.durationMs).toBeUndefined();
      expect(entry.hops.healthy.state).toBe('done');
      // The running build of c3 is unknown too: no invented "pending".
      expect(
        entryOf({ ...world(), build: undefined }, 'c3c3c3c').hops,
      ).toMatchObject({
        built: { state: 'unknown' },
        imagePushed: { state: 'unknown', detail: 'no image for this commit' },
        tagBumped: { state: 'unknown' },
        synced: { state: 'unknown' },
        healthy: { state: 'unknown' },
      });
    });

    it('without images: image unknown, the gitops hops followed by the tag CI gives', () => {
      const entry = entryOf({ ...world(), image: undefined }, 'c2c2c2c');
      expect(entry.hops.imagePushed).toEqual({ state: 'unknown' });
      expect(entry.findings).toBeUndefined();
      expect(entry.imageTag).toBe('c2c2c2c-13');
      expect(entry.hops.tagBumped).toMatchObject({ state: 'done', at: t(7) });
      expect(entry.hops.tagBumped.durationMs).toBeUndefined();
      expect(entry.hops.healthy.state).toBe('done');
    });

    it('without gitops: tag bump, sync and health unknown', () => {
      const entry = entryOf({ ...world(), gitops: undefined }, 'c2c2c2c');
      expect(entry.hops.imagePushed.state).toBe('done');
      expect(entry.hops.tagBumped).toEqual({ state: 'unknown' });
      expect(entry.hops.synced).toEqual({ state: 'unknown' });
      expect(entry.hops.healthy).toEqual({ state: 'unknown' });
      expect(entry.totalMs).toBeUndefined();
    });

    it('without sync: no environment, sync and health unknown', () => {
      const entry = entryOf({ ...world(), sync: undefined }, 'c2c2c2c');
      expect(entry.environment).toBeUndefined();
      expect(entry.hops.tagBumped.state).toBe('done');
      expect(entry.hops.synced).toEqual({ state: 'unknown' });
      expect(entry.hops.healthy).toEqual({ state: 'unknown' });
    });
  });
});

describe('summariseFindings', () => {
  it('names the severities found, worst first, and says when there are none', () => {
    expect(
      summariseFindings({
        status: 'COMPLETE',
        findings: { LOW: 2, CRITICAL: 1, HIGH: 3, MEDIUM: 0 },
      }),
    ).toBe('1 critical, 3 high, 2 low');
    expect(summariseFindings({ status: 'COMPLETE', findings: {} })).toBe(
      'no findings',
    );
    expect(summariseFindings({ status: 'IN_PROGRESS', findings: {} })).toBe(
      'scan in progress',
    );
    expect(summariseFindings(undefined)).toBe('not scanned');
  });
});
