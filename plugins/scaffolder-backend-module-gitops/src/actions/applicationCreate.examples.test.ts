import { examples } from './applicationCreate.examples';
import {
  exampleInputs,
  offlineActions,
  runDry,
} from './__testUtils__/examples';

describe('argocd:application:create examples', () => {
  const action = offlineActions().create;
  const cases = exampleInputs(examples, 'argocd:application:create');

  it('has examples', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(c => [c.description, c.input]))(
    'runs "%s" through the handler (dry run, no upstream)',
    async (_description, input) => {
      const { outputs } = await runDry(action, input);
      expect(outputs).toEqual({
        appName: input.name,
        appUrl: `https://argocd.invalid/applications/argocd/${input.name}`,
        instance: 'sandbox',
      });
    },
  );
});
