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
  it('offers no rollback of an environment that follows the shared values.yaml, and says why', async () => {
    const status = sampleStatus();
    // staging has a tag of its own (promoted); prod still follows values.yaml.
    status.gitops.data!.changes.unshift({
      sha: 'c3d4e5f6a7b8',
      message: 'promote(payments-api): 9e8d7c6-40 from dev to staging',
      committedAt: status.generatedAt,
      url: 'http://127.0.0.1:7071/slipway-demo/helm-charts/commit/c3d4e5f6a7b8',
      kind: 'promote',
      tag: '9e8d7c6-40',
      environment: 'staging',
    });
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
        'prod follows the tag CI sets for dev: roll back dev, or promote a tag into prod first',
      ),
    ).toBeInTheDocument();
  });
});
