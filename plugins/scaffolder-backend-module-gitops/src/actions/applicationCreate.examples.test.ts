import { examples } from './applicationCreate.examples';
import { describeDryRunExamples } from './__testUtils__/describeExamples';

describeDryRunExamples({
  actionId: 'argocd:application:create',
  action: 'create',
  examples,
  expected: input => {
    // The sandbox config's environments, in promotion order.
    const chosen: string[] = input.environments ?? [input.environment ?? 'dev'];
    const applications = ['dev', 'staging', 'prod']
      .filter(e => chosen.includes(e))
      .map(environment => ({
        environment,
        appName: `${input.name}-${environment}`,
        appUrl: `https://argocd.invalid/applications/argocd/${input.name}-${environment}`,
        instance: 'sandbox',
      }));
    const { environment: _, ...first } = applications[0];
    return { ...first, applications };
  },
});
