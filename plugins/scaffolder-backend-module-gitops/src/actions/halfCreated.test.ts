/*
 * gitops:chart:unregister and argocd:application:delete for a service that
 * never reached the catalog: found by binding and creating task, removed
 * only for the owner team that task named.
 */

import { mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import {
  AwsClients,
  GitHubReader,
  ServiceInventory,
  ServiceTask,
} from '@internal/backstage-plugin-delivery-node';
import { testServiceAccess } from '@internal/backstage-plugin-delivery-node/testUtils';
import { Sandbox } from '@internal/sandbox';
import { createApplicationDeleteAction } from './applicationDelete';
import { createChartUnregisterAction } from './chartUnregister';
import {
  buildActions,
  context,
  sandboxConfig,
  startTestSandbox,
} from './__testUtils__/harness';

jest.setTimeout(120_000);

describe('decommission of a half-created service (chart, Argo CD application)', () => {
  let sb: Sandbox;
  let actions: ReturnType<typeof buildActions>;
  let unregister: ReturnType<typeof createChartUnregisterAction>;
  let remove: ReturnType<typeof createApplicationDeleteAction>;
  const chartFile = (name: string) =>
    sb.repos.readFileIn(
      'slipway-demo',
      'helm-charts',
      'main',
      `charts/${name}/Chart.yaml`,
    );

  beforeAll(async () => {
    sb = await startTestSandbox();
    const config = sandboxConfig(sb);
    actions = buildActions(config);
    const tasks = new Map<string, ServiceTask>([
      [
        'task-c',
        {
          id: 'task-c',
          spec: {
            templateInfo: { entityRef: 'template:default/service' },
            parameters: {
              name: 'half-chart',
              owner: 'group:default/payments-team',
            },
          },
        },
      ],
    ]);
    const halfCreated = {
      inventory: new ServiceInventory({
        // The service never reached the catalog.
        catalog: { getEntities: async () => ({ items: [] }) } as any,
        auth: mockServices.auth(),
        aws: AwsClients.fromConfig(config),
        helmCharts: actions.helmCharts,
        instances: actions.instances,
        github: host => GitHubReader.fromConfig(config, { host }),
      }),
      tasks: { getTask: async (id: string) => tasks.get(id)! },
    };
    // Slipway's real policy, with no Component in its catalog either.
    const { access } = testServiceAccess();
    unregister = createChartUnregisterAction({
      helmCharts: actions.helmCharts,
      access,
      halfCreated,
    });
    remove = createApplicationDeleteAction({
      instances: actions.instances,
      access,
      halfCreated,
    });

    // What a failed "Create component" run (task-c) left: the chart.
    await actions.register.handler(
      context(
        {
          name: 'half-chart',
          imageRepository:
            '123456789012.dkr.ecr.eu-west-1.amazonaws.com/half-chart',
          namespace: 'half-chart',
        },
        { task: 'task-c' },
      ).ctx,
    );
  });
  afterAll(() => sb.stop());

  it('records the creating task in Chart.yaml', async () => {
    expect(await chartFile('half-chart')).toContain('slipway.io/task: task-c');
  });

  it('refuses a member of another team before any change', async () => {
    sb.faults.resetCounters();
    const { ctx } = context(
      { name: 'half-chart' },
      { user: 'user:default/dana' },
    );
    await expect(unregister.handler(ctx)).rejects.toBeInstanceOf(
      NotAllowedError,
    );
    expect(sb.faults.mutations()).toEqual({});
    expect(await chartFile('half-chart')).toBeDefined();
  });

  it("lets the owner team's member remove the chart; a missing application is success", async () => {
    const chart = context({ name: 'half-chart' });
    await unregister.handler(chart.ctx);
    expect(chart.outputs.removed).toBe(true);
    expect(await chartFile('half-chart')).toBeUndefined();

    // Nothing bound to it remains: the next step converges.
    const app = context({ name: 'half-chart' });
    await remove.handler(app.ctx);
    expect(app.outputs.deleted).toBe(false);
  });
});
