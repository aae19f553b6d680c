import { examples } from './chartRegister.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'gitops:chart:register',
  action: 'register',
  examples,
  expected: input => ({
    commitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
    chartPath: `charts/${input.name}`,
  }),
});
