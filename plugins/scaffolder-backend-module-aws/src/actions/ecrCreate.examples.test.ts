import { examples } from './ecrCreate.examples';
import { createEcrCreateAction } from './ecrCreate';
import { exampleInputs } from './__testUtils__/examples';
import {
  actionContext,
  AwsHarness,
  startAwsHarness,
  serviceAccess,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

describe('aws:ecr:create examples', () => {
  let h: AwsHarness;
  beforeAll(async () => {
    h = await startAwsHarness();
  });
  afterAll(() => h.stop());

  it.each(examples.map(e => [e.description, e.example]))(
    'runs: %s',
    async (_, yaml) => {
      const action = createEcrCreateAction({
        clients: h.clients,
        access: serviceAccess().access,
      });
      for (const input of exampleInputs(yaml, action.id)) {
        const { ctx, outputs } = actionContext(input);
        await action.handler(ctx);
        const name = (input.repositoryName ?? input.name) as string;
        expect(outputs.repositoryName).toBe(name);
        expect(outputs.repositoryUri).toBe(
          `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}`,
        );
      }
    },
  );
});
