import { examples } from './repositoryPublish.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'slipway:repository:publish',
  action: 'publish',
  examples,
  expected: () => ({
    remoteUrl: 'https://github.invalid/acme/orders',
    repoContentsUrl: 'https://github.invalid/acme/orders/blob/main',
    commitHash: '0'.repeat(40),
    created: true,
  }),
});
