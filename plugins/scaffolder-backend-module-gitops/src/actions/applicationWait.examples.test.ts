import { examples } from './applicationWait.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'argocd:application:wait',
  action: 'wait',
  examples,
  expected: () => ({
    revision: expect.stringMatching(/^[0-9a-f]{40}$/),
    health: 'Healthy',
    syncStatus: 'Synced',
  }),
});
