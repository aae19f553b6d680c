import { examples } from './irsaRoleCreate.examples';
import { createIrsaRoleCreateAction } from './irsaRoleCreate';
import { exampleInputs } from './__testUtils__/examples';
import {
  actionContext,
  AwsHarness,
  startAwsHarness,
  serviceAccess,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

describe('aws:iam:irsa-role:create examples', () => {
  let h: AwsHarness;
  beforeAll(async () => {
    h = await startAwsHarness();
  });
  afterAll(() => h.stop());

  it.each(examples.map(e => [e.description, e.example]))(
    'runs: %s',
    async (_, yaml) => {
      const action = createIrsaRoleCreateAction({
        clients: h.clients,
        access: serviceAccess().access,
      });
      for (const input of exampleInputs(yaml, action.id)) {
        const { ctx, outputs } = actionContext(input);
        await action.handler(ctx);
        expect(outputs.roleArn).toBe(
          `arn:aws:iam::123456789012:role/slipway/${input.name}`,
        );
        expect(typeof outputs.associationId).toBe(
          input.mode === 'pod-identity' ? 'string' : 'undefined',
        );
        expect(
          h.sb.aws.getRole(input.name as string)?.permissionsBoundary,
        ).toBeDefined();
      }
    },
  );
});
