import { screen, waitFor } from '@testing-library/react';
import { sampleEntityRef, sampleStatus } from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { EnvironmentActions } from './EnvironmentActions';

// A file of its own: usePermission caches decisions for the whole file, and
// the other file denies them.
describe('EnvironmentActions for environments that follow CI', () => {
  it('offers rollback only where the status says it is possible, and says why not', async () => {
    const status = sampleStatus();
    // As the backend decides it: staging has tags of its own (promoted
    // twice) and can go back; prod still follows values.yaml.
    status.releases[1] = {
      ...status.releases[1],
      pinned: true,
      rollback: { possible: true, fromTag: '9e8d7c6-40', toTag: '7d6c5b4-38' },
    };
    await renderOnEntityPage(
      <EnvironmentActions entityRef={sampleEntityRef} status={status} />,
      { api: mockDeliveryApi(status) },
    );
    // Enabled once the permission decision has arrived.
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Roll back staging' }),
      ).toBeEnabled(),
    );
    expect(screen.getByRole('button', { name: 'Roll back dev' })).toBeEnabled();
    expect(
      screen.getByRole('button', { name: 'Roll back prod' }),
    ).toBeDisabled();
    expect(
      screen.getByTitle(
        'prod follows the tag CI sets in charts/payments-api/values.yaml for dev; roll back dev, or promote a tag into prod first',
      ),
    ).toBeInTheDocument();
  });
});
