import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import type { ReleaseResult } from '@internal/backstage-plugin-delivery-common';
import { sampleEntityRef, sampleStatus } from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { DeliveryContent } from './DeliveryContent';

describe('DeliveryContent', () => {
  it('shows each commit with its six hops, their states, durations, details and the total', async () => {
    await renderOnEntityPage(<DeliveryContent />, {
      api: mockDeliveryApi(sampleStatus()),
    });

    const running = await screen.findByRole('listitem', {
      name: 'Commit 3f2a1bc',
    });
    expect(
      within(running).getByText('Accept SEPA transfers'),
    ).toBeInTheDocument();
    expect(within(running).getByText(/^Ada, /)).toBeInTheDocument();
    expect(
      within(running).getByRole('listitem', { name: 'Built: done' }),
    ).toHaveTextContent('4 min');
    expect(
      within(running).getByRole('listitem', { name: 'Built: done' }),
    ).toHaveTextContent('build #42');
    expect(
      within(running).getByRole('listitem', { name: 'Image pushed: done' }),
    ).toHaveTextContent('3f2a1bc-42 (2 critical, 1 high)');
    expect(
      within(running).getByRole('listitem', { name: 'Tag bumped: done' }),
    ).toHaveTextContent('30 s');
    expect(
      within(running).getByRole('link', { name: /^Tag bumped/ }),
    ).toHaveAttribute(
      'href',
      'http://127.0.0.1:7071/slipway-demo/helm-charts/commit/a1b2c3d',
    );
    expect(
      within(running).getByRole('listitem', { name: 'Synced: running' }),
    ).toBeInTheDocument();
    expect(
      within(running).getByRole('listitem', { name: 'Healthy: pending' }),
    ).toBeInTheDocument();
    expect(within(running).getByText('Total: —')).toBeInTheDocument();

    const done = screen.getByRole('listitem', { name: 'Commit 9e8d7c6' });
    expect(
      within(done).getByRole('listitem', { name: 'Healthy: done' }),
    ).toHaveTextContent('1 min 1 s');
    expect(within(done).getByText('Total: 9 min 1 s')).toBeInTheDocument();
  });

  it("shows DORA's keys per window (rollbacks as rework), '—' where a key is undefined, and the basis", async () => {
    await renderOnEntityPage(<DeliveryContent />, {
      api: mockDeliveryApi(sampleStatus()),
    });

    const table = await screen.findByRole('table', { name: 'DORA keys' });
    const row = (name: string) =>
      within(within(table).getByText(name).closest('tr')!)
        .getAllByRole('cell')
        .slice(1);
    // Columns: 7, 30, 90 days. The 7-day window has no deployments.
    // The first cell is the key's name and explanation.
    expect(row('Deployment frequency').map(c => c.textContent)).toEqual([
      'none',
      '1.2/week (5)',
      '1.4/week (18)',
    ]);
    expect(row('Lead time for changes').map(c => c.textContent)).toEqual([
      '—',
      '1 h 30 min',
      '2 h',
    ]);
    expect(row('Change failure rate').map(c => c.textContent)).toEqual([
      '—',
      '20% (1/5)',
      '11% (2/18)',
    ]);
    expect(row('Time to restore').map(c => c.textContent)).toEqual([
      '—',
      '30 min',
      '45 min',
    ]);
    expect(row('Rework rate').map(c => c.textContent)).toEqual([
      '—',
      '17% (1/6)',
      '10% (2/20)',
    ]);
    expect(
      screen.getByText(/Basis: Argo CD sync history of payments-api-prod/),
    ).toBeInTheDocument();
  });

  it('rolls back only after the confirm dialog names the change, then links the commit', async () => {
    const api = mockDeliveryApi(sampleStatus());
    const result: ReleaseResult = {
      commitSha: 'c0ffee1234567890',
      commitUrl:
        'http://127.0.0.1:7071/slipway-demo/helm-charts/commit/c0ffee1234567890',
      environment: 'dev',
      fromTag: '3f2a1bc-42',
      toTag: '9e8d7c6-40',
    };
    api.rollback.mockResolvedValue(result);
    await renderOnEntityPage(<DeliveryContent />, { api });

    const rollback = await screen.findByRole('button', {
      name: 'Roll back dev',
    });
    await waitFor(() => expect(rollback).toBeEnabled());
    await userEvent.click(rollback);

    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        'Commit to helm-charts: dev from 3f2a1bc-42 back to 9e8d7c6-40',
      ),
    ).toBeInTheDocument();
    expect(api.rollback).not.toHaveBeenCalled();

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back' }),
    );

    await waitFor(() =>
      expect(api.rollback).toHaveBeenCalledWith({
        entityRef: sampleEntityRef,
        environment: 'dev',
      }),
    );
    const message = await screen.findByRole('status');
    expect(message).toHaveTextContent('dev: 3f2a1bc-42 → 9e8d7c6-40');
    expect(
      within(message).getByRole('link', { name: /c0ffee1/ }),
    ).toHaveAttribute('href', result.commitUrl);
    // The page refreshes so the cards show the change on its way.
    await waitFor(() => expect(api.getStatus).toHaveBeenCalledTimes(2));
  });

  it('cancelling the confirm dialog calls nothing', async () => {
    const api = mockDeliveryApi(sampleStatus());
    await renderOnEntityPage(<DeliveryContent />, { api });

    const promote = await screen.findByRole('button', {
      name: 'Promote staging to prod',
    });
    await waitFor(() => expect(promote).toBeEnabled());
    await userEvent.click(promote);
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        'Commit to helm-charts: prod from 9e8d7c6-40 to 9e8d7c6-40 (running in staging)',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.promote).not.toHaveBeenCalled();
  });

  it('promotes to the next environment and shows the pull request, or the error when refused', async () => {
    const api = mockDeliveryApi(sampleStatus());
    api.promote
      .mockResolvedValueOnce({
        commitSha: 'abc1234def',
        pullRequestUrl: 'http://127.0.0.1:7071/slipway-demo/helm-charts/pull/7',
        environment: 'staging',
        fromTag: '9e8d7c6-40',
        toTag: '3f2a1bc-42',
      })
      .mockRejectedValueOnce(
        await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: {
                name: 'ConflictError',
                message: 'prod already runs 9e8d7c6-40',
              },
              request: { method: 'POST', url: '/promote' },
              response: { statusCode: 409 },
            }),
            {
              status: 409,
              statusText: 'Conflict',
              headers: { 'Content-Type': 'application/json' },
            },
          ),
        ),
      );
    await renderOnEntityPage(<DeliveryContent />, { api });

    const promoteDev = await screen.findByRole('button', {
      name: 'Promote dev to staging',
    });
    await waitFor(() => expect(promoteDev).toBeEnabled());
    await userEvent.click(promoteDev);
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Promote',
      }),
    );
    // The tag the page showed running in dev: the backend refuses if dev moved since.
    expect(api.promote).toHaveBeenCalledWith({
      entityRef: sampleEntityRef,
      from: 'dev',
      to: 'staging',
      tag: '3f2a1bc-42',
    });
    expect(
      await screen.findByRole('link', { name: /^Pull request opened/ }),
    ).toHaveAttribute(
      'href',
      'http://127.0.0.1:7071/slipway-demo/helm-charts/pull/7',
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Promote staging to prod' }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Promote',
      }),
    );
    expect(
      await screen.findByText(/Promotion failed: prod already runs 9e8d7c6-40/),
    ).toBeInTheDocument();
  });
});
