import { examples } from './applicationCreate.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'argocd:application:create',
  action: 'create',
  examples,
  expected: input => ({
    appName: input.name,
    appUrl: `https://argocd.invalid/applications/argocd/${input.name}`,
    instance: 'sandbox',
  }),
});
