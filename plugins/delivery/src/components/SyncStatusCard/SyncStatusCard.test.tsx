import { screen, within } from '@testing-library/react';
import { sampleEntity, sampleStatus } from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { BuildStatusCard } from '../BuildStatusCard';
import { ImageStatusCard } from '../ImageStatusCard';
import { SyncStatusCard } from './SyncStatusCard';

describe('SyncStatusCard', () => {
  it('shows sync, health, revision, running tag and last operation per environment, linked to Argo CD', async () => {
    const status = sampleStatus();
    const staging = status.sync.data!.environments[1];
    staging.syncStatus = 'OutOfSync';
    staging.healthStatus = 'Degraded';
    staging.healthMessage = 'Back-off restarting failed container';
    await renderOnEntityPage(<SyncStatusCard />, {
      api: mockDeliveryApi(status),
    });

    const dev = (await screen.findByRole('link', { name: /^dev/ })).closest(
      'tr',
    )!;
    expect(within(dev).getByRole('link', { name: /^dev/ })).toHaveAttribute(
      'href',
      'http://127.0.0.1:7073/applications/payments-api-dev',
    );
    expect(within(dev).getByText('Synced')).toBeInTheDocument();
    expect(within(dev).getByText('Healthy')).toBeInTheDocument();
    expect(within(dev).getByText('since 21 minutes ago')).toBeInTheDocument();
    expect(within(dev).getByText('a1b2c3d')).toBeInTheDocument();
    expect(within(dev).getByText('3f2a1bc-42')).toBeInTheDocument();
    expect(within(dev).getByText('Succeeded')).toBeInTheDocument();

    const stagingRow = screen
      .getByRole('link', { name: /^staging/ })
      .closest('tr')!;
    expect(within(stagingRow).getByText('OutOfSync')).toBeInTheDocument();
    expect(within(stagingRow).getByText('Degraded')).toBeInTheDocument();
    expect(
      within(stagingRow).getByText('Back-off restarting failed container'),
    ).toBeInTheDocument();
  });

  it('names both Argo CD annotations when the sync section is missing', async () => {
    const status = sampleStatus();
    status.sync = {
      state: 'missing',
      error: { kind: 'not-configured', message: 'No annotation' },
    };
    const { 'argocd/app-name': _, ...annotations } =
      sampleEntity.metadata.annotations!;
    await renderOnEntityPage(<SyncStatusCard />, {
      api: mockDeliveryApi(status),
      entity: {
        ...sampleEntity,
        metadata: { ...sampleEntity.metadata, annotations },
      },
    });

    expect(
      await screen.findByText(
        'No argocd/app-name or argocd/app-selector annotation on this entity',
      ),
    ).toBeInTheDocument();
  });

  it("gives the backend's reason when the annotation is there but unusable", async () => {
    const status = sampleStatus();
    status.sync = {
      state: 'missing',
      error: {
        kind: 'not-configured',
        message: "No Argo CD instance named 'eu' in argocd config",
      },
    };
    await renderOnEntityPage(<SyncStatusCard />, {
      api: mockDeliveryApi(status),
    });

    expect(
      await screen.findByText(
        "No Argo CD instance named 'eu' in argocd config",
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/annotation on this entity/)).toBeNull();
  });

  it('reports one upstream error while the other cards render their data', async () => {
    const status = sampleStatus();
    status.sync = {
      state: 'error',
      error: { kind: 'upstream', message: 'Argo CD sandbox timed out' },
    };
    const api = mockDeliveryApi(status);
    await renderOnEntityPage(
      <>
        <BuildStatusCard />
        <ImageStatusCard />
        <SyncStatusCard />
      </>,
      { api },
    );

    expect(
      await screen.findByText(/Argo CD unavailable: Argo CD sandbox timed out/),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /^#42/ })).toBeInTheDocument();
    expect(screen.getByText('2 critical')).toBeInTheDocument();
    expect(api.getStatus).toHaveBeenCalledTimes(1);
  });

  it('says an application not proven to belong to the service is not shown, not that Argo CD is down', async () => {
    const status = sampleStatus();
    const message =
      'Argo CD application legacy is not proven to belong to this service: it carries no slipway.io/owner binding to component:default/legacy';
    status.sync = { state: 'error', error: { kind: 'forbidden', message } };
    await renderOnEntityPage(<SyncStatusCard />, {
      api: mockDeliveryApi(status),
    });
    expect(
      await screen.findByText(
        /Not shown: Argo CD application legacy is not proven to belong/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/unavailable/)).toBeNull();
  });
});
