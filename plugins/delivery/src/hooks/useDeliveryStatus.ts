import { useCallback, useEffect, useState } from 'react';
import { useApi, useApiHolder } from '@backstage/frontend-plugin-api';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import { deliveryApiRef, type DeliveryApi } from '../api';
import { DeliveryStatusStore, type StatusSnapshot } from './statusStore';

// One store per DeliveryApi instance: every card and the tab of the app
// share it, while tests (each with its own mock API) never do.
const stores = new WeakMap<DeliveryApi, DeliveryStatusStore>();

function storeFor(api: DeliveryApi, signals?: SignalApi): DeliveryStatusStore {
  let store = stores.get(api);
  if (!store) {
    store = new DeliveryStatusStore(api, { signals });
    stores.set(api, store);
  }
  return store;
}

/**
 * An entity's delivery status, shared: the build, image and sync cards and
 * the Delivery tab of one page make one request per refresh between them.
 * Refreshes when the backend signals a change (when the app has Backstage's
 * signals), and polls every 5 s while a change is moving and every 15 s
 * otherwise.
 *
 * @public
 */
export function useDeliveryStatus(
  entityRef: string,
): StatusSnapshot & { refresh: () => Promise<void> } {
  // Signals are optional: without the signals plugin, polling alone.
  const signals = useApiHolder().get(signalApiRef);
  const store = storeFor(useApi(deliveryApiRef), signals);
  const [snapshot, setSnapshot] = useState(() => store.getSnapshot(entityRef));

  useEffect(() => {
    const unsubscribe = store.subscribe(entityRef, () =>
      setSnapshot(store.getSnapshot(entityRef)),
    );
    // The first subscriber may have started a request already.
    setSnapshot(store.getSnapshot(entityRef));
    return unsubscribe;
  }, [store, entityRef]);

  const refresh = useCallback(
    () => store.refresh(entityRef),
    [store, entityRef],
  );
  return { ...snapshot, refresh };
}
