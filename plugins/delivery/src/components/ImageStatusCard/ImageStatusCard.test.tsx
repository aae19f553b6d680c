import { screen, within } from '@testing-library/react';
import { sampleEntity, sampleStatus } from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { ImageStatusCard } from './ImageStatusCard';

describe('ImageStatusCard', () => {
  it('lists the newest images with tags, size, digest, findings and where each runs', async () => {
    await renderOnEntityPage(<ImageStatusCard />, {
      api: mockDeliveryApi(sampleStatus()),
    });

    const row = (await screen.findByText('3f2a1bc-42')).closest('tr')!;
    expect(within(row).getByText('50.0 MB')).toBeInTheDocument();
    expect(within(row).getByText('0123456789ab')).toBeInTheDocument();
    expect(within(row).getByText('2 critical')).toBeInTheDocument();
    expect(within(row).getByText('1 high')).toBeInTheDocument();
    expect(within(row).getByText('4 medium')).toBeInTheDocument();
    expect(within(row).getByText('dev')).toBeInTheDocument();

    const older = screen.getByText('9e8d7c6-40').closest('tr')!;
    expect(within(older).getByText('No findings')).toBeInTheDocument();
    expect(within(older).getByText('staging')).toBeInTheDocument();
    expect(within(older).getByText('prod')).toBeInTheDocument();
  });

  it('shows the stale warning with its age and the cached images', async () => {
    const now = Date.now();
    const status = sampleStatus(now);
    status.image = {
      ...status.image,
      state: 'stale',
      fetchedAt: new Date(now - 10 * 60_000).toISOString(),
      error: {
        kind: 'upstream',
        message: 'ECR throttled the request',
        since: new Date(now - 5 * 60_000).toISOString(),
      },
    };
    await renderOnEntityPage(<ImageStatusCard />, {
      api: mockDeliveryApi(status),
    });

    expect(
      await screen.findByText(
        /Stale since 5 minutes ago — Amazon ECR unavailable/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('3f2a1bc-42')).toBeInTheDocument();
  });

  it('names the ECR annotation when the image section is missing', async () => {
    const status = sampleStatus();
    status.image = { state: 'missing' };
    await renderOnEntityPage(<ImageStatusCard />, {
      api: mockDeliveryApi(status),
      entity: {
        ...sampleEntity,
        metadata: {
          name: 'payments-api',
          annotations: { 'argocd/app-name': 'payments-api' },
        },
      },
    });

    expect(
      await screen.findByText(
        'No aws.amazon.com/aws-ecr-repository-arn annotation on this entity',
      ),
    ).toBeInTheDocument();
  });
});
