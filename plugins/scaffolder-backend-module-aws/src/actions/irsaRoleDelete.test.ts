import { ConflictError, InputError } from '@backstage/errors';
import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';
import { createIrsaRoleCreateAction } from './irsaRoleCreate';
import { createIrsaRoleDeleteAction } from './irsaRoleDelete';
import {
  actionContext,
  serviceAccess,
  AwsHarness,
  CLUSTER,
  startAwsHarness,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

const TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
};

describe('aws:iam:irsa-role:delete', () => {
  let h: AwsHarness;
  let create: ReturnType<typeof createIrsaRoleCreateAction>;
  let action: ReturnType<typeof createIrsaRoleDeleteAction>;

  beforeAll(async () => {
    h = await startAwsHarness();
    create = createIrsaRoleCreateAction({
      clients: h.clients,
      access: serviceAccess().access,
    });
    action = createIrsaRoleDeleteAction({
      clients: h.clients,
      access: serviceAccess().access,
    });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.sb.faults.clear();
    h.sb.faults.resetCounters();
  });

  it.each([
    ['an uppercase name', { name: 'Orders' }],
    ['a wildcard in the name', { name: 'orders-*' }],
    ["a ':' in the name", { name: 'a:b' }],
  ])('refuses %s with InputError before any AWS call', async (_, input) => {
    await expect(
      action.handler(actionContext(input).ctx),
    ).rejects.toBeInstanceOf(InputError);
    expect(h.sb.faults.total('aws')).toBe(0);
  });

  it('deletes the inline policy, the owned pod identity association, then the role', async () => {
    const made = actionContext({
      name: 'bye-api',
      namespace: 'bye',
      mode: 'pod-identity',
      policies: ['s3-read-reports'],
    });
    await create.handler(made.ctx);
    const { ctx, outputs, logger } = actionContext({ name: 'bye-api' });
    await action.handler(ctx);

    expect(outputs).toEqual({ roleName: 'bye-api', deleted: true });
    expect(h.sb.aws.getRole('bye-api')).toBeUndefined();
    expect(
      h.sb.aws
        .podIdentityAssociations(CLUSTER)
        .filter(a => a.roleArn.endsWith('/bye-api')),
    ).toEqual([]);
    const counters = h.sb.faults.counters().aws!;
    expect(counters['iam:DeleteRolePolicy']).toBe(1);
    expect(counters['eks:DeletePodIdentityAssociation']).toBe(1);
    expect(logger.lines.join('\n')).toContain(
      'Deleted IAM role arn:aws:iam::123456789012:role/slipway/bye-api',
    );
  });

  it('treats a missing role as success, with a log line', async () => {
    const { ctx, outputs, logger } = actionContext({ name: 'never-role' });
    await action.handler(ctx);
    expect(outputs).toEqual({ roleName: 'never-role', deleted: false });
    expect(logger.lines.join('\n')).toContain(
      'does not exist; nothing to delete',
    );
  });

  it.each([
    ['without the owner tag', {}],
    [
      "with another service's owner tag",
      { [OWNER_TAG]: 'component:default/other' },
    ],
  ])(
    'refuses a role %s and leaves it and its policies in place',
    async (_, tags) => {
      const name = `kept-role-${Object.keys(tags).length}`;
      h.sb.aws.ensureRole(name, TRUST, { tags });
      const err = await action
        .handler(actionContext({ name }).ctx)
        .catch(e => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.message).toContain(OWNER_TAG);
      expect(h.sb.aws.getRole(name)).toBeDefined();
      const counters = h.sb.faults.counters().aws!;
      expect(counters['iam:DeleteRole']).toBeUndefined();
      expect(counters['iam:DeleteRolePolicy']).toBeUndefined();
    },
  );

  it('dry run: plausible outputs and no AWS call', async () => {
    h.sb.aws.ensureRole('dry-bye', TRUST, {
      tags: { [OWNER_TAG]: 'component:default/dry-bye' },
    });
    h.sb.faults.resetCounters();
    const { ctx, outputs } = actionContext(
      { name: 'dry-bye' },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(outputs).toEqual({ roleName: 'dry-bye', deleted: true });
    expect(h.sb.faults.total('aws')).toBe(0);
    expect(h.sb.aws.getRole('dry-bye')).toBeDefined();
  });
});
