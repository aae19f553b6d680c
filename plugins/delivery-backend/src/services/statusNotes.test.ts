import { CacheManager } from '@backstage/backend-defaults/cache';
import { ConfigReader } from '@backstage/config';
import { NoteStore } from './statusNotes';

describe('NoteStore', () => {
  it('writes a reader note again within five minutes when the shared store lost it', async () => {
    const store = CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('delivery');
    let now = 1_000_000;
    const notes = new NoteStore(store, 100, () => now);
    const ref = 'component:default/payments-api';

    await notes.addReader('slipway-demo/payments-api', ref);
    expect(await notes.readersOf('slipway-demo/payments-api')).toEqual([ref]);

    // The store loses it (a Redis failover without persistence).
    await store.delete('readers:slipway-demo/payments-api');
    // Views within five minutes do not write it again (one write per view
    // would cost every page view a store write)...
    now += 60_000;
    await notes.addReader('slipway-demo/payments-api', ref);
    expect(await notes.readersOf('slipway-demo/payments-api')).toEqual([]);
    // ...the first view after them does: a push finds the entity again.
    now += 5 * 60_000;
    await notes.addReader('slipway-demo/payments-api', ref);
    expect(await notes.readersOf('slipway-demo/payments-api')).toEqual([ref]);
  });
});
