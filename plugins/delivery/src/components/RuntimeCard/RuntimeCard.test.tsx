import { screen, within } from '@testing-library/react';
import type { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';
import { sampleRuntime, sampleStatus } from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { RuntimeCard } from './RuntimeCard';

function withRuntime(): DeliveryStatus {
  return { ...sampleStatus(), runtime: sampleRuntime() };
}

async function findEnvironment(environment: string) {
  return screen.findByRole('region', { name: `Runtime in ${environment}` });
}

describe('RuntimeCard', () => {
  it('leads with what fails: Degraded, CrashLoopBackOff and the restarts with the last termination', async () => {
    await renderOnEntityPage(<RuntimeCard />, {
      api: mockDeliveryApi(withRuntime()),
    });

    const dev = await findEnvironment('dev');
    expect(within(dev).getByText('Degraded')).toBeInTheDocument();
    expect(dev).toHaveTextContent('Deployment payments-api');
    expect(within(dev).getByText('1 of 2 pods ready')).toBeInTheDocument();
    const problems = within(dev).getByRole('list', { name: 'Problems in dev' });
    expect(
      within(problems)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'Deployment payments-api is Degraded: Deployment "payments-api" exceeded its progress deadline',
      '1 pod in CrashLoopBackOff',
      '7 restarts (3 in the last hour); last Error (exit 1) in payments-api-7d9f8b6c5-fghij, 2 minutes ago',
    ]);

    // The crash-looping pod heads the pod list, with its restarts.
    const pods = within(dev).getByRole('table', { name: 'Pods in dev' });
    const [, first, second] = within(pods).getAllByRole('row');
    expect(first).toHaveTextContent('payments-api-7d9f8b6c5-fghij');
    expect(first).toHaveTextContent('CrashLoopBackOff');
    expect(first).toHaveTextContent('last Error (exit 1) 2 minutes ago');
    expect(within(first).getByText('0/1')).toBeInTheDocument();
    expect(within(first).getByText('7')).toBeInTheDocument();
    expect(second).toHaveTextContent('payments-api-7d9f8b6c5-abcde');
  });

  it('keeps the HPA target in view when the metrics are not there', async () => {
    const status = withRuntime();
    const dev = status.runtime!.data!.environments[0];
    dev.hpa = { ...dev.hpa!, currentCpuPercent: undefined };
    await renderOnEntityPage(<RuntimeCard />, {
      api: mockDeliveryApi(status),
    });
    expect(
      within(await findEnvironment('dev')).getByLabelText('Autoscaler'),
    ).toHaveTextContent('CPU target 70%, no reading yet (metrics unavailable)');
  });

  it('shows the HPA figures, the self-heals and the warning events', async () => {
    await renderOnEntityPage(<RuntimeCard />, {
      api: mockDeliveryApi(withRuntime()),
    });

    const dev = await findEnvironment('dev');
    expect(within(dev).getByLabelText('Autoscaler')).toHaveTextContent(
      'Autoscaler: 2 replicas, wants 3 of 2–5 · CPU 85% (target 70%) · scaled 15 minutes ago',
    );
    expect(dev).toHaveTextContent(
      'Argo CD put drifted objects back (self-heal) 2 times in a row, last 45 minutes ago',
    );
    const events = within(dev).getByRole('table', {
      name: 'Warning events in dev',
    });
    const [, event] = within(events).getAllByRole('row');
    expect(
      within(event)
        .getAllByRole('cell')
        .map(c => c.textContent),
    ).toEqual([
      'BackOff',
      'Pod/payments-api-7d9f8b6c5-fghij',
      'Back-off restarting failed container payments-api',
      '23',
      '1 minute ago',
    ]);

    const prod = await findEnvironment('prod');
    expect(within(prod).getByLabelText('Autoscaler')).toHaveTextContent(
      'Autoscaler: 3 replicas of 3–10 · CPU 30% (target 70%)',
    );
  });

  it('shows a healthy environment without problems, and the canary pods by role', async () => {
    await renderOnEntityPage(<RuntimeCard />, {
      api: mockDeliveryApi(withRuntime()),
    });

    const staging = await findEnvironment('staging');
    expect(staging).toHaveTextContent('Rollout payments-api');
    expect(within(staging).getByText('4 of 4 pods ready')).toBeInTheDocument();
    expect(
      within(staging).queryByRole('list', { name: 'Problems in staging' }),
    ).not.toBeInTheDocument();
    expect(
      within(staging).queryByRole('table', {
        name: 'Warning events in staging',
      }),
    ).not.toBeInTheDocument();
    const pods = within(staging).getByRole('table', {
      name: 'Pods in staging',
    });
    const roles = within(pods)
      .getAllByRole('row')
      .slice(1)
      .map(row => within(row).getAllByRole('cell').at(-1)!.textContent);
    expect(roles.sort()).toEqual(['canary', 'stable', 'stable', 'stable']);
  });

  it('renders a status without runtime (an older backend) without crashing', async () => {
    await renderOnEntityPage(<RuntimeCard />, {
      api: mockDeliveryApi(sampleStatus()),
    });

    expect(
      await screen.findByText(
        'The delivery backend does not report what runs (an older version)',
      ),
    ).toBeInTheDocument();
  });

  it('says Argo CD is unavailable when the runtime section failed', async () => {
    const status = sampleStatus();
    status.runtime = {
      state: 'error',
      error: { kind: 'upstream', message: 'Argo CD sandbox timed out' },
    };
    await renderOnEntityPage(<RuntimeCard />, {
      api: mockDeliveryApi(status),
    });

    expect(
      await screen.findByText(/Argo CD unavailable: Argo CD sandbox timed out/),
    ).toBeInTheDocument();
  });
});
