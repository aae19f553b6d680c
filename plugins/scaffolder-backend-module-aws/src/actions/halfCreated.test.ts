/*
 * Decommission of a half-created service: its creation failed before
 * catalog:register, so the catalog does not know it. The delete actions
 * find its resources by binding and creating task, and let only the owner
 * team the task named (or a platform group) remove them.
 */

import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  ArgoCdInstances,
  EcrRepositories,
  GitHubReader,
  IrsaRoles,
  ServiceInventory,
  ServiceTask,
} from '@internal/backstage-plugin-delivery-node';
import { testServiceAccess } from '@internal/backstage-plugin-delivery-node/testUtils';
import { sandboxAppConfig } from '@internal/sandbox';
import { createEcrCreateAction } from './ecrCreate';
import { createEcrDeleteAction } from './ecrDelete';
import { createIrsaRoleCreateAction } from './irsaRoleCreate';
import { createIrsaRoleDeleteAction } from './irsaRoleDelete';
import {
  actionContext,
  AwsHarness,
  DANA,
  GUEST,
  startAwsHarness,
} from './__testUtils__/harness';

jest.setTimeout(60_000);

describe('decommission of a service that never reached the catalog', () => {
  let h: AwsHarness;
  let ecr: EcrRepositories;
  let roles: IrsaRoles;
  let inventory: ServiceInventory;
  const tasks = new Map<string, ServiceTask>();

  /** A "Create component" task (or another template's) for `name`. */
  const task = (
    id: string,
    name: string,
    template = 'template:default/service',
  ) =>
    tasks.set(id, {
      id,
      spec: {
        templateInfo: { entityRef: template },
        parameters: { name, owner: 'group:default/payments-team' },
      },
    });

  beforeAll(async () => {
    h = await startAwsHarness();
    ecr = new EcrRepositories(h.clients);
    roles = new IrsaRoles(h.clients);
    const config = new ConfigReader(sandboxAppConfig(h.sb));
    inventory = new ServiceInventory({
      // The catalog holds no Component for these services.
      catalog: { getEntities: async () => ({ items: [] }) } as any,
      auth: mockServices.auth(),
      aws: h.clients,
      helmCharts: {
        repoUrl: config.getString('slipway.gitops.helmCharts.repoUrl'),
        branch: 'main',
      },
      instances: ArgoCdInstances.fromConfig(config),
      github: host => GitHubReader.fromConfig(config, { host }),
    });
  });
  afterAll(() => h.stop());

  /** The actions as the module builds them, with Slipway's real policy. */
  function actions() {
    const t = testServiceAccess();
    const halfCreated = {
      inventory,
      tasks: {
        getTask: async (id: string) => {
          const found = tasks.get(id);
          if (!found)
            throw Object.assign(new Error(id), { name: 'NotFoundError' });
          return found;
        },
      },
    };
    const { access } = t;
    return {
      ...t,
      createEcr: createEcrCreateAction({ clients: h.clients, access }),
      createRole: createIrsaRoleCreateAction({ clients: h.clients, access }),
      deleteEcr: createEcrDeleteAction({
        clients: h.clients,
        access,
        halfCreated,
      }),
      deleteRole: createIrsaRoleDeleteAction({
        clients: h.clients,
        access,
        halfCreated,
      }),
    };
  }

  /** What a failed "Create component" run left: ECR repository and IAM role. */
  async function halfCreate(name: string, taskId: string) {
    task(taskId, name);
    const a = actions();
    await a.createEcr.handler(actionContext({ name }, { task: taskId }).ctx);
    await a.createRole.handler(
      actionContext({ name, namespace: name }, { task: taskId }).ctx,
    );
  }

  it("lets the owner team's member remove everything bound to it; what is bound to another service stays", async () => {
    await halfCreate('half-api', 'task-5');
    await halfCreate('other-api', 'task-6');
    const a = actions();

    const role = actionContext(
      { name: 'half-api' },
      { user: GUEST, task: 'decommission-1' },
    );
    await a.deleteRole.handler(role.ctx);
    const repo = actionContext(
      { name: 'half-api', force: true },
      { user: GUEST, task: 'decommission-1' },
    );
    await a.deleteEcr.handler(repo.ctx);

    expect(role.outputs.deleted).toBe(true);
    expect(repo.outputs.deleted).toBe(true);
    expect(await ecr.describe('half-api')).toBeUndefined();
    expect(await roles.describe('half-api')).toBeUndefined();
    // Bound to component:default/other-api: untouched.
    expect(await ecr.describe('other-api')).toBeDefined();
    expect(await roles.describe('other-api')).toBeDefined();
    expect(role.logger.lines).toContain(
      'info Allowed to decommission component:default/half-api, which is not in the catalog: task task-5 created ECR repository half-api, IAM role half-api for group:default/payments-team',
    );
    expect(a.auditor.events).toContainEqual(
      expect.objectContaining({
        eventId: 'decommission-authorization',
        outcome: 'success',
        meta: expect.objectContaining({
          entityRef: 'group:default/payments-team',
          service: 'component:default/half-api',
          task: 'task-5',
        }),
      }),
    );
  });

  it('refuses a member of another team before any change, and audits the refusal', async () => {
    await halfCreate('kept-api', 'task-7');
    const a = actions();
    h.sb.faults.resetCounters();

    for (const action of [a.deleteRole, a.deleteEcr]) {
      const { ctx } = actionContext(
        { name: 'kept-api', force: true },
        { user: DANA, task: 'decommission-2' },
      );
      const error = await action.handler(ctx).catch(e => e);
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error.message).toBe(
        'user:default/dana may not decommission component:default/kept-api: it is not in the catalog, and only members of group:default/payments-team (the owners task task-7 created it for) or a platform group may remove what it left',
      );
      expect(error.stack).toBe(`NotAllowedError: ${error.message}`);
    }
    expect(h.sb.faults.mutations()).toEqual({});
    expect(await ecr.describe('kept-api')).toBeDefined();
    expect(await roles.describe('kept-api')).toBeDefined();
    expect(a.auditor.events.filter(e => e.outcome === 'failure')).toEqual([
      expect.objectContaining({
        eventId: 'decommission-authorization',
        meta: expect.objectContaining({
          actor: DANA,
          entityRef: 'group:default/payments-team',
          service: 'component:default/kept-api',
          decision: 'deny',
        }),
      }),
      expect.objectContaining({ eventId: 'decommission-authorization' }),
    ]);
  });

  it('refuses resources created by different tasks, or by another template, with a clear message', async () => {
    const a = actions();
    task('task-8', 'mixed-api');
    task('task-9', 'mixed-api');
    await a.createEcr.handler(
      actionContext({ name: 'mixed-api' }, { task: 'task-8' }).ctx,
    );
    await a.createRole.handler(
      actionContext(
        { name: 'mixed-api', namespace: 'mixed' },
        { task: 'task-9' },
      ).ctx,
    );
    h.sb.faults.resetCounters();
    const mixed = await a.deleteEcr
      .handler(actionContext({ name: 'mixed-api' }).ctx)
      .catch(e => e);
    expect(mixed).toBeInstanceOf(ConflictError);
    expect(mixed.message).toBe(
      'component:default/mixed-api is not in the catalog and its resources were created by different tasks (ECR repository mixed-api: task-8; IAM role mixed-api: task-9); Slipway cannot tell who owns them. A platform team member removes them by hand.',
    );

    task('task-10', 'odd-api', 'template:default/something-else');
    await a.createEcr.handler(
      actionContext({ name: 'odd-api' }, { task: 'task-10' }).ctx,
    );
    const odd = await a.deleteEcr
      .handler(actionContext({ name: 'odd-api' }).ctx)
      .catch(e => e);
    expect(odd).toBeInstanceOf(ConflictError);
    expect(odd.message).toContain(
      'created by task task-10, which is not a template:default/service run for odd-api',
    );
    expect(h.sb.faults.mutations().aws ?? {}).toEqual(
      expect.not.objectContaining({
        'ecr:DeleteRepository': expect.anything(),
      }),
    );
  });
});
