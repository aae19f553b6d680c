import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import {
  OWNER_TAG,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  AwsClients,
  EcrRepositories,
} from '@internal/backstage-plugin-delivery-node';
import { createEcrCreateAction } from './ecrCreate';
import {
  actionContext,
  AwsHarness,
  CheckpointStore,
  PULL_PRINCIPAL,
  recordingLogger,
  sandboxConfig,
  SECRET,
  startAwsHarness,
  serviceAccess,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

describe('aws:ecr:create', () => {
  let h: AwsHarness;
  let repos: EcrRepositories;
  let action: ReturnType<typeof createEcrCreateAction>;

  beforeAll(async () => {
    h = await startAwsHarness();
    repos = new EcrRepositories(h.clients);
    action = createEcrCreateAction({
      clients: h.clients,
      access: serviceAccess().access,
    });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.sb.faults.clear();
    h.sb.faults.resetCounters();
  });

  const ecrCalls = (op: string) =>
    h.sb.faults.counters().aws?.[`ecr:${op}`] ?? 0;

  it.each([
    ['an uppercase name', { name: 'Orders-Api' }],
    ['a name longer than 40 characters', { name: `a${'b'.repeat(40)}` }],
    ['a wildcard * in the name', { name: 'orders-*' }],
    ['a wildcard ? in the name', { name: 'orders-?' }],
    ["a ':' in the name", { name: 'orders:api' }],
    [
      "'..' in the repository name",
      { name: 'orders', repositoryName: 'a/../b' },
    ],
    [
      'a * in the repository name',
      { name: 'orders', repositoryName: 'team/*' },
    ],
    ['a missing name', {}],
    [
      'an unknown tag mutability',
      { name: 'orders', imageTagMutability: 'SOMETIMES' },
    ],
    [
      'a tag overriding the owner tag',
      { name: 'orders', tags: { [OWNER_TAG]: 'component:default/other' } },
    ],
    [
      "a tag key starting with 'aws:'",
      { name: 'orders', tags: { 'aws:x': 'y' } },
    ],
  ])('refuses %s with InputError before any AWS call', async (_, input) => {
    const { ctx } = actionContext(input as any);
    await expect(action.handler(ctx)).rejects.toBeInstanceOf(InputError);
    expect(h.sb.faults.total('aws')).toBe(0);
  });

  it('creates the repository with every setting from config and input, read back through the SDK', async () => {
    const { ctx, outputs } = actionContext({
      name: 'orders-api',
      tags: { team: 'payments' },
    });
    await action.handler(ctx);

    expect(outputs).toEqual({
      repositoryName: 'orders-api',
      repositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api',
      repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/orders-api',
    });
    const state = await repos.describe('orders-api');
    expect(state).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      scanOnPush: true,
      encryption: { type: 'AES256' },
      tags: { [OWNER_TAG]: 'component:default/orders-api', team: 'payments' },
    });
    expect(JSON.parse(state!.lifecyclePolicyText!)).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images after 5 days',
          selection: {
            tagStatus: 'untagged',
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: 5,
          },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'Keep the last 25 images',
          selection: {
            tagStatus: 'any',
            countType: 'imageCountMoreThan',
            countNumber: 25,
          },
          action: { type: 'expire' },
        },
      ],
    });
    const policy = JSON.parse(state!.repositoryPolicyText!);
    expect(policy.Statement).toEqual([
      {
        Sid: 'SlipwayPull',
        Effect: 'Allow',
        Principal: { AWS: [PULL_PRINCIPAL] },
        Action: [
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchCheckLayerAvailability',
        ],
      },
    ]);
    expect(ecrCalls('CreateRepository')).toBe(1);
  });

  it('is idempotent: a Retry of the same task takes back the repository it created, without creating another', async () => {
    const first = actionContext({ name: 'idem-api' });
    await action.handler(first.ctx);
    expect((await repos.describe('idem-api'))!.tags).toEqual({
      [OWNER_TAG]: 'component:default/idem-api',
      [TASK_TAG]: 'task-1',
    });
    h.sb.faults.resetCounters();

    const second = actionContext({ name: 'idem-api' });
    await action.handler(second.ctx);

    expect(second.outputs).toEqual(first.outputs);
    expect(ecrCalls('CreateRepository')).toBe(0);
    expect(second.logger.lines.join('\n')).toContain(
      'Took back (created by this task) ECR repository idem-api',
    );
  });

  it("a new run never takes over the service's existing repository: refused before any change", async () => {
    await action.handler(actionContext({ name: 'taken-api' }).ctx);
    const before = await repos.describe('taken-api');
    h.sb.faults.resetCounters();

    const err = await action
      .handler(actionContext({ name: 'taken-api' }, { task: 'task-2' }).ctx)
      .catch(e => e);

    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toContain(
      "ECR repository 'taken-api' already exists for component:default/taken-api and was not created by this run (task task-1 created it)",
    );
    expect(h.sb.faults.mutations()).toEqual({});
    expect(await repos.describe('taken-api')).toEqual(before);
  });

  it("refuses adopt from another team's member, audited, before any AWS call", async () => {
    h.sb.aws.ensureRepository('adopt-refused', {
      [OWNER_TAG]: 'component:default/adopt-refused',
    });
    h.sb.faults.resetCounters();
    const { access, auditor } = serviceAccess();
    const guarded = createEcrCreateAction({ clients: h.clients, access });

    const err = await guarded
      .handler(
        actionContext(
          { name: 'adopt-refused', adopt: true },
          { user: 'user:default/dana' },
        ).ctx,
      )
      .catch(e => e);

    expect(err.message).toContain(
      'user:default/dana may not slipway.service.adopt on component:default/adopt-refused',
    );
    expect(h.sb.faults.total('aws')).toBe(0);
    expect(auditor.events).toEqual([
      expect.objectContaining({
        eventId: 'adopt-authorization',
        outcome: 'failure',
      }),
    ]);
  });

  it('adopting (on purpose, by its owners) a repository bound to the service converges drifted settings (mutability, scanning, lifecycle, policy)', async () => {
    h.sb.aws.ensureRepository('drifted-api', {
      [OWNER_TAG]: 'component:default/drifted-api',
    });
    const before = await repos.describe('drifted-api');
    expect(before).toMatchObject({
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
    });
    expect(before!.lifecyclePolicyText).toBeUndefined();

    // Adopted on purpose by its owners' member (guest, payments-team).
    const { access, auditor } = serviceAccess();
    await createEcrCreateAction({ clients: h.clients, access }).handler(
      actionContext({ name: 'drifted-api', adopt: true }).ctx,
    );
    expect(auditor.events).toEqual([
      expect.objectContaining({
        eventId: 'adopt-authorization',
        outcome: 'success',
      }),
    ]);

    const after = await repos.describe('drifted-api');
    expect(after).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      scanOnPush: true,
    });
    expect(after!.lifecyclePolicyText).toContain('imageCountMoreThan');
    expect(
      JSON.parse(after!.repositoryPolicyText!).Statement[0].Principal,
    ).toEqual({
      AWS: [PULL_PRINCIPAL],
    });
  });

  it.each([
    ['without the owner tag', {}, "it has no 'slipway.io/owner' tag"],
    [
      "with another service's owner tag",
      { [OWNER_TAG]: 'component:default/someone-else' },
      "its 'slipway.io/owner' tag is 'component:default/someone-else'",
    ],
  ])(
    'refuses an existing repository %s and leaves it untouched',
    async (_, tags, why) => {
      const name = `foreign-${Object.keys(tags).length}`;
      h.sb.aws.ensureRepository(name, tags);
      const before = await repos.describe(name);

      const { ctx } = actionContext({ name });
      const err = await action.handler(ctx).catch(e => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.message).toContain(
        `lacks the tag ${OWNER_TAG}=component:default/${name}`,
      );
      expect(err.message).toContain(why);
      expect(await repos.describe(name)).toEqual(before);
    },
  );

  it('converges after a crash between CreateRepository and its checkpoint, with no duplicate', async () => {
    const store = new CheckpointStore();
    store.crashAfter = 'ecr.create.crash-api';
    await expect(
      action.handler(actionContext({ name: 'crash-api' }, { store }).ctx),
    ).rejects.toThrow('simulated crash');
    expect(ecrCalls('CreateRepository')).toBe(1);
    expect(
      (await repos.describe('crash-api'))!.lifecyclePolicyText,
    ).toBeUndefined();

    const resumed = actionContext({ name: 'crash-api' }, { store });
    await action.handler(resumed.ctx);

    expect(ecrCalls('CreateRepository')).toBe(1); // adopted, not created again
    expect(resumed.outputs.repositoryName).toBe('crash-api');
    const state = await repos.describe('crash-api');
    expect(state!.lifecyclePolicyText).toContain('sinceImagePushed');
    expect(state!.repositoryPolicyText).toContain(PULL_PRINCIPAL);
  });

  it('replays stored checkpoints on resume instead of repeating their side effects', async () => {
    const store = new CheckpointStore();
    store.crashAfter = 'ecr.policy.replay-api';
    await expect(
      action.handler(actionContext({ name: 'replay-api' }, { store }).ctx),
    ).rejects.toThrow('simulated crash');
    h.sb.faults.resetCounters();

    const resumed = actionContext({ name: 'replay-api' }, { store });
    await action.handler(resumed.ctx);

    expect(ecrCalls('CreateRepository')).toBe(0);
    expect(ecrCalls('PutLifecyclePolicy')).toBe(0);
    expect(ecrCalls('SetRepositoryPolicy')).toBe(1);
    expect(resumed.outputs.repositoryUri).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/replay-api',
    );
  });

  it('completes when throttled twice, the SDK retrying (3 requests for the throttled operation)', async () => {
    h.sb.faults.set({ aws: { throttleNext: 2 } });
    const { ctx, outputs } = actionContext({ name: 'throttled-api' });
    await action.handler(ctx);

    expect(outputs.repositoryName).toBe('throttled-api');
    expect(ecrCalls('DescribeRepositories')).toBe(3);
    expect(ecrCalls('CreateRepository')).toBe(1);
  });

  it('outlasts sustained throttling beyond the SDK default (5 in a row) and says so in the task log, a line per retry', async () => {
    h.sb.faults.set({
      aws: {
        failNext: { 'ecr:CreateRepository': { count: 5, status: 'throttle' } },
      },
    });
    const { ctx, outputs, logger } = actionContext({ name: 'sustained-api' });
    await action.handler(ctx);

    expect(outputs.repositoryName).toBe('sustained-api');
    expect(ecrCalls('CreateRepository')).toBe(6);
    expect(
      logger.lines.filter(l => l.includes('throttled')).map(l => l.trim()),
    ).toEqual(
      [1, 2, 3, 4, 5].map(
        n =>
          `info ECR CreateRepository throttled (ThrottlingException), retrying ${n}/7`,
      ),
    );
  });

  it('dry run: plausible outputs and no AWS call', async () => {
    const { ctx, outputs } = actionContext(
      { name: 'dry-api', repositoryName: 'team/dry-api' },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(outputs).toEqual({
      repositoryName: 'team/dry-api',
      repositoryUri:
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/dry-api',
      repositoryArn:
        'arn:aws:ecr:eu-west-1:123456789012:repository/team/dry-api',
    });
    expect(h.sb.faults.total('aws')).toBe(0);
    expect(await repos.describe('team/dry-api')).toBeUndefined();
  });

  it('uses KMS encryption when configured', async () => {
    const kmsKey =
      'arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-111122223333';
    const clients = AwsClients.fromConfig(
      sandboxConfig(h.sb, {
        ecr: {
          encryption: { type: 'KMS', kmsKey },
          imageTagMutability: 'MUTABLE',
        },
      }),
    );
    const kmsAction = createEcrCreateAction({
      clients,
      access: serviceAccess().access,
    });
    const { ctx } = actionContext({ name: 'kms-api', scanOnPush: false });
    await kmsAction.handler(ctx);
    const state = await repos.describe('kms-api');
    expect(state).toMatchObject({
      encryption: { type: 'KMS', kmsKey },
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
    });
    // No pull principals configured here: no repository policy.
    expect(state!.repositoryPolicyText).toBeUndefined();
  });

  it('never puts the secret access key in logs, outputs or errors', async () => {
    const logger = recordingLogger();
    const ok = actionContext({ name: 'secret-api' }, { logger });
    await action.handler(ok.ctx);
    const refused = await action
      .handler(actionContext({ name: 'Bad*' }, { logger }).ctx)
      .catch(e => e);

    const wrongSecret = 'wrongSecretThatMustNotLeak000000000000000';
    const badClients = AwsClients.fromConfig(
      new ConfigReader({
        aws: {
          mainAccount: {
            accessKeyId: 'AKIASLIPWAYSANDBOX01',
            secretAccessKey: wrongSecret,
          },
        },
        slipway: sandboxConfig(h.sb).get('slipway'),
      }),
    );
    const badCreds = await createEcrCreateAction({
      clients: badClients,
      access: serviceAccess().access,
    })
      .handler(actionContext({ name: 'secret-api' }, { logger }).ctx)
      .catch(e => e);
    expect(badCreds).toBeInstanceOf(Error);

    const seen = [
      ...logger.lines,
      JSON.stringify(ok.outputs),
      String(refused?.stack),
      String(badCreds?.stack),
      JSON.stringify(badCreds),
    ].join('\n');
    expect(seen).toContain('secret-api');
    expect(seen).not.toContain(SECRET);
    expect(seen).not.toContain(wrongSecret);
  });
});
