import { examples } from './applicationDelete.examples';
import {
  exampleInputs,
  offlineActions,
  runDry,
} from './__testUtils__/examples';

describe('argocd:application:delete examples', () => {
  const action = offlineActions().remove;
  const cases = exampleInputs(examples, 'argocd:application:delete');

  it('has examples', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(c => [c.description, c.input]))(
    'runs "%s" through the handler (dry run, no upstream)',
    async (_description, input) => {
      const { outputs } = await runDry(action, input);
      expect(outputs).toEqual({ deleted: true });
    },
  );
});
