/*
 * `yarn start` in plugins/delivery: the cards and the Delivery tab for a
 * sample entity, with a mocked DeliveryApi (no backend needed). The
 * dev app sets no `permission.enabled`, so rollback, promote and the canary
 * actions are allowed.
 */
import Grid from '@material-ui/core/Grid';
import { createDevApp } from '@backstage/frontend-dev-utils';
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { ReleaseResult } from '@internal/backstage-plugin-delivery-common';
import plugin, {
  BuildStatusCard,
  DeliveryContent,
  ImageStatusCard,
  RolloutCard,
  RuntimeCard,
  SyncStatusCard,
  deliveryApiRef,
  type DeliveryApi,
} from '../src';
import {
  sampleEntity,
  sampleRuntime,
  sampleStatus,
} from '../src/__testUtils__/status';

const release = (environment: string, toTag: string): ReleaseResult => ({
  commitSha: 'c0ffee1234567890',
  commitUrl: 'http://127.0.0.1:7071/slipway-demo/helm-charts/commit/c0ffee1',
  environment,
  toTag,
});

const mockDeliveryApi: DeliveryApi = {
  getStatus: async () => ({ ...sampleStatus(), runtime: sampleRuntime() }),
  getEnvironments: async () => [
    { name: 'dev', changes: 'commit' },
    { name: 'staging', changes: 'commit' },
    { name: 'prod', changes: 'pull-request' },
  ],
  rollback: async ({ environment }) => release(environment, '9e8d7c6-40'),
  promote: async ({ to }) => release(to, '3f2a1bc-42'),
  rolloutAction: async ({ entityRef, environment, action }) => ({
    entityRef,
    environment,
    action,
    rollout: 'payments-api',
  }),
};

// A module of the delivery plugin replaces its `api:delivery` extension.
const mockApiModule = createFrontendModule({
  pluginId: 'delivery',
  extensions: [
    ApiBlueprint.make({
      params: defineParams =>
        defineParams({
          api: deliveryApiRef,
          deps: {},
          factory: () => mockDeliveryApi,
        }),
    }),
    PageBlueprint.make({
      name: 'dev',
      params: {
        path: '/',
        loader: async () => (
          <EntityProvider entity={sampleEntity}>
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <BuildStatusCard />
              </Grid>
              <Grid item xs={12} md={6}>
                <SyncStatusCard />
              </Grid>
              <Grid item xs={12}>
                <ImageStatusCard />
              </Grid>
              <Grid item xs={12} md={6}>
                <RuntimeCard />
              </Grid>
              <Grid item xs={12} md={6}>
                <RolloutCard />
              </Grid>
              <Grid item xs={12}>
                <DeliveryContent />
              </Grid>
            </Grid>
          </EntityProvider>
        ),
      },
    }),
  ],
});

// frontend-dev-utils 0.1.6 (the newest the registry offers) is typed
// against frontend-plugin-api 0.18; the features are the same shape.
createDevApp({
  features: [plugin, mockApiModule] as unknown as Parameters<
    typeof createDevApp
  >[0]['features'],
});
