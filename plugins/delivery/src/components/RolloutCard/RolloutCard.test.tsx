import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import type { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';
import {
  sampleEntityRef,
  sampleRuntime,
  sampleStatus,
} from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { RolloutCard } from './RolloutCard';

/** The sample status with its runtime: a canary paused at step 2 of 4 in staging. */
function withRuntime(): DeliveryStatus {
  return { ...sampleStatus(), runtime: sampleRuntime() };
}

function stagingRollout(status: DeliveryStatus) {
  return status.runtime!.data!.environments.find(
    e => e.environment === 'staging',
  )!.rollout!;
}

/** The rollout of one environment, as the card shows it. */
async function findRollout(environment: string) {
  return screen.findByRole('region', { name: `Rollout in ${environment}` });
}

// Every test here is allowed to act; the non-owner has a file of its own
// (usePermission caches its decision for the whole file).
describe('RolloutCard', () => {
  it('shows a paused canary: step 2 of 4 highlighted, weight, why it waits, images, analysis and the offered actions', async () => {
    await renderOnEntityPage(<RolloutCard />, {
      api: mockDeliveryApi(withRuntime()),
    });

    const staging = await findRollout('staging');
    expect(within(staging).getByText('Step 2 of 4')).toBeInTheDocument();
    expect(staging).toHaveTextContent('canary weight 20%');
    expect(staging).toHaveTextContent(
      'Paused since 12 minutes ago: waiting for a promotion',
    );
    const steps = within(staging).getByRole('list', {
      name: 'Steps in staging',
    });
    const current = within(steps)
      .getAllByRole('listitem')
      .filter(li => li.getAttribute('aria-current') === 'step');
    expect(current.map(li => li.textContent)).toEqual(['pause until promoted']);
    expect(staging).toHaveTextContent('Stable 9e8d7c6-40 · canary 3f2a1bc-42');
    expect(
      within(staging).getByRole('list', { name: 'Analysis runs in staging' }),
    ).toHaveTextContent('Running payments-api-7d9f8b6c5-3-1');

    expect(
      await within(staging).findByRole('button', {
        name: 'Promote in staging',
      }),
    ).toBeEnabled();
    expect(
      within(staging).getByRole('button', { name: 'Promote full in staging' }),
    ).toBeEnabled();
    expect(
      within(staging).getByRole('button', { name: 'Abort in staging' }),
    ).toBeEnabled();
    // Argo CD does not offer Retry on a canary that was not aborted.
    expect(
      within(staging).queryByRole('button', { name: 'Retry in staging' }),
    ).not.toBeInTheDocument();
    // dev and prod deploy with a rolling update: not listed.
    expect(
      screen.queryByRole('region', { name: 'Rollout in dev' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Rollout in prod' }),
    ).not.toBeInTheDocument();
  });

  it('promotes without a confirm, posts resume for that environment and refreshes the status', async () => {
    const api = mockDeliveryApi(withRuntime());
    api.rolloutAction.mockResolvedValue({
      entityRef: sampleEntityRef,
      environment: 'staging',
      action: 'resume',
      rollout: 'payments-api',
    });
    await renderOnEntityPage(<RolloutCard />, { api });

    const promote = await screen.findByRole('button', {
      name: 'Promote in staging',
    });
    await waitFor(() => expect(promote).toBeEnabled());
    await userEvent.click(promote);

    expect(api.rolloutAction).toHaveBeenCalledWith({
      entityRef: sampleEntityRef,
      environment: 'staging',
      action: 'resume',
    });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => expect(api.getStatus).toHaveBeenCalledTimes(2));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Promoted: the canary goes on to its next step (Rollout payments-api in staging)',
    );
    // The refreshed status still says "paused" (the controller has not acted
    // yet): no second Promote that would skip the next pause.
    expect(screen.getByRole('status')).toHaveTextContent(
      'waiting for Argo Rollouts to act on it',
    );
    expect(
      screen.getByRole('button', { name: 'Promote in staging' }),
    ).toBeDisabled();
  });

  it('aborts only after the confirm dialog, and shows the backend refusal', async () => {
    const api = mockDeliveryApi(withRuntime());
    api.rolloutAction.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'ConflictError',
              message:
                'Argo CD does not offer abort on Rollout payments-api in staging now',
            },
            request: { method: 'POST', url: '/rollout' },
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
    await renderOnEntityPage(<RolloutCard />, { api });

    const abort = await screen.findByRole('button', {
      name: 'Abort in staging',
    });
    await waitFor(() => expect(abort).toBeEnabled());
    await userEvent.click(abort);
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Abort the canary in staging?');
    expect(dialog).toHaveTextContent('All the traffic goes back to 9e8d7c6-40');
    expect(api.rolloutAction).not.toHaveBeenCalled();

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Abort' }),
    );
    expect(api.rolloutAction).toHaveBeenCalledWith({
      entityRef: sampleEntityRef,
      environment: 'staging',
      action: 'abort',
    });
    expect(
      await screen.findByText(
        /Abort failed: Argo CD does not offer abort on Rollout payments-api in staging now/,
      ),
    ).toBeInTheDocument();
    // A refused action changes nothing: no refresh, and the buttons are back
    // (once the dialog has gone, the page is no longer aria-hidden).
    expect(api.getStatus).toHaveBeenCalledTimes(1);
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(
      screen.getByRole('button', { name: 'Abort in staging' }),
    ).toBeEnabled();
  });

  it('cancelling Promote full calls nothing', async () => {
    const api = mockDeliveryApi(withRuntime());
    await renderOnEntityPage(<RolloutCard />, { api });

    const full = await screen.findByRole('button', {
      name: 'Promote full in staging',
    });
    await waitFor(() => expect(full).toBeEnabled());
    await userEvent.click(full);
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      'Skips the remaining steps and analyses: 3f2a1bc-42 takes all the traffic at once',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.rolloutAction).not.toHaveBeenCalled();
  });

  it('shows an aborted canary with the reason, its failed analysis and Retry only', async () => {
    const status = withRuntime();
    const rollout = stagingRollout(status);
    Object.assign(rollout, {
      phase: 'Degraded',
      message:
        'RolloutAborted: Rollout aborted update to revision 3: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
      paused: false,
      pausedSince: undefined,
      pauseReason: undefined,
      aborted: true,
      canaryWeight: 0,
      currentStep: 0,
      actions: ['retry'],
      analysisRuns: [
        {
          name: 'payments-api-7d9f8b6c5-3-1',
          phase: 'Failed',
          message: 'Metric "success-rate" assessed Failed',
        },
      ],
    });
    const api = mockDeliveryApi(status);
    api.rolloutAction.mockResolvedValue({
      entityRef: sampleEntityRef,
      environment: 'staging',
      action: 'retry',
      rollout: 'payments-api',
    });
    await renderOnEntityPage(<RolloutCard />, { api });

    const staging = await findRollout('staging');
    expect(within(staging).getAllByText('Aborted')[0]).toBeInTheDocument();
    expect(staging).toHaveTextContent(
      'Aborted: RolloutAborted: Rollout aborted update to revision 3: Metric "success-rate" assessed Failed',
    );
    expect(staging).not.toHaveTextContent('Paused');
    expect(
      within(staging).getByRole('list', { name: 'Analysis runs in staging' }),
    ).toHaveTextContent('Failed payments-api-7d9f8b6c5-3-1 — Metric');
    const retry = await within(staging).findByRole('button', {
      name: 'Retry in staging',
    });
    expect(
      within(staging).queryByRole('button', { name: /^(Promote|Abort)/ }),
    ).not.toBeInTheDocument();

    await waitFor(() => expect(retry).toBeEnabled());
    await userEvent.click(retry);
    expect(api.rolloutAction).toHaveBeenCalledWith({
      entityRef: sampleEntityRef,
      environment: 'staging',
      action: 'retry',
    });
  });

  it('says all steps are done when the current step is past the last', async () => {
    const status = withRuntime();
    Object.assign(stagingRollout(status), {
      phase: 'Healthy',
      paused: false,
      pauseReason: undefined,
      currentStep: 4,
      canaryWeight: 0,
      actions: [],
    });
    await renderOnEntityPage(<RolloutCard />, {
      api: mockDeliveryApi(status),
    });

    const staging = await findRollout('staging');
    expect(within(staging).getByText('All 4 steps done')).toBeInTheDocument();
    expect(within(staging).queryByRole('button')).not.toBeInTheDocument();
    expect(
      within(staging)
        .getAllByRole('listitem')
        .some(li => li.getAttribute('aria-current')),
    ).toBe(false);
  });

  it('says in one line that a service without a canary deploys with a rolling update', async () => {
    const status = withRuntime();
    delete status.runtime!.data!.environments[1].rollout;
    await renderOnEntityPage(<RolloutCard />, {
      api: mockDeliveryApi(status),
    });

    expect(
      await screen.findByText(
        'No canary: this service deploys with a rolling update',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('renders a status without runtime (an older backend) without crashing', async () => {
    await renderOnEntityPage(<RolloutCard />, {
      api: mockDeliveryApi(sampleStatus()),
    });

    expect(
      await screen.findByText(
        'The delivery backend does not report canaries (an older version)',
      ),
    ).toBeInTheDocument();
  });
});
