import { examples } from './applicationDelete.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'argocd:application:delete',
  action: 'remove',
  examples,
  expected: () => ({ deleted: true }),
});
