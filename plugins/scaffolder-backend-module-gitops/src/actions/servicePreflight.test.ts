import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  OWNER_TAG,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoCdInstances,
  AwsClients,
  GitHubReader,
  HelmChartsRepo,
  ServiceInventory,
} from '@internal/backstage-plugin-delivery-node';
import {
  serviceComponent,
  testServiceAccess,
} from '@internal/backstage-plugin-delivery-node/testUtils';
import { Sandbox, sandboxAppConfig } from '@internal/sandbox';
import { createServicePreflightAction } from './servicePreflight';
import { context, startTestSandbox } from './__testUtils__/harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const undiciFetch = require('undici').fetch as typeof fetch;

jest.setTimeout(60_000);

/*
 * The preflight against the seeded sandbox (payments-api, ledger-worker and
 * docs-portal exist everywhere), deciding with Slipway's real policy:
 * guest is in payments-team, dana in docs-team.
 */
describe('slipway:service:preflight', () => {
  let sb: Sandbox;
  let github: string;
  let build: (options?: { baseChartDir?: string }) => ReturnType<typeof setup>;

  const entities = [
    serviceComponent('component:default/payments-api', 'payments-team'),
    serviceComponent('component:default/docs-portal', 'docs-team'),
  ];

  function setup(sandbox: Sandbox, options: { baseChartDir?: string } = {}) {
    const base = sandboxAppConfig(sandbox);
    const config = new ConfigReader({
      ...base,
      slipway: {
        ...base.slipway,
        aws: {
          ...base.slipway.aws,
          iam: {
            permissionsBoundaryArn:
              'arn:aws:iam::123456789012:policy/slipway-service-boundary',
            allowedPolicies: [
              {
                name: 's3-read-reports',
                statements: [
                  {
                    actions: ['s3:GetObject'],
                    resources: ['arn:aws:s3:::r/*'],
                  },
                ],
              },
            ],
          },
        },
      },
    });
    const integrations = ScmIntegrations.fromConfig(config);
    const { access, auditor } = testServiceAccess({ entities });
    const aws = AwsClients.fromConfig(config);
    const action = createServicePreflightAction({
      access,
      integrations,
      aws,
      inventory: new ServiceInventory({
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        aws,
        helmCharts: HelmChartsRepo.fromConfig(config, { fetch: undiciFetch }),
        instances: ArgoCdInstances.fromConfig(config, { fetch: undiciFetch }),
        github: host =>
          integrations.github.byHost(host)
            ? GitHubReader.fromConfig(config, { host, fetch: undiciFetch })
            : undefined,
      }),
      environments: ['dev', 'staging', 'prod'],
      reservedNamespaces: ['monitoring'],
      baseChartDir: options.baseChartDir,
    });
    return { action, auditor };
  }

  beforeAll(async () => {
    sb = await startTestSandbox();
    github = new URL(sb.urls.github).host;
    build = options => setup(sb, options);
  });
  afterAll(() => sb.stop());
  beforeEach(() => sb.faults.resetCounters());

  const valid = () => ({
    name: 'orders',
    owner: 'group:default/payments-team',
    namespace: 'orders',
    repoUrl: `${github}?owner=slipway-demo&repo=orders`,
    environments: ['dev', 'staging', 'prod'],
    port: 8080,
    replicas: 2,
    autoscaling: true,
    minReplicas: 2,
    maxReplicas: 5,
    awsPermissions: ['s3-read-reports'],
  });

  it('passes a new service for its team, reading only', async () => {
    const { action, auditor } = build();
    const c = context(valid());
    await action.handler(c.ctx);
    expect(c.outputs.entityRef).toBe('component:default/orders');
    expect(sb.faults.total()).toBeGreaterThan(0);
    expect(sb.faults.mutations()).toEqual({});
    expect(auditor.events.map(e => [e.eventId, e.outcome])).toEqual([
      ['create-authorization', 'success'],
    ]);
  });

  it.each([
    ['the kube-system namespace', { namespace: 'kube-system' }, 'namespace'],
    ['the kube-public namespace', { namespace: 'kube-public' }, 'namespace'],
    ['the argocd namespace', { namespace: 'argocd' }, 'namespace'],
    ['the default namespace', { namespace: 'default' }, 'namespace'],
    [
      'a namespace the platform reserved',
      { namespace: 'monitoring' },
      'namespace',
    ],
    [
      'an HPA minimum above its maximum',
      { minReplicas: 5, maxReplicas: 2 },
      'maxReplicas',
    ],
    ['an HPA maximum of 0', { maxReplicas: 0 }, 'maxReplicas'],
    ['replicas that are not whole', { replicas: 1.5 }, 'replicas'],
    ['a port beyond 65535', { port: 70000 }, 'port'],
    [
      'an AWS permission not allowed',
      { awsPermissions: ['admin'] },
      'awsPermissions',
    ],
    ['an unknown environment', { environments: ['qa'] }, 'environments'],
    [
      'a rollout strategy the chart does not offer',
      { rolloutStrategy: 'blue-green' },
      'rolloutStrategy',
    ],
    ['no environment', { environments: [] }, 'environments'],
    ['an uppercase name', { name: 'Orders' }, 'name'],
    ["'..' in the name", { name: 'or..ders' }, 'name'],
    ['a User as owner', { owner: 'user:default/guest' }, 'owner'],
    [
      'a repository URL without a repository',
      { repoUrl: 'GITHUB?owner=slipway-demo' },
      'repoUrl',
    ],
    [
      'a repository on a host without an integration',
      { repoUrl: 'evil.example?owner=a&repo=b' },
      'repoUrl',
    ],
  ])(
    'refuses %s on its field, before any upstream call',
    async (_, change, field) => {
      const { action, auditor } = build();
      const asked: Record<string, unknown> = { ...valid(), ...change };
      if (typeof asked.repoUrl === 'string') {
        asked.repoUrl = asked.repoUrl.replace('GITHUB', github);
      }
      const err = await action.handler(context(asked).ctx).catch(e => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(new RegExp(`^- ${field}: `, 'm'));
      expect(sb.faults.total()).toBe(0);
      expect(auditor.events).toEqual([]);
    },
  );

  it('checks a canary against the base chart the chart step copies: refused when it offers none, before any upstream call', async () => {
    const realChart = path.resolve(__dirname, '../../../../charts/service');
    const canary = { ...valid(), rolloutStrategy: 'canary' };
    const ok = context(canary);
    await build({ baseChartDir: realChart }).action.handler(ok.ctx);
    expect(ok.outputs.entityRef).toBe('component:default/orders');

    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'base-chart-'));
    fs.writeFileSync(path.join(old, 'values.yaml'), 'replicaCount: 1\n');
    sb.faults.resetCounters();
    const { action, auditor } = build({ baseChartDir: old });
    const err = await action.handler(context(canary).ctx).catch(e => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(
      /^- rolloutStrategy: rollout strategy canary is not offered by the base chart/m,
    );
    expect(sb.faults.total()).toBe(0);
    expect(auditor.events).toEqual([]);
    // Rolling needs nothing from the chart.
    const rolling = context({ ...valid(), rolloutStrategy: 'rolling' });
    await build({ baseChartDir: old }).action.handler(rolling.ctx);
    expect(rolling.outputs.entityRef).toBe('component:default/orders');
  });

  it('names every field that is wrong, one line each', async () => {
    const { action } = build();
    const err = await action
      .handler(
        context({
          ...valid(),
          namespace: 'kube-system',
          minReplicas: 5,
          maxReplicas: 2,
          awsPermissions: ['admin'],
        }).ctx,
      )
      .catch(e => e);
    expect(err.message.split('\n')).toEqual([
      'The service cannot be created as asked:',
      expect.stringMatching(
        /^- namespace: namespace 'kube-system' is reserved/,
      ),
      '- maxReplicas: autoscaling.minReplicas (5) must not exceed maxReplicas (2)'.replace(
        'autoscaling.',
        '',
      ),
      '- awsPermissions: admin is not allowed; choose from s3-read-reports',
    ]);
  });

  it("refuses another team's member creating for payments-team: audited, before any upstream call", async () => {
    const { action, auditor } = build();
    const err = await action
      .handler(context(valid(), { user: 'user:default/dana' }).ctx)
      .catch(e => e);
    expect(err).toBeInstanceOf(NotAllowedError);
    expect(err.message).toContain(
      'user:default/dana may not slipway.service.create on group:default/payments-team',
    );
    expect(sb.faults.total()).toBe(0);
    expect(auditor.events.map(e => [e.eventId, e.outcome])).toEqual([
      ['create-authorization', 'failure'],
    ]);
  });

  it("refuses an existing service's name: every place that holds it is named, nothing changed", async () => {
    const { action } = build();
    const err = await action
      .handler(
        context({
          ...valid(),
          name: 'payments-api',
          namespace: 'other',
          repoUrl: `${github}?owner=slipway-demo&repo=payments-api`,
        }).ctx,
      )
      .catch(e => e);
    expect(err).toBeInstanceOf(InputError);
    const lines = err.message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          '- name: component:default/payments-api already exists in the catalog',
        ),
        expect.stringContaining(
          '- repoUrl: slipway-demo/payments-api already exists',
        ),
        expect.stringContaining(
          '- name: ECR repository payments-api: it exists already',
        ),
        expect.stringContaining(
          '- name: charts/payments-api in helm-charts: it exists already',
        ),
        expect.stringContaining(
          '- name: Argo CD application payments-api on sandbox: it exists already',
        ),
      ]),
    );
    expect(sb.faults.mutations()).toEqual({});
  });

  it("refuses a name whose resources belong to another entity, even to the owner's team when adopting", async () => {
    sb.aws.ensureRepository('billing', {
      [OWNER_TAG]: 'component:default/payments-api',
    });
    const { action } = build();
    const err = await action
      .handler(
        context({
          ...valid(),
          name: 'billing',
          repoUrl: `${github}?owner=slipway-demo&repo=billing`,
        }).ctx,
      )
      .catch(e => e);
    expect(err.message).toContain(
      '- name: ECR repository billing: it belongs to component:default/payments-api',
    );
    expect(sb.faults.mutations()).toEqual({});
  });

  it('lets a Retry of the same task through what that task created, and no other run', async () => {
    sb.aws.ensureRepository('retried', {
      [OWNER_TAG]: 'component:default/retried',
      [TASK_TAG]: 'task-1',
    });
    const input = {
      ...valid(),
      name: 'retried',
      repoUrl: `${github}?owner=slipway-demo&repo=retried`,
    };
    const { action } = build();
    await action.handler(context(input).ctx);

    const err = await action
      .handler(context(input, { task: 'task-2' }).ctx)
      .catch(e => e);
    expect(err.message).toContain(
      '- name: ECR repository retried: it was created by another run (task task-1)',
    );
    expect(sb.faults.mutations()).toEqual({});
  });

  it("adopts a service's own resources for its owners on purpose (audited), never for another team", async () => {
    const input = {
      ...valid(),
      name: 'payments-api',
      repoUrl: `${github}?owner=slipway-demo&repo=payments-api-v2`,
      adopt: true,
    };
    const owners = build();
    await owners.action.handler(context(input).ctx);
    expect(owners.auditor.events.map(e => [e.eventId, e.outcome])).toEqual([
      ['create-authorization', 'success'],
      ['adopt-authorization', 'success'],
    ]);

    const other = build();
    const err = await other.action
      .handler(
        context(
          { ...input, owner: 'group:default/docs-team' },
          { user: 'user:default/dana' },
        ).ctx,
      )
      .catch(e => e);
    expect(err.message).toContain(
      'user:default/dana may not slipway.service.adopt on component:default/payments-api',
    );
    expect(other.auditor.events.map(e => [e.eventId, e.outcome])).toEqual([
      ['create-authorization', 'success'],
      ['adopt-authorization', 'failure'],
    ]);
    expect(sb.faults.mutations()).toEqual({});
  });
});
