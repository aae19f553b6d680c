/* eslint-disable jest/no-export -- the shared body of every *.examples.test.ts */
import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { exampleInputs, offlineActions, runDry } from './examples';

/**
 * The examples test of one action: it has examples, and each example's input
 * runs through the handler as a dry run (no upstream), giving `expected`.
 */
export function describeDryRunExamples(options: {
  actionId: string;
  action:
    | 'register'
    | 'pin'
    | 'unregister'
    | 'create'
    | 'wait'
    | 'remove'
    | 'publish';
  examples: TemplateExample[];
  expected: (input: any) => Record<string, unknown>;
}) {
  describe(`${options.actionId} examples`, () => {
    const action = offlineActions()[options.action];
    const cases = exampleInputs(options.examples, options.actionId);

    it('has examples', () => {
      expect(cases.length).toBeGreaterThan(0);
    });

    it.each(cases.map(c => [c.description, c.input]))(
      'runs "%s" through the handler (dry run, no upstream)',
      async (_description, input) => {
        const { outputs } = await runDry(action, input);
        expect(outputs).toEqual(options.expected(input));
      },
    );
  });
}
