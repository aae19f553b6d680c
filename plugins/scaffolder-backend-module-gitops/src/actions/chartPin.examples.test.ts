import { examples } from './chartPin.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'gitops:chart:pin',
  action: 'pin',
  examples,
  // The first environment is the source; every later one is pinned.
  expected: () => ({ pinned: ['staging', 'prod'] }),
});
