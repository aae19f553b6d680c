import { examples } from './irsaRoleDelete.examples';
import { createIrsaRoleCreateAction } from './irsaRoleCreate';
import { createIrsaRoleDeleteAction } from './irsaRoleDelete';
import { exampleInputs } from './__testUtils__/examples';
import {
  actionContext,
  serviceAccess,
  AwsHarness,
  startAwsHarness,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

describe('aws:iam:irsa-role:delete examples', () => {
  let h: AwsHarness;
  beforeAll(async () => {
    h = await startAwsHarness();
  });
  afterAll(() => h.stop());

  it.each(examples.map(e => [e.description, e.example]))(
    'runs: %s',
    async (_, yaml) => {
      const create = createIrsaRoleCreateAction({
        clients: h.clients,
        access: serviceAccess().access,
      });
      const action = createIrsaRoleDeleteAction({
        clients: h.clients,
        access: serviceAccess().access,
      });
      for (const input of exampleInputs(yaml, action.id)) {
        await create.handler(
          actionContext({
            name: input.name,
            namespace: 'examples',
            policies: ['s3-read-reports'],
          }).ctx,
        );
        const { ctx, outputs } = actionContext(input);
        await action.handler(ctx);
        expect(outputs).toEqual({ roleName: input.name, deleted: true });
        expect(h.sb.aws.getRole(input.name as string)).toBeUndefined();
      }
    },
  );
});
