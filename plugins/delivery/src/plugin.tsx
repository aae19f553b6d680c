import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { DeliveryClient, deliveryApiRef } from './api';
import { isDeliveryAvailable } from './conditions';

/** The delivery backend's client. @alpha */
export const deliveryApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deliveryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeliveryClient({ discoveryApi, fetchApi }),
    }),
});

/** `entity-card:delivery/build-status` @alpha */
export const buildStatusCard = EntityCardBlueprint.make({
  name: 'build-status',
  params: {
    filter: isDeliveryAvailable,
    loader: () =>
      import('./components/BuildStatusCard').then(m => <m.BuildStatusCard />),
  },
});

/** `entity-card:delivery/image-status` @alpha */
export const imageStatusCard = EntityCardBlueprint.make({
  name: 'image-status',
  params: {
    filter: isDeliveryAvailable,
    loader: () =>
      import('./components/ImageStatusCard').then(m => <m.ImageStatusCard />),
  },
});

/** `entity-card:delivery/sync-status` @alpha */
export const syncStatusCard = EntityCardBlueprint.make({
  name: 'sync-status',
  params: {
    filter: isDeliveryAvailable,
    loader: () =>
      import('./components/SyncStatusCard').then(m => <m.SyncStatusCard />),
  },
});

/** `entity-card:delivery/runtime`: pods, restarts, HPA, self-heals and warnings per environment. @alpha */
export const runtimeCard = EntityCardBlueprint.make({
  name: 'runtime',
  params: {
    filter: isDeliveryAvailable,
    loader: () =>
      import('./components/RuntimeCard').then(m => <m.RuntimeCard />),
  },
});

/**
 * `entity-card:delivery/rollout`: the canary of each environment and its
 * actions. Registered for every delivery entity (the status, not the
 * entity, says whether there is a canary); without one it says so in a line.
 * @alpha
 */
export const rolloutCard = EntityCardBlueprint.make({
  name: 'rollout',
  params: {
    filter: isDeliveryAvailable,
    loader: () =>
      import('./components/RolloutCard').then(m => <m.RolloutCard />),
  },
});

/**
 * `scaffolder-form-field:delivery/environments-picker`: the wizard's
 * environment choice (`ui:field: SlipwayEnvironmentsPicker`), read from the
 * portal's slipway.environments. @alpha
 */
export const environmentsPickerField = FormFieldBlueprint.make({
  name: 'environments-picker',
  params: {
    field: () =>
      import('./components/EnvironmentsPicker').then(
        m => m.environmentsPickerField,
      ),
  },
});

/** `entity-content:delivery/delivery`: the Delivery tab. @alpha */
export const deliveryContent = EntityContentBlueprint.make({
  name: 'delivery',
  params: {
    path: 'delivery',
    title: 'Delivery',
    group: 'deployment',
    filter: isDeliveryAvailable,
    loader: () =>
      import('./components/DeliveryContent').then(m => <m.DeliveryContent />),
  },
});

/**
 * Slipway's delivery plugin: build, image, sync, runtime and rollout cards
 * on the entity overview and the Delivery tab (timeline, canary, DORA,
 * rollback and promote).
 *
 * @public
 */
export const deliveryPlugin = createFrontendPlugin({
  pluginId: 'delivery',
  extensions: [
    deliveryApi,
    buildStatusCard,
    imageStatusCard,
    syncStatusCard,
    runtimeCard,
    rolloutCard,
    deliveryContent,
    environmentsPickerField,
  ],
});
