import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';

/** The entity page's entity and its ref (`component:default/payments-api`). */
export function useEntityRef() {
  const { entity } = useEntity();
  return { entity, entityRef: stringifyEntityRef(entity) };
}
