import { examples } from './chartUnregister.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'gitops:chart:unregister',
  action: 'unregister',
  examples,
  expected: () => ({
    commitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
    removed: true,
  }),
});
