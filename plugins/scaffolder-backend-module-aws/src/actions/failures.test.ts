/*
 * A step that fails for good, against the sandbox with a fault rule that
 * outlasts the retry budget: the task log ends with what the run created
 * so far and one readable line; the backend log gets the full error.
 */

import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  AppRepositories,
  ArgoCdInstances,
  AwsClients,
  CreationReport,
  GitHubReader,
  ServiceInventory,
  ServiceTasks,
  taskTopic,
} from '@internal/backstage-plugin-delivery-node';
import { sandboxAppConfig, SANDBOX_CREDENTIALS } from '@internal/sandbox';
import { createEcrCreateAction } from './ecrCreate';
import { createIrsaRoleCreateAction } from './irsaRoleCreate';
import {
  actionContext,
  AwsHarness,
  recordingLogger,
  sandboxConfig,
  SECRET,
  serviceAccess,
  startAwsHarness,
} from './__testUtils__/harness';

jest.setTimeout(60_000);

describe('a provisioning step that fails for good', () => {
  let h: AwsHarness;
  let clients: AwsClients;
  let inventory: ServiceInventory;
  let githubHost: string;
  const TASK = 'task-77';

  beforeAll(async () => {
    h = await startAwsHarness();
    // A small budget, so the fault rule below outlasts it quickly.
    clients = AwsClients.fromConfig(sandboxConfig(h.sb, { maxAttempts: 3 }));
    const config = new ConfigReader(sandboxAppConfig(h.sb));
    githubHost = new URL(h.sb.urls.github).host;
    inventory = new ServiceInventory({
      // The service never reached the catalog.
      catalog: { getEntities: async () => ({ items: [] }) } as any,
      auth: mockServices.auth(),
      aws: clients,
      helmCharts: {
        repoUrl: config.getString('slipway.gitops.helmCharts.repoUrl'),
        branch: 'main',
      },
      instances: ArgoCdInstances.fromConfig(config),
      github: host => GitHubReader.fromConfig(config, { host }),
    });
    // What slipway:repository:publish made for this task.
    h.sb.github.ensureUser('slipway-demo', 'Organization');
    await new AppRepositories({
      host: githubHost,
      apiBaseUrl: h.sb.urls.githubApi,
      credentials: {
        getCredentials: async () => ({
          type: 'token',
          token: SANDBOX_CREDENTIALS.githubToken,
        }),
      },
    }).create(
      {
        owner: 'slipway-demo',
        repo: 'stuck-api',
        visibility: 'private',
        defaultBranch: 'main',
        deleteBranchOnMerge: true,
        protectDefaultBranch: false,
      },
      [taskTopic(TASK)],
    );
  });
  afterAll(() => h.stop());

  /** The scaffolder task, as scaffolderServiceRef reads it. */
  const tasks: ServiceTasks = {
    getTask: async id => ({
      id,
      spec: {
        templateInfo: { entityRef: 'template:default/service' },
        parameters: {
          name: 'stuck-api',
          owner: 'group:default/payments-team',
          repoUrl: `${githubHost}?owner=slipway-demo&repo=stuck-api`,
        },
      },
    }),
  };

  it('writes one line naming AWS, the service and the operation, after what exists; the backend log gets the whole error', async () => {
    const backend = recordingLogger();
    const reporting = {
      logger: backend,
      summary: new CreationReport({ inventory, tasks }),
    };
    const { access } = serviceAccess();
    const ecr = createEcrCreateAction({ clients, access, reporting });
    const role = createIrsaRoleCreateAction({ clients, access, reporting });

    await ecr.handler(actionContext({ name: 'stuck-api' }, { task: TASK }).ctx);

    h.sb.faults.set({
      aws: {
        failNext: { 'iam:CreateRole': { count: 1000, status: 'throttle' } },
      },
    });
    const { ctx, logger } = actionContext(
      { name: 'stuck-api', namespace: 'stuck' },
      { task: TASK },
    );
    const error = await role.handler(ctx).catch(e => e);
    h.sb.faults.clear();

    // The task log's error line: `String(err.stack)`.
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(String(error.stack)).toBe(
      'ServiceUnavailableError: AWS IAM CreateRole failed: Throttling: Rate exceeded (after 3 attempts). Retry the task: it resumes at this step.',
    );

    // The task log's last lines before it: what exists, with links.
    const summary = logger.lines.slice(-3);
    // eslint-disable-next-line no-console
    console.log([...summary, String(error.stack)].join('\n'));
    expect(summary[0]).toBe(
      `info So far this run created: app repository ${h.sb.urls.github}/slipway-demo/stuck-api; ECR repository stuck-api (https://eu-west-1.console.aws.amazon.com/ecr/repositories/private/123456789012/stuck-api?region=eu-west-1).`,
    );
    expect(summary[1]).toBe(
      'info Not created yet: IAM role stuck-api, chart charts/stuck-api in helm-charts, Argo CD application stuck-api on sandbox, catalog entry.',
    );
    expect(summary[2]).toBe(
      'info Retry resumes at the failed step and creates nothing twice; to remove what exists instead, run "Decommission a service" with stuck-api.',
    );

    // The backend log: the whole error, with the task and the action.
    const full = backend.lines.find(l =>
      l.startsWith('error Scaffolder step aws:iam:irsa-role:create failed'),
    );
    expect(full).toContain('"taskId":"task-77"');
    expect(full).toContain('"action":"aws:iam:irsa-role:create"');
    expect(full).toContain('"operation":"CreateRole"');
    expect(full).toContain('"attempts":3');
    expect(full).toMatch(/"stack":"Throttling: Rate exceeded\\n\s+at /);
    expect(JSON.stringify([backend.lines, logger.lines])).not.toContain(SECRET);
  });
});
