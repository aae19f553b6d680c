import { screen, waitFor } from '@testing-library/react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ACTIVE_POLL_MS } from './hooks/statusStore';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deliveryApiRef } from './api';
import { isDeliveryAvailable } from './conditions';
import {
  buildStatusCard,
  deliveryContent,
  deliveryPlugin,
  imageStatusCard,
  rolloutCard,
  runtimeCard,
  syncStatusCard,
} from './plugin';
import {
  sampleEntity,
  sampleRuntime,
  sampleStatus,
} from './__testUtils__/status';
import { mockDeliveryApi } from './__testUtils__/render';

describe('delivery plugin', () => {
  it('has the pluginId delivery', () => {
    expect(deliveryPlugin.pluginId).toBe('delivery');
  });

  it('makes ONE request for the five cards and the Delivery tab of an entity page', async () => {
    const started = Date.now();
    const api = mockDeliveryApi({
      ...sampleStatus(),
      runtime: sampleRuntime(),
    });
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: sampleEntity }),
        buildStatusCard,
        imageStatusCard,
        syncStatusCard,
        runtimeCard,
        rolloutCard,
        deliveryContent,
      ],
      apis: [
        [deliveryApiRef, api],
        mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
      ],
    });

    expect(await screen.findByText('Build status')).toBeInTheDocument();
    expect(await screen.findByText('Image status')).toBeInTheDocument();
    expect(await screen.findByText('Sync status')).toBeInTheDocument();
    expect(await screen.findByText('Runtime')).toBeInTheDocument();
    expect(
      await screen.findByText('1 pod in CrashLoopBackOff'),
    ).toBeInTheDocument();
    // The rollout card is on the overview and on the Delivery tab; each
    // loads lazily, so wait for both rather than for the first.
    await waitFor(
      () => expect(screen.getAllByText('Step 2 of 4')).toHaveLength(2),
      { timeout: 3000 },
    );
    expect(
      await screen.findByRole('link', { name: /^#42/ }),
    ).toBeInTheDocument();
    expect(await screen.findByText('2 critical')).toBeInTheDocument();
    expect(
      await screen.findByText('Accept SEPA transfers'),
    ).toBeInTheDocument();
    // One request for all six, not one each. The page polls again after
    // ACTIVE_POLL_MS; a busy machine may reach that before the last card.
    const polls = Math.floor((Date.now() - started) / ACTIVE_POLL_MS);
    expect(api.getStatus.mock.calls.length).toBeLessThanOrEqual(1 + polls);
    expect(api.getStatus).toHaveBeenCalledWith(
      stringifyEntityRef(sampleEntity),
    );
  });

  it('shows no card and makes no request on an entity without delivery annotations', async () => {
    const api = mockDeliveryApi(sampleStatus());
    const library = {
      ...sampleEntity,
      metadata: {
        name: 'shared-lib',
        annotations: { 'github.com/project-slug': 'slipway-demo/shared-lib' },
      },
    };
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: library }),
        buildStatusCard,
        imageStatusCard,
        syncStatusCard,
        runtimeCard,
        rolloutCard,
      ],
      apis: [[deliveryApiRef, api]],
    });

    // Every card filtered out: the test page renders its empty marker.
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
    expect(screen.queryByText('Build status')).not.toBeInTheDocument();
    expect(api.getStatus).not.toHaveBeenCalled();
  });

  it('treats CI, ECR, Argo CD and chart annotations as delivery annotations, but not the repo slug alone', () => {
    const withAnnotations = (annotations: Record<string, string>) => ({
      ...sampleEntity,
      metadata: { name: 'x', annotations },
    });
    expect(isDeliveryAvailable(sampleEntity)).toBe(true);
    expect(
      isDeliveryAvailable(withAnnotations({ 'argocd/app-selector': 'app=x' })),
    ).toBe(true);
    expect(
      isDeliveryAvailable(
        withAnnotations({ 'slipway.io/chart-path': 'charts/x' }),
      ),
    ).toBe(true);
    expect(
      isDeliveryAvailable(
        withAnnotations({ 'github.com/project-slug': 'slipway-demo/x' }),
      ),
    ).toBe(false);
  });
});
