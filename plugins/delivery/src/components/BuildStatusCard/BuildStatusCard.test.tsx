import { screen } from '@testing-library/react';
import { ResponseError } from '@backstage/errors';
import {
  sampleEntity,
  sampleEntityRef,
  sampleStatus,
} from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { BuildStatusCard } from './BuildStatusCard';

describe('BuildStatusCard', () => {
  it('lists the newest builds with status, number, commit sha7, duration and link', async () => {
    const api = mockDeliveryApi(sampleStatus());
    await renderOnEntityPage(<BuildStatusCard />, { api });

    const build = await screen.findByRole('link', { name: /^#42/ });
    expect(build).toHaveAttribute(
      'href',
      'http://127.0.0.1:7074/job/slipway-demo/job/payments-api/42/',
    );
    expect(screen.getByText('succeeded')).toBeInTheDocument();
    expect(screen.getByText('failed')).toBeInTheDocument();
    expect(screen.getByText('3f2a1bc')).toBeInTheDocument();
    expect(screen.getByText('4 min')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /^Jenkins/ })).toBeInTheDocument();
    expect(api.getStatus).toHaveBeenCalledWith(sampleEntityRef);
  });

  it('names the missing annotation when the build section is missing', async () => {
    const status = sampleStatus();
    status.build = {
      state: 'missing',
      error: { kind: 'not-configured', message: 'no CI annotation' },
    };
    await renderOnEntityPage(<BuildStatusCard />, {
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
        'No jenkins.io/job-full-name or github.com/project-slug annotation on this entity',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('says which upstream is unavailable when the section failed with nothing cached', async () => {
    const status = sampleStatus();
    status.build = {
      state: 'error',
      error: { kind: 'upstream', message: 'Jenkins answered 503' },
    };
    await renderOnEntityPage(<BuildStatusCard />, {
      api: mockDeliveryApi(status),
    });

    expect(
      await screen.findByText(/Jenkins unavailable: Jenkins answered 503/),
    ).toBeInTheDocument();
  });

  it('shows the error panel when the whole status request fails', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'Not allowed: delivery.status.read',
          },
          request: { method: 'GET', url: '/status' },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'Content-Type': 'application/json' },
        },
      ),
    );
    await renderOnEntityPage(<BuildStatusCard />, {
      api: mockDeliveryApi(error),
    });

    expect(
      (await screen.findAllByText(/Not allowed: delivery.status.read/)).length,
    ).toBeGreaterThan(0);
  });
});
