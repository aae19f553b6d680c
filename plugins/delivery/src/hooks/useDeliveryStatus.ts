import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { deliveryApiRef, type DeliveryApi } from '../api';
import { DeliveryStatusStore, type StatusSnapshot } from './statusStore';

// One store per DeliveryApi instance: every card and the tab of the app
// share it, while tests (each with its own mock API) never do.
const stores = new WeakMap<DeliveryApi, DeliveryStatusStore>();

function storeFor(api: DeliveryApi): DeliveryStatusStore {
  let store = stores.get(api);
  if (!store) {
    store = new DeliveryStatusStore(api);
    stores.set(api, store);
  }
  return store;
}

/**
 * An entity's delivery status, shared: the build, image and sync cards and
 * the Delivery tab of one page make one request per refresh between them.
 * Polls every 5 s while a change is moving and every 15 s otherwise.
 *
 * @public
 */
export function useDeliveryStatus(
  entityRef: string,
): StatusSnapshot & { refresh: () => Promise<void> } {
  const store = storeFor(useApi(deliveryApiRef));
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
