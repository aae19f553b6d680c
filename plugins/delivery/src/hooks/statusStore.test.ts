import type { SignalApi } from '@backstage/plugin-signals-react';
import { isInMotion } from '@internal/backstage-plugin-delivery-common';
import type { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';
import { sampleEntityRef, sampleStatus } from '../__testUtils__/status';
import { mockDeliveryApi } from '../__testUtils__/render';
import {
  ACTIVE_POLL_MS,
  DeliveryStatusStore,
  IDLE_POLL_MS,
} from './statusStore';

/** The sample with every change arrived and nothing building or syncing. */
function settled(): DeliveryStatus {
  const status = sampleStatus();
  status.timeline = status.timeline.slice(1);
  return status;
}

async function flush() {
  // Let the mocked request resolve and the store settle.
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

describe('DeliveryStatusStore', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('makes one request for many subscribers and concurrent refreshes', async () => {
    const api = mockDeliveryApi(settled());
    const store = new DeliveryStatusStore(api);
    const unsubscribe = [1, 2, 3].map(() =>
      store.subscribe(sampleEntityRef, () => {}),
    );
    store.refresh(sampleEntityRef);
    await flush();

    expect(api.getStatus).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot(sampleEntityRef).status?.entityRef).toBe(
      sampleEntityRef,
    );
    unsubscribe.forEach(u => u());
  });

  it('polls every 5 s while a change is moving and every 15 s once settled', async () => {
    const moving = sampleStatus();
    expect(isInMotion(moving)).toBe(true);
    const api = mockDeliveryApi(moving);
    api.getStatus
      .mockResolvedValueOnce(moving)
      .mockResolvedValueOnce(moving)
      .mockResolvedValue(settled());
    const store = new DeliveryStatusStore(api);
    const unsubscribe = store.subscribe(sampleEntityRef, () => {});
    await flush();
    expect(api.getStatus).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(ACTIVE_POLL_MS);
    expect(api.getStatus).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(ACTIVE_POLL_MS);
    expect(api.getStatus).toHaveBeenCalledTimes(3);

    // Settled now: nothing for the next 14 s, then one more.
    await jest.advanceTimersByTimeAsync(IDLE_POLL_MS - 1000);
    expect(api.getStatus).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(1000);
    expect(api.getStatus).toHaveBeenCalledTimes(4);
    unsubscribe();
  });

  it('stops polling when the last subscriber leaves and reuses a recent answer on return', async () => {
    let now = 1_000_000;
    const api = mockDeliveryApi(settled());
    const store = new DeliveryStatusStore(api, { now: () => now });
    const first = store.subscribe(sampleEntityRef, () => {});
    await flush();
    first();

    await jest.advanceTimersByTimeAsync(IDLE_POLL_MS * 3);
    expect(api.getStatus).toHaveBeenCalledTimes(1);

    // Back within the interval (e.g. switching to the Delivery tab): no request.
    now += 1000;
    const second = store.subscribe(sampleEntityRef, () => {});
    await flush();
    expect(api.getStatus).toHaveBeenCalledTimes(1);
    second();

    // Back after the interval: one request.
    now += IDLE_POLL_MS;
    const third = store.subscribe(sampleEntityRef, () => {});
    await flush();
    expect(api.getStatus).toHaveBeenCalledTimes(2);
    third();
  });

  it('keeps the last status when a refresh fails and reports the error', async () => {
    const api = mockDeliveryApi(settled());
    api.getStatus
      .mockResolvedValueOnce(settled())
      .mockRejectedValueOnce(new Error('backend restarting'));
    const store = new DeliveryStatusStore(api);
    const unsubscribe = store.subscribe(sampleEntityRef, () => {});
    await flush();
    await store.refresh(sampleEntityRef);

    const snapshot = store.getSnapshot(sampleEntityRef);
    expect(snapshot.status).toBeDefined();
    expect(snapshot.error?.message).toBe('backend restarting');
    expect(snapshot.loading).toBe(false);
    unsubscribe();
  });

  it("refreshes at once when the backend signals the entity changed, on the entity's own channel, while subscribed", async () => {
    const api = mockDeliveryApi(settled());
    const channels = new Map<string, (message: any) => void>();
    const unsubscribed: string[] = [];
    const signals: SignalApi = {
      subscribe: (channel, onMessage) => {
        channels.set(channel, onMessage);
        return {
          unsubscribe: () => {
            unsubscribed.push(channel);
          },
        };
      },
    };
    const store = new DeliveryStatusStore(api, { signals });
    const first = store.subscribe(sampleEntityRef, () => {});
    const second = store.subscribe(sampleEntityRef, () => {});
    await flush();
    expect(api.getStatus).toHaveBeenCalledTimes(1);
    const channel = `delivery:status:${sampleEntityRef.toLowerCase()}`;
    expect([...channels.keys()]).toEqual([channel]);

    // A push: the page asks now, long before the 15 s poll.
    channels.get(channel)!({ entityRef: sampleEntityRef, reason: 'push' });
    await flush();
    expect(api.getStatus).toHaveBeenCalledTimes(2);

    // A signal during a request (which may have been answered before the
    // change) asks once more when that request ends, not at the next poll.
    let answer!: (s: DeliveryStatus) => void;
    api.getStatus.mockImplementationOnce(
      () => new Promise<DeliveryStatus>(r => (answer = r)),
    );
    store.refresh(sampleEntityRef);
    channels.get(channel)!({ entityRef: sampleEntityRef, reason: 'push' });
    expect(api.getStatus).toHaveBeenCalledTimes(3);
    answer(settled());
    await flush();
    expect(api.getStatus).toHaveBeenCalledTimes(4);

    // The last subscriber leaving closes the channel.
    first();
    expect(unsubscribed).toEqual([]);
    second();
    expect(unsubscribed).toEqual([channel]);
  });
});
