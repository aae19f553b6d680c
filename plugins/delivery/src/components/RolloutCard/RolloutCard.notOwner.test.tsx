import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { sampleRuntime, sampleStatus } from '../../__testUtils__/status';
import {
  mockDeliveryApi,
  renderOnEntityPage,
} from '../../__testUtils__/render';
import { RolloutCard } from './RolloutCard';

// usePermission caches decisions per (permission, resourceRef) for the
// whole test file (SWR), so the denied case has a file of its own.
describe('RolloutCard for someone who does not own the service', () => {
  it('enables no action, says why, and never calls the API', async () => {
    const api = mockDeliveryApi({
      ...sampleStatus(),
      runtime: sampleRuntime(),
    });
    await renderOnEntityPage(<RolloutCard />, {
      api,
      authorize: AuthorizeResult.DENY,
    });

    // Wait for the decision itself, not the disabled state of "still asking".
    expect(await screen.findByRole('note')).toHaveTextContent(
      "You may not act on this service's canaries: only its owners",
    );
    const staging = screen.getByRole('region', { name: 'Rollout in staging' });
    const buttons = within(staging).getAllByRole('button');
    expect(buttons.map(b => b.getAttribute('aria-label'))).toEqual([
      'Promote in staging',
      'Promote full in staging',
      'Abort in staging',
    ]);
    buttons.forEach(button => expect(button).toBeDisabled());
    expect(
      within(staging).getAllByTitle(
        "You may not act on this service's canaries",
      ),
    ).toHaveLength(3);

    await userEvent.click(buttons[0], { pointerEventsCheck: 0 });
    await userEvent.click(buttons[2], { pointerEventsCheck: 0 });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.rolloutAction).not.toHaveBeenCalled();
  });
});
