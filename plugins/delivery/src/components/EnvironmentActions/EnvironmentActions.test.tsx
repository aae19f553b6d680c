import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { sampleEntityRef, sampleStatus } from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { EnvironmentActions } from './EnvironmentActions';
import { promoteSentence, releaseOf, rollbackSentence } from './releasePlan';

// usePermission caches decisions per (permission, resourceRef) for the
// whole test file (SWR), so the denied case has a file of its own.
describe('EnvironmentActions', () => {
  it('disables rollback and promote without the permissions and never calls the API', async () => {
    const api = mockDeliveryApi(sampleStatus());
    await renderOnEntityPage(
      <EnvironmentActions
        entityRef={sampleEntityRef}
        status={sampleStatus()}
      />,
      { api, authorize: AuthorizeResult.DENY },
    );

    // Wait for the decisions themselves, not the disabled state of "still asking".
    expect(
      await screen.findAllByTitle('You may not roll back this service'),
    ).toHaveLength(3);
    expect(
      await screen.findAllByTitle('You may not promote this service'),
    ).toHaveLength(2);
    // Said once, in words, not only in tooltips.
    expect(screen.getByRole('note')).toHaveTextContent(
      'You may not roll back or promote this service: only its owners',
    );
    const rollback = screen.getByRole('button', { name: 'Roll back dev' });
    expect(rollback).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Promote dev to staging' }),
    ).toBeDisabled();
    await userEvent.click(rollback, { pointerEventsCheck: 0 });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.rollback).not.toHaveBeenCalled();
  });

  it('offers no promotion from the last environment', async () => {
    await renderOnEntityPage(
      <EnvironmentActions
        entityRef={sampleEntityRef}
        status={sampleStatus()}
      />,
      { api: mockDeliveryApi(sampleStatus()) },
    );
    expect(
      await screen.findByRole('button', { name: 'Roll back prod' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /^Promote prod/ }),
    ).not.toBeInTheDocument();
  });
});

describe('releasePlan', () => {
  it('phrases what the backend decided a rollback and a promotion do', () => {
    const status = sampleStatus();
    expect(rollbackSentence(releaseOf(status, 'dev'))).toBe(
      'Commit to helm-charts: dev from 3f2a1bc-42 back to 9e8d7c6-40',
    );
    expect(
      promoteSentence(releaseOf(status, 'dev'), releaseOf(status, 'staging')),
    ).toBe(
      'Commit to helm-charts: staging from 9e8d7c6-40 to 3f2a1bc-42 (running in dev)',
    );
  });

  it('says so plainly when the status does not name the tags', () => {
    const status = sampleStatus();
    status.releases = [];
    expect(rollbackSentence(releaseOf(status, 'dev'))).toBe(
      'Commit to helm-charts: the environment from its current tag back to the previous tag',
    );
  });
});
