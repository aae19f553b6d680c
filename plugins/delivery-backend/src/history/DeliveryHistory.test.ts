/*
 * The deployment history on a real database (SQLite, as in development;
 * the backend's PostgreSQL tests run the same migration at start-up), with
 * hand-worked histories: what DORA reports once the upstreams have
 * forgotten, and what the store writes.
 */

import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { computeDora, DoraDeployment } from '../timeline/dora';
import { DeliveryHistory } from './DeliveryHistory';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const ago = (days: number, minutes = 0) =>
  new Date(NOW - days * DAY + minutes * MIN).toISOString();
const REF = 'component:default/orders';

const dep = (
  sha: string,
  deployedAt: string,
  fields: Partial<DoraDeployment> = {},
): DoraDeployment => ({
  sha,
  kind: 'promote',
  tag: `${sha.slice(0, 7)}-1`,
  deployedAt,
  timeFrom: 'argocd',
  failed: false,
  ...fields,
});

const window = (deployments: DoraDeployment[], days: number) =>
  computeDora({
    environment: 'prod',
    deployments,
    commits: [],
    now: new Date(NOW),
    windows: [days],
  }).windows[0];

describe('DeliveryHistory', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let writes: number;

  async function history(
    retentionDays = 400,
    now = () => NOW,
  ): Promise<DeliveryHistory> {
    return DeliveryHistory.create({
      database: { getClient: async () => knex },
      retentionDays,
      now,
    });
  }

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    writes = 0;
    knex.on('query', (q: { sql: string }) => {
      if (/^\s*(insert|update|delete)/i.test(q.sql)) writes++;
    });
  });

  it('keeps 60 days of deployments that the upstreams show ten at a time', async () => {
    const h = await history();
    // A deployment every second day; each assembly sees only the newest
    // ten, as Argo CD's bounded history and the helm-charts list do.
    const all = Array.from({ length: 30 }, (_, i) =>
      dep(`d${String(i).padStart(2, '0')}`.padEnd(40, '0'), ago(60 - 2 * i)),
    );
    let seen: DoraDeployment[] = [];
    for (let end = 10; end <= 30; end += 5) {
      seen = await h.reconcile(REF, 'prod', all.slice(end - 10, end));
    }
    expect(seen).toHaveLength(30);
    // Days 2, 4, ..., 60 ago: 30 in 90 days, 14 in 30 days (2..28), 3 in 7.
    expect(window(seen, 90).deployments).toBe(30);
    expect(window(seen, 30).deployments).toBe(14);
    expect(window(seen, 7).deployments).toBe(3);
    // Without the history, the last assembly alone: 10 deployments.
    expect(window(all.slice(20), 90).deployments).toBe(10);
  });

  it('remembers a failure fixed forward, timed from when it turned Degraded', async () => {
    const h = await history();
    const a = dep('a'.repeat(40), ago(10));
    const b = dep('b'.repeat(40), ago(5));
    // Assembly 1: prod runs B, Degraded since 30 minutes after it deployed.
    await h.reconcile(REF, 'prod', [
      { ...b, failed: true, failedAt: ago(5, 30) },
      a,
    ]);
    // Assembly 2: C (a fix, not a rollback) replaced B 2 hours later. The
    // upstreams now show B as neither current nor reverted: not failed.
    const c = dep('c'.repeat(40), ago(5, 150));
    const seen = await h.reconcile(REF, 'prod', [c, b, a]);

    const recorded = seen.find(d => d.sha === b.sha)!;
    expect(recorded).toMatchObject({
      failed: true,
      failedAt: ago(5, 30),
      restoredAt: ago(5, 150),
    });
    const w = window(seen, 7);
    // In 7 days: B and C (A is 10 days old); B failed.
    expect(w).toMatchObject({
      deployments: 2,
      failedDeployments: 1,
      changeFailureRate: 0.5,
      rollbacks: 0,
      // From the failure's start (5d + 30 min) to C (5d + 150 min): 2 h.
      timeToRestoreMedianMs: 120 * MIN,
    });
    // Upstreams alone would call B a success: no failure at all.
    expect(window([c, b, a], 7).failedDeployments).toBe(0);
  });

  it('counts a rollback as rework and restores the change it reverts, after both fell off the upstreams', async () => {
    const h = await history();
    const a = dep('a'.repeat(40), ago(20));
    const b = dep('b'.repeat(40), ago(12), { failed: true });
    const r = dep('r'.repeat(40), ago(12, 45), {
      kind: 'rollback',
      tag: a.tag,
    });
    await h.reconcile(REF, 'prod', [r, b, a]);
    // Forty days on, the upstreams list only newer deployments.
    const later = Array.from({ length: 10 }, (_, i) =>
      dep(`e${i}`.padEnd(40, '0'), ago(10 - i)),
    );
    const seen = await h.reconcile(REF, 'prod', later);
    const w = window(seen, 30);
    // Changes: A, B and the ten later ones; B failed; R is rework.
    expect(w).toMatchObject({
      deployments: 12,
      failedDeployments: 1,
      rollbacks: 1,
      timeToRestoreMedianMs: 45 * MIN,
    });
    expect(w.changeFailureRate).toBeCloseTo(1 / 12);
    expect(w.reworkRate).toBeCloseTo(1 / 13);
  });

  it("keeps Argo CD's deploy time once its history has moved on", async () => {
    const h = await history();
    const b = dep('b'.repeat(40), ago(3));
    await h.reconcile(REF, 'prod', [b]);
    // Argo CD no longer lists it: the commit time stands in upstream.
    const seen = await h.reconcile(REF, 'prod', [
      { ...b, deployedAt: ago(3, -20), timeFrom: 'commit' },
    ]);
    expect(seen).toEqual([
      expect.objectContaining({ deployedAt: ago(3), timeFrom: 'argocd' }),
    ]);
  });

  it('writes only what changed, and keeps environments and entities apart', async () => {
    const h = await history();
    const a = dep('a'.repeat(40), ago(2));
    const b = dep('b'.repeat(40), ago(1));
    await h.reconcile(REF, 'prod', [b, a]);
    const first = writes;
    expect(first).toBeGreaterThan(0);
    // The same view again: one read, no write.
    await h.reconcile(REF, 'prod', [b, a]);
    expect(writes).toBe(first);
    // A failure seen: one write.
    await h.reconcile(REF, 'prod', [{ ...b, failed: true }, a]);
    expect(writes).toBe(first + 1);

    expect(await h.reconcile(REF, 'staging', [])).toEqual([]);
    expect(await h.reconcile('component:default/payments', 'prod', [])).toEqual(
      [],
    );
    // A second replica on the same database sees the same record.
    const other = await history();
    expect((await other.reconcile(REF, 'prod', [])).map(d => d.sha)).toEqual([
      b.sha,
      a.sha,
    ]);
  });

  it('deletes what is past the retention', async () => {
    let now = NOW;
    const h = await history(30, () => now);
    await h.reconcile(REF, 'prod', [
      dep('b'.repeat(40), ago(5)),
      dep('a'.repeat(40), ago(25)),
    ]);
    // Twenty days on: B is 25 days old (kept), A 45 (past 30: deleted).
    now = NOW + 20 * DAY;
    expect(await h.prune()).toBe(1);
    expect(
      (await h.reconcile(REF, 'prod', [])).map(d => d.sha.slice(0, 1)),
    ).toEqual(['b']);
  });

  it("counts a pod's restarts in the last hour from the sampled totals, not its lifetime total", async () => {
    let t = NOW;
    const h = await history(400, () => t);
    const old = new Date(NOW - 5 * 3600_000).toISOString();
    const min = 60_000;
    // First seen with 40 restarts (its lifetime): none known in the hour yet.
    expect(
      await h.restartsLastHour(REF, 'dev', [
        { name: 'a', restarts: 40, createdAt: old },
      ]),
    ).toEqual({ restarts: 0, since: new Date(NOW).toISOString() });
    // 30 minutes later, 3 more: counted from when it was first seen.
    t = NOW + 30 * min;
    expect(
      await h.restartsLastHour(REF, 'dev', [
        { name: 'a', restarts: 43, createdAt: old },
      ]),
    ).toEqual({ restarts: 3, since: new Date(NOW).toISOString() });
    // 70 minutes after the first sample: the count an hour ago is known
    // (40, sampled then); a new pod created 10 minutes ago counts whole.
    t = NOW + 70 * min;
    const now = await h.restartsLastHour(REF, 'dev', [
      { name: 'a', restarts: 45, createdAt: old },
      {
        name: 'b',
        restarts: 2,
        createdAt: new Date(t - 10 * min).toISOString(),
      },
    ]);
    expect(now).toEqual({ restarts: 45 - 40 + 2 });
    // Another environment's and another entity's samples are their own.
    expect(
      await h.restartsLastHour(REF, 'prod', [
        { name: 'a', restarts: 45, createdAt: old },
      ]),
    ).toMatchObject({ restarts: 0 });
    // Samples older than two hours are pruned.
    t = NOW + 200 * min;
    expect(await h.prune()).toBeGreaterThanOrEqual(3);
  });
  it("times lead from recorded app commits once the source section's list has moved on", async () => {
    const h = await history(400);
    const oldCommit = { sha: `01d${'0'.repeat(37)}`, committedAt: ago(40) };
    const newCommit = { sha: `cafe${'1'.repeat(36)}`, committedAt: ago(1) };
    // Pushed 40 days ago (the webhook's commits), for two entities that
    // show the same repository: recorded once each, not twice.
    const other = 'component:default/orders-worker';
    expect(await h.recordCommits([REF, other], [oldCommit], 'push')).toBe(2);
    expect(await h.recordCommits([REF], [oldCommit], 'push')).toBe(0);
    // Today the source section lists only the newest commit.
    const commits = await h.commits(REF, [newCommit], 180);
    expect(commits).toEqual([newCommit, oldCommit]);
    // Each reached prod through a change deployment: the old one 3 hours
    // after its commit, the new one 1 hour after.
    const deployments = [
      dep('b'.repeat(40), ago(1, 60), {
        tag: `${newCommit.sha.slice(0, 7)}-9`,
      }),
      dep('a'.repeat(40), ago(40, 180), {
        tag: `${oldCommit.sha.slice(0, 7)}-3`,
      }),
    ];
    const lead = (list: typeof commits, days: number) =>
      computeDora({
        environment: 'prod',
        deployments,
        commits: list,
        now: new Date(NOW),
        windows: [days],
      }).windows[0].leadTimeMedianMs;
    // 90 days: the median of 1 h and 3 h with the record; 1 h without it.
    expect(lead(commits, 90)).toBe(120 * MIN);
    expect(lead([newCommit], 90)).toBe(60 * MIN);
    expect(lead(commits, 30)).toBe(60 * MIN);
    // The source's commit was recorded by that read: it stays known.
    expect(await h.commits(REF, [], 180)).toEqual([newCommit, oldCommit]);
    // A commit past the retention is neither recorded nor listed.
    const ancient = { sha: 'f'.repeat(40), committedAt: ago(401) };
    expect(await h.recordCommits([REF], [ancient], 'push')).toBe(0);
    // The retention moves on: the old commit goes with prune.
    const later = await history(30);
    expect(await later.prune()).toBeGreaterThanOrEqual(2);
    expect(await later.commits(REF, [], 180)).toEqual([newCommit]);
  });
  it('keeps a failure another writer recorded meanwhile (a replica and the poll at once)', async () => {
    const h = await history();
    const b = dep('b'.repeat(40), ago(1), { timeFrom: 'commit' });
    // Both read the record (empty), then both write: the poll saw B
    // Degraded with Argo CD's time; a status answer, at the same moment,
    // saw it still healthy, by its commit time.
    await Promise.all([
      h.reconcile(REF, 'prod', [
        { ...b, timeFrom: 'argocd', failed: true, failedAt: ago(1, 10) },
      ]),
      h.reconcile(REF, 'prod', [b]),
    ]);
    expect(await h.reconcile(REF, 'prod', [])).toEqual([
      { ...b, timeFrom: 'argocd', failed: true, failedAt: ago(1, 10) },
    ]);
  });

  it("keeps the source section's order of commits, and its commit times", async () => {
    const h = await history();
    const at = ago(2);
    // A rebase-and-merge: three commits with one commit time, newest first.
    const listed = ['c', 'b', 'a'].map(x => ({
      sha: x.repeat(40),
      committedAt: at,
    }));
    // Pushed earlier with the author's time, one minute off.
    await h.recordCommits(
      [REF],
      [{ sha: 'a'.repeat(40), committedAt: ago(2, -1) }],
      'push',
    );
    const older = { sha: 'd'.repeat(40), committedAt: ago(3) };
    await h.recordCommits([REF], [older], 'push');
    expect(await h.commits(REF, listed, 180)).toEqual([...listed, older]);
    // The source's time replaced the pushed one.
    expect(await h.commits(REF, [], 180)).toEqual(
      expect.arrayContaining([{ sha: 'a'.repeat(40), committedAt: at }]),
    );
  });
});
