import fs from 'node:fs';
import path from 'node:path';
import { ConflictError, InputError } from '@backstage/errors';
import {
  OWNER_TAG,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import { ConfigReader } from '@backstage/config';
import {
  IrsaRoles,
  readEnvironments,
} from '@internal/backstage-plugin-delivery-node';
import { createIrsaRoleCreateAction } from './irsaRoleCreate';
import { createIrsaRoleDeleteAction } from './irsaRoleDelete';
import {
  actionContext,
  ALLOWED_POLICIES,
  AwsHarness,
  BOUNDARY,
  CheckpointStore,
  CLUSTER,
  recordingLogger,
  SECRET,
  startAwsHarness,
  serviceAccess,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

/**
 * dev and staging on eks-nonprod (their own namespaces), prod on eks-prod;
 * with `prodIssuer`, prod's cluster is in another account.
 */
function twoClusterRoad(prodIssuer?: string) {
  return readEnvironments(
    new ConfigReader({
      slipway: {
        environments: [
          {
            name: 'dev',
            argocd: { namespace: '{namespace}-dev' },
            cluster: { name: 'eks-nonprod' },
          },
          {
            name: 'staging',
            argocd: { namespace: '{namespace}-staging' },
            cluster: { name: 'eks-nonprod' },
          },
          {
            name: 'prod',
            argocd: { destination: { name: 'prod' } },
            cluster: {
              name: 'eks-prod',
              ...(prodIssuer ? { oidcIssuer: prodIssuer } : {}),
            },
            changes: 'pull-request',
          },
        ],
      },
    }),
  );
}

function goldenWith(file: string, values: Record<string, string>): unknown {
  let text = fs.readFileSync(
    path.join(__dirname, '__fixtures__', file),
    'utf8',
  );
  for (const [k, v] of Object.entries(values)) text = text.split(k).join(v);
  return JSON.parse(text);
}

function golden(file: string, issuerHostPath = ''): unknown {
  const text = fs.readFileSync(
    path.join(__dirname, '__fixtures__', file),
    'utf8',
  );
  return JSON.parse(text.split('ISSUER_HOST_PATH').join(issuerHostPath));
}

describe('aws:iam:irsa-role:create', () => {
  let h: AwsHarness;
  let roles: IrsaRoles;
  let issuerHost: string;
  let action: ReturnType<typeof createIrsaRoleCreateAction>;

  beforeAll(async () => {
    h = await startAwsHarness();
    roles = new IrsaRoles(h.clients);
    action = createIrsaRoleCreateAction({
      clients: h.clients,
      access: serviceAccess().access,
    });
    issuerHost = h.sb.aws.ensureCluster(CLUSTER).issuer.replace('https://', '');
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.sb.faults.clear();
    h.sb.faults.resetCounters();
  });

  const iamCalls = (op: string) =>
    h.sb.faults.counters().aws?.[`iam:${op}`] ?? 0;

  it.each([
    ['an uppercase name', { name: 'Orders', namespace: 'orders' }],
    [
      'a name longer than 40 characters',
      { name: 'a'.repeat(41), namespace: 'orders' },
    ],
    ['a * in the namespace', { name: 'orders', namespace: 'orders-*' }],
    ['a ? in the namespace', { name: 'orders', namespace: 'ord?rs' }],
    ["a ':' in the namespace", { name: 'orders', namespace: 'kube:system' }],
    ["'..' in the namespace", { name: 'orders', namespace: 'a..b' }],
    [
      'a * in the service account',
      { name: 'orders', namespace: 'orders', serviceAccount: '*' },
    ],
    [
      "a ':' in the service account",
      { name: 'orders', namespace: 'orders', serviceAccount: 'a:b' },
    ],
    [
      'an uppercase service account',
      { name: 'orders', namespace: 'orders', serviceAccount: 'Default' },
    ],
    ['a missing namespace', { name: 'orders' }],
    [
      'an unknown mode',
      { name: 'orders', namespace: 'orders', mode: 'static-keys' },
    ],
  ])('refuses %s with InputError before any AWS call', async (_, input) => {
    await expect(
      action.handler(actionContext(input as any).ctx),
    ).rejects.toBeInstanceOf(InputError);
    expect(h.sb.faults.total('aws')).toBe(0);
  });

  it('refuses an unknown policy name with InputError listing the allowed names, before any AWS call', async () => {
    const err = await action
      .handler(
        actionContext({
          name: 'orders',
          namespace: 'orders',
          policies: ['admin-everything'],
        }).ctx,
      )
      .catch(e => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("'admin-everything'");
    expect(err.message).toContain(
      'allowed: s3-read-reports, sqs-consume-payments',
    );
    expect(h.sb.faults.total('aws')).toBe(0);
  });

  it("IRSA with two clusters: one statement per cluster, each trusting exactly the service account in that cluster's environments (golden); a cluster another account describes is trusted by its configured issuer", async () => {
    const nonprod = h.sb.aws.ensureCluster('eks-nonprod').issuer;
    // prod's cluster lives in another account: Slipway cannot describe it,
    // so its issuer comes from config (registered as an OIDC provider here).
    const prodIssuer =
      'https://oidc.eks.us-west-2.amazonaws.com/id/PROD0CLUSTER';
    const environments = twoClusterRoad(prodIssuer);
    const twoClusters = createIrsaRoleCreateAction({
      clients: h.clients,
      access: serviceAccess().access,
      environments,
    });
    const { ctx, logger } = actionContext({
      name: 'ledger',
      namespace: 'ledger',
      environments: ['prod', 'dev', 'staging'],
    });
    await twoClusters.handler(ctx);
    const role = await roles.describe('ledger');
    expect(role!.trustPolicy).toEqual(
      goldenWith('irsa-trust-policy-two-clusters.json', {
        NONPROD_ISSUER: nonprod.replace('https://', ''),
        PROD_ISSUER: prodIssuer.replace('https://', ''),
      }),
    );
    // Only the cluster Slipway can describe was asked for its issuer.
    expect(h.sb.faults.counters().aws?.['eks:DescribeCluster']).toBe(1);
    expect(logger.lines.join('\n')).toMatch(
      /Trusting cluster eks-nonprod for ledger-dev\/ledger, ledger-staging\/ledger/,
    );

    // Only dev chosen: the role trusts the non-prod cluster's dev namespace alone.
    const devOnly = actionContext({
      name: 'ledger-lite',
      namespace: 'ledger-lite',
      environments: ['dev'],
    });
    await twoClusters.handler(devOnly.ctx);
    const lite = await roles.describe('ledger-lite');
    expect(
      (lite!.trustPolicy as any).Statement.map(
        (s: any) => Object.values(s.Condition.StringEquals)[0],
      ),
    ).toEqual(['system:serviceaccount:ledger-lite-dev:ledger-lite']);

    // An environment the portal does not have: refused before any AWS call.
    h.sb.faults.resetCounters();
    await expect(
      twoClusters.handler(
        actionContext({
          name: 'ledger-x',
          namespace: 'ledger-x',
          environments: ['qa'],
        }).ctx,
      ),
    ).rejects.toThrow(
      /environments must be one of dev, staging, prod \(got 'qa'\)/,
    );
    expect(h.sb.faults.total('aws')).toBe(0);
  });

  it('IRSA: trust policy equals the golden file, boundary from config, inline policy holds exactly the chosen statements', async () => {
    const { ctx, outputs } = actionContext({
      name: 'orders-api',
      namespace: 'orders',
      policies: ['s3-read-reports'],
    });
    await action.handler(ctx);

    expect(outputs).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/slipway/orders-api',
      roleName: 'orders-api',
    });
    const role = await roles.describe('orders-api');
    expect(role!.trustPolicy).toEqual(
      golden('irsa-trust-policy.json', issuerHost),
    );
    expect(JSON.stringify(role!.trustPolicy)).not.toMatch(/StringLike|\*/);
    expect(role!.permissionsBoundaryArn).toBe(BOUNDARY);
    expect(role!.path).toBe('/slipway/');
    expect(role!.tags).toEqual({
      [OWNER_TAG]: 'component:default/orders-api',
      [TASK_TAG]: 'task-1',
    });
    expect(Object.keys(role!.inlinePolicies)).toEqual(['slipway-orders-api']);
    const doc = role!.inlinePolicies['slipway-orders-api'] as any;
    expect(
      doc.Statement.map((s: any) => ({
        actions: s.Action,
        resources: s.Resource,
      })),
    ).toEqual(ALLOWED_POLICIES[0].statements);
    expect(doc.Statement.every((s: any) => s.Effect === 'Allow')).toBe(true);
    expect(role!.attachedPolicyArns).toEqual([]);
  });

  it('pod identity: trusts pods.eks.amazonaws.com and creates the association', async () => {
    const { ctx, outputs } = actionContext({
      name: 'orders-worker',
      namespace: 'orders',
      serviceAccount: 'worker',
      mode: 'pod-identity',
      policies: ['s3-read-reports', 'sqs-consume-payments'],
    });
    await action.handler(ctx);

    const roleArn = 'arn:aws:iam::123456789012:role/slipway/orders-worker';
    expect(outputs).toEqual({
      roleArn,
      roleName: 'orders-worker',
      associationId: expect.stringMatching(/^a-[0-9a-z]{17}$/),
    });
    const role = await roles.describe('orders-worker');
    expect(role!.trustPolicy).toEqual(golden('pod-identity-trust-policy.json'));
    expect(role!.permissionsBoundaryArn).toBe(BOUNDARY);
    const doc = role!.inlinePolicies['slipway-orders-worker'] as any;
    expect(doc.Statement).toHaveLength(2);
    const assocs = h.sb.aws.podIdentityAssociations(CLUSTER);
    expect(assocs).toEqual([
      expect.objectContaining({
        id: outputs.associationId,
        namespace: 'orders',
        serviceAccount: 'worker',
        roleArn,
        tags: { [OWNER_TAG]: 'component:default/orders-worker' },
      }),
    ]);

    // Re-run: same association, no second one.
    const again = actionContext({
      name: 'orders-worker',
      namespace: 'orders',
      serviceAccount: 'worker',
      mode: 'pod-identity',
      policies: ['s3-read-reports', 'sqs-consume-payments'],
    });
    await action.handler(again.ctx);
    expect(again.outputs.associationId).toBe(outputs.associationId);
    expect(h.sb.aws.podIdentityAssociations(CLUSTER)).toHaveLength(1);
  });

  it("pod identity with two clusters: one association per environment's cluster and namespace; a cluster in another account is refused before any call", async () => {
    h.sb.aws.ensureCluster('eks-nonprod');
    h.sb.aws.ensureCluster('eks-prod');
    const road = twoClusterRoad;
    const pods = createIrsaRoleCreateAction({
      clients: h.clients,
      access: serviceAccess().access,
      environments: road(),
    });
    const input = {
      name: 'billing',
      namespace: 'billing',
      mode: 'pod-identity',
    };
    await pods.handler(actionContext(input).ctx);
    const roleArn = 'arn:aws:iam::123456789012:role/slipway/billing';
    const on = (cluster: string) =>
      h.sb.aws
        .podIdentityAssociations(cluster)
        .filter(a => a.roleArn === roleArn)
        .map(a => `${a.namespace}/${a.serviceAccount}`)
        .sort();
    expect(on('eks-nonprod')).toEqual([
      'billing-dev/billing',
      'billing-staging/billing',
    ]);
    expect(on('eks-prod')).toEqual(['billing/billing']);

    // Decommission removes them on every cluster.
    const remove = createIrsaRoleDeleteAction({
      clients: h.clients,
      access: serviceAccess().access,
      environments: road(),
    });
    await remove.handler(actionContext({ name: 'billing' }).ctx);
    expect(on('eks-nonprod')).toEqual([]);
    expect(on('eks-prod')).toEqual([]);

    h.sb.faults.resetCounters();
    const foreign = createIrsaRoleCreateAction({
      clients: h.clients,
      access: serviceAccess().access,
      environments: road('https://oidc.eks.us-west-2.amazonaws.com/id/OTHER'),
    });
    await expect(
      foreign.handler(actionContext({ ...input, name: 'billing-x' }).ctx),
    ).rejects.toThrow(/eks-prod is configured with an oidcIssuer/);
    expect(h.sb.faults.total('aws')).toBe(0);
  });

  it('its owners adopt a role bound to the service on purpose: trust policy, boundary and inline policy converge, audited', async () => {
    h.sb.aws.ensureRole(
      'drift-api',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      {
        path: '/slipway/',
        tags: { [OWNER_TAG]: 'component:default/drift-api' },
      },
    );
    const { ctx, outputs, logger } = actionContext({
      name: 'drift-api',
      namespace: 'drift',
      policies: ['sqs-consume-payments'],
      adopt: true,
    });
    const { access, auditor } = serviceAccess();
    await createIrsaRoleCreateAction({ clients: h.clients, access }).handler(
      ctx,
    );
    expect(auditor.events.map(e => [e.eventId, e.outcome])).toEqual([
      ['adopt-authorization', 'success'],
    ]);

    expect(iamCalls('CreateRole')).toBe(0);
    expect(outputs.roleArn).toBe(
      'arn:aws:iam::123456789012:role/slipway/drift-api',
    );
    const role = await roles.describe('drift-api');
    expect(
      (role!.trustPolicy as any).Statement[0].Condition.StringEquals,
    ).toEqual({
      [`${issuerHost}:sub`]: 'system:serviceaccount:drift:drift-api',
      [`${issuerHost}:aud`]: 'sts.amazonaws.com',
    });
    expect(role!.permissionsBoundaryArn).toBe(BOUNDARY);
    expect(Object.keys(role!.inlinePolicies)).toEqual(['slipway-drift-api']);
    expect(logger.lines.join('\n')).toContain('Adopted IAM role');
  });

  it("a new run never rewrites the trust policy of the service's existing role (another task made it): refused, 0 AWS changes", async () => {
    const input = { name: 'trusted-api', namespace: 'trusted' };
    await action.handler(actionContext(input).ctx);
    const before = await roles.describe('trusted-api');
    h.sb.faults.resetCounters();

    const err = await action
      .handler(
        actionContext({ ...input, namespace: 'attacker' }, { task: 'task-2' })
          .ctx,
      )
      .catch(e => e);

    expect(err.message).toContain(
      "IAM role 'trusted-api' already exists for component:default/trusted-api and was not created by this run",
    );
    expect(h.sb.faults.mutations()).toEqual({});
    expect(await roles.describe('trusted-api')).toEqual(before);
  });

  it.each([
    ['kube-system', /reserved \(kube-\*\)/],
    ['argocd', /reserved \(argocd\)/],
    ['default', /reserved \(default\)/],
  ])(
    'refuses the reserved namespace %s before any AWS call',
    async (namespace, problem) => {
      const err = await action
        .handler(actionContext({ name: 'orders', namespace }).ctx)
        .catch(e => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(problem);
      expect(h.sb.faults.total('aws')).toBe(0);
    },
  );

  it.each([
    ['without the owner tag', {}],
    [
      "with another service's owner tag",
      { [OWNER_TAG]: 'component:default/other' },
    ],
  ])('refuses an existing role %s and leaves it untouched', async (_, tags) => {
    const name = `foreign-role-${Object.keys(tags).length}`;
    h.sb.aws.ensureRole(
      name,
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      { tags },
    );
    const before = await roles.describe(name);
    const err = await action
      .handler(
        actionContext({ name, namespace: 'x', policies: ['s3-read-reports'] })
          .ctx,
      )
      .catch(e => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toContain(
      `lacks the tag ${OWNER_TAG}=component:default/${name}`,
    );
    expect(await roles.describe(name)).toEqual(before);
  });

  it('converges after a crash between CreateRole and its checkpoint, with no duplicate', async () => {
    const store = new CheckpointStore();
    store.crashAfter = 'iam.role.create.crash-role';
    const input = {
      name: 'crash-role',
      namespace: 'crash',
      policies: ['s3-read-reports'],
    };
    await expect(
      action.handler(actionContext(input, { store }).ctx),
    ).rejects.toThrow('simulated crash');
    expect(iamCalls('CreateRole')).toBe(1);

    const resumed = actionContext(input, { store });
    await action.handler(resumed.ctx);
    expect(iamCalls('CreateRole')).toBe(1);
    const role = await roles.describe('crash-role');
    expect(role!.inlinePolicies['slipway-crash-role']).toBeDefined();
    expect(resumed.outputs.roleArn).toBe(
      'arn:aws:iam::123456789012:role/slipway/crash-role',
    );
  });

  it('completes when throttled twice, retried by the SDK (3 DescribeCluster requests)', async () => {
    // DescribeCluster is the first AWS call, so it takes both throttles.
    const store = new CheckpointStore();
    h.sb.faults.set({ aws: { throttleNext: 2 } });
    const { ctx, outputs } = actionContext(
      { name: 'throttle-role', namespace: 't' },
      { store },
    );
    await action.handler(ctx);
    expect(outputs.roleName).toBe('throttle-role');
    expect(h.sb.faults.counters().aws?.['eks:DescribeCluster']).toBe(3);
  });

  it('dry run: plausible outputs and no AWS call', async () => {
    const irsa = actionContext(
      { name: 'dry-role', namespace: 'dry' },
      { isDryRun: true },
    );
    await action.handler(irsa.ctx);
    expect(irsa.outputs).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/slipway/dry-role',
      roleName: 'dry-role',
    });
    const pod = actionContext(
      { name: 'dry-role', namespace: 'dry', mode: 'pod-identity' },
      { isDryRun: true },
    );
    await action.handler(pod.ctx);
    expect(pod.outputs.associationId).toMatch(/^a-[0-9a-z]{17}$/);
    expect(h.sb.faults.total('aws')).toBe(0);
    expect(h.sb.aws.getRole('dry-role')).toBeUndefined();
  });

  it('never puts the secret access key in logs, outputs or errors', async () => {
    const logger = recordingLogger();
    const ok = actionContext(
      {
        name: 'secret-role',
        namespace: 's',
        mode: 'pod-identity',
        policies: ['s3-read-reports'],
      },
      { logger },
    );
    await action.handler(ok.ctx);
    const refused = await action
      .handler(
        actionContext({ name: 'foreign-role-0', namespace: 's' }, { logger })
          .ctx,
      )
      .catch(e => e);
    const seen = [
      ...logger.lines,
      JSON.stringify(ok.outputs),
      String(refused?.stack),
    ].join('\n');
    expect(seen).toContain('secret-role');
    expect(seen).not.toContain(SECRET);
  });
});
