import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';
import { examples } from './ecrDelete.examples';
import { createEcrDeleteAction } from './ecrDelete';
import { exampleInputs } from './__testUtils__/examples';
import {
  actionContext,
  serviceAccess,
  AwsHarness,
  startAwsHarness,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

describe('aws:ecr:delete examples', () => {
  let h: AwsHarness;
  beforeAll(async () => {
    h = await startAwsHarness();
  });
  afterAll(() => h.stop());

  it.each(examples.map(e => [e.description, e.example]))(
    'runs: %s',
    async (_, yaml) => {
      const action = createEcrDeleteAction({
        clients: h.clients,
        access: serviceAccess().access,
      });
      for (const input of exampleInputs(yaml, action.id)) {
        const name = (input.repositoryName ?? input.name) as string;
        h.sb.aws.ensureRepository(name, {
          [OWNER_TAG]: `component:default/${input.name}`,
        });
        if (input.force) h.sb.aws.putImage(name, 'abc1234-1');
        const { ctx, outputs } = actionContext(input);
        await action.handler(ctx);
        expect(outputs).toEqual({ repositoryName: name, deleted: true });
      }
    },
  );
});
