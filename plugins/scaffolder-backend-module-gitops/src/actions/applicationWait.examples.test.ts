import { examples } from './applicationWait.examples';
import {
  exampleInputs,
  offlineActions,
  runDry,
} from './__testUtils__/examples';

describe('argocd:application:wait examples', () => {
  const action = offlineActions().wait;
  const cases = exampleInputs(examples, 'argocd:application:wait');

  it('has examples', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(c => [c.description, c.input]))(
    'runs "%s" through the handler (dry run, no upstream)',
    async (_description, input) => {
      const { outputs } = await runDry(action, input);
      expect(outputs).toEqual({
        revision: expect.stringMatching(/^[0-9a-f]{40}$/),
        health: 'Healthy',
        syncStatus: 'Synced',
      });
    },
  );
});
