import { examples } from './chartRegister.examples';
import {
  exampleInputs,
  offlineActions,
  runDry,
} from './__testUtils__/examples';

describe('gitops:chart:register examples', () => {
  const action = offlineActions().register;
  const cases = exampleInputs(examples, 'gitops:chart:register');

  it('has examples', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(c => [c.description, c.input]))(
    'runs "%s" through the handler (dry run, no upstream)',
    async (_description, input) => {
      const { outputs } = await runDry(action, input);
      expect(outputs).toEqual({
        commitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
        chartPath: `charts/${input.name}`,
      });
    },
  );
});
