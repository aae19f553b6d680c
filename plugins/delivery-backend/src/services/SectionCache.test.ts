import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { DatabaseLoadLeases } from './loadLeases';
import { SectionCache, SectionLoadError } from './SectionCache';

function setup(overrides: { maxEntries?: number } = {}) {
  let now = 1_000_000;
  const cache = new SectionCache({
    ttlMs: 15_000,
    failureTtlMs: 5_000,
    staleMaxMs: 60_000,
    maxEntries: overrides.maxEntries ?? 100,
    now: () => now,
  });
  return {
    cache,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const K = { section: 'test', resource: 'k' };
const OLD = { section: 'test', resource: 'old' };
const MINE = { section: 'test', resource: 'mine' };
const of = (name: string) => ({
  entityRef: `component:default/${name}`,
  section: 'source',
  resource: 'acme/app',
});

describe('SectionCache', () => {
  it('shares one load between concurrent reads and serves it until the TTL ends', async () => {
    const { cache, advance } = setup();
    let release!: (v: string) => void;
    const load = jest.fn(
      () =>
        new Promise<string>(resolve => {
          release = resolve;
        }),
    );
    const reads = Array.from({ length: 10 }, () => cache.get(K, load));
    // The load starts once the store has answered (no answer yet).
    while (load.mock.calls.length === 0) {
      await new Promise(resolve => setImmediate(resolve));
    }
    release('v1');
    const sections = await Promise.all(reads);
    expect(load).toHaveBeenCalledTimes(1);
    expect(sections.every(s => s.state === 'ok' && s.data === 'v1')).toBe(true);

    advance(14_999);
    expect((await cache.get(K, async () => 'v2')).data).toBe('v1');
    advance(1);
    expect((await cache.get(K, async () => 'v2')).data).toBe('v2');
    expect(cache.loads).toBe(2);
  });

  it('reloads sooner when the read asks for a shorter TTL (a change in motion)', async () => {
    const { cache, advance } = setup();
    await cache.get(K, async () => 'v1');
    advance(3_000);
    expect((await cache.get(K, async () => 'v2', { ttlMs: 3_000 })).data).toBe(
      'v2',
    );
  });

  it('serves the last good answer as stale, with the first failure time, and retries only after the failure TTL', async () => {
    const { cache, advance } = setup();
    const first = await cache.get(K, async () => 'good');
    advance(15_000);
    const failing = jest.fn(async () => {
      throw new Error('503 from Argo CD');
    });
    const stale = await cache.get(K, failing);
    expect(stale).toMatchObject({
      state: 'stale',
      data: 'good',
      fetchedAt: first.fetchedAt,
      error: { kind: 'upstream', message: '503 from Argo CD' },
    });
    const since = stale.error!.since;

    advance(4_999);
    expect((await cache.get(K, failing)).state).toBe('stale');
    expect(failing).toHaveBeenCalledTimes(1);
    advance(1);
    const again = await cache.get(K, failing);
    expect(failing).toHaveBeenCalledTimes(2);
    expect(again.error!.since).toBe(since);

    expect((await cache.get(K, async () => 'back')).state).toBe('stale');
    advance(5_000);
    const back = await cache.get(K, async () => 'back');
    expect(back).toEqual({
      state: 'ok',
      data: 'back',
      fetchedAt: expect.any(String),
    });
  });

  it('stops serving stale data after staleMax, and never serves a forbidden answer stale', async () => {
    const { cache, advance } = setup();
    await cache.get(OLD, async () => 'good');
    advance(60_001);
    expect(
      await cache.get(OLD, async () => {
        throw new Error('down');
      }),
    ).toMatchObject({ state: 'error', error: { message: 'down' } });

    await cache.get(MINE, async () => 'good');
    advance(15_000);
    const refused = await cache.get(MINE, async () => {
      throw new SectionLoadError({
        kind: 'forbidden',
        message: 'belongs to component:default/other',
      });
    });
    expect(refused).toEqual({
      state: 'error',
      error: {
        kind: 'forbidden',
        message: 'belongs to component:default/other',
        since: expect.any(String),
      },
    });
  });

  it('forgets the least recently used entries beyond maxEntries, and every entry of an entity', async () => {
    const { cache } = setup({ maxEntries: 2 });
    await cache.get(of('a'), async () => 1);
    await cache.get(of('b'), async () => 1);
    await cache.get(of('a'), async () => 1); // a is now the most recent
    await cache.get(of('c'), async () => 1); // evicts b
    expect(cache.loads).toBe(3);
    await cache.get(of('a'), async () => 1);
    expect(cache.loads).toBe(3);
    await cache.get(of('b'), async () => 1);
    expect(cache.loads).toBe(4);

    await cache.invalidate('component:default/a');
    await cache.get(of('a'), async () => 2);
    expect(cache.loads).toBe(5);
  });

  it('shares answers and invalidations between replicas through the store (coreServices.cache)', async () => {
    // One store, as two replicas on one Redis have; each replica its cache.
    const store = CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('delivery');
    let now = 1_000_000;
    const replica = () =>
      new SectionCache({
        ttlMs: 15_000,
        failureTtlMs: 5_000,
        staleMaxMs: 60_000,
        maxEntries: 100,
        store,
        now: () => now,
      });
    const a = replica();
    const b = replica();
    const key = of('payments-api');
    let upstream = 0;
    const load = async () => `v${++upstream}`;

    // 50 viewers over both replicas: one upstream call per replica at most,
    // and B answers from what A loaded once A's answer is stored.
    expect((await a.get(key, load)).data).toBe('v1');
    const views = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).get(key, load)),
    );
    expect(views.map(v => v.data)).toEqual(Array(50).fill('v1'));
    expect(upstream).toBe(1);

    // A webhook handled by A forgets the entity for B too.
    await a.invalidate('component:default/payments-api');
    expect((await b.get(key, load)).data).toBe('v2');
    expect((await a.get(key, load)).data).toBe('v2');
    expect(upstream).toBe(2);

    // Stale-on-failure with "since" holds across replicas: B fails, A
    // serves the same stale answer without asking until the failure TTL.
    now += 20_000;
    const failing = async (): Promise<string> => {
      upstream++;
      throw new SectionLoadError({ kind: 'upstream', message: 'down' });
    };
    const stale = await b.get(key, failing);
    expect(stale).toMatchObject({ state: 'stale', data: 'v2' });
    const fromA = await a.get(key, failing);
    expect(fromA).toEqual(stale);
    expect(upstream).toBe(3);
  });

  describe('with load leases (replicas taking turns, the plugin database)', () => {
    const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

    async function replicas(leaseMs = 15_000) {
      const knex = await databases.init('SQLITE_3');
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/backstage-plugin-delivery-backend',
          'migrations',
        ),
      });
      const leases = new DatabaseLoadLeases(knex);
      const store = CacheManager.fromConfig(
        new ConfigReader({ backend: { cache: { store: 'memory' } } }),
      ).forPlugin('delivery');
      const replica = () =>
        new SectionCache({
          ttlMs: 15_000,
          failureTtlMs: 5_000,
          staleMaxMs: 60_000,
          maxEntries: 100,
          store,
          leases,
          leaseMs,
        });
      return { a: replica(), b: replica(), leases };
    }

    it('loads once for 50 cold viewers spread over two replicas', async () => {
      const { a, b } = await replicas();
      let upstream = 0;
      let finish = () => {};
      const load = () =>
        new Promise<string>(resolve => {
          upstream++;
          finish = () => resolve(`v${upstream}`);
        });
      const views = Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).get(of('payments-api'), load),
        ),
      );
      // Both replicas are asked before the one load finishes.
      while (upstream === 0) await new Promise(r => setTimeout(r, 10));
      finish();
      expect((await views).map(v => v.data)).toEqual(Array(50).fill('v1'));
      expect(upstream).toBe(1);
    });

    it('loads on the waiting replica when the lease holder never answers (it died)', async () => {
      const { b, leases } = await replicas(200);
      // A took the lease and died: no answer will come, the lease ends.
      const key = of('payments-api');
      let upstream = 0;
      const load = async () => `v${++upstream}`;
      const idOfEntry = `sections:entry:0:${JSON.stringify([
        key.entityRef,
        key.section,
        key.resource,
      ])}`;
      expect(await leases.acquire(idOfEntry, 200)).toBe(true);
      expect((await b.get(key, load)).data).toBe('v1');
      expect(upstream).toBe(1);
    });
  });
});
