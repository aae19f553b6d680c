import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  ownerTagValue,
  serviceAdoptPermission,
  serviceCreatePermission,
  serviceDeletePermission,
} from '@internal/backstage-plugin-delivery-common';
import type { CreationClaim } from '../aws/ownership';
import type { ServiceInventory } from '../inventory/ServiceInventory';
import {
  ServiceTask,
  serviceParameters,
  ServiceTasks,
} from '../inventory/tasks';
import {
  actorOf,
  bindingOf,
  parseEntityRefInput,
  ServiceAccess,
} from './ServiceAccess';

/** What a scaffolder action hands to {@link authorizeDecommission}. @public */
export interface DecommissionContext {
  input: { entityRef?: unknown; name?: unknown };
  getInitiatorCredentials(): Promise<BackstageCredentials>;
  logger: { info(message: string): void };
}

/**
 * What a decommission action needs to remove a half-created service: one
 * whose creation failed before `catalog:register`, so it is not in the
 * catalog. Its resources are found by their binding and creating task, and
 * that task says who owns them.
 *
 * @public
 */
export interface HalfCreatedServices {
  inventory: ServiceInventory;
  tasks: ServiceTasks;
  /** The template whose tasks create services. Default template:default/service. */
  serviceTemplateRef?: string;
}

/**
 * The first thing every decommission action does: the task's initiator must
 * hold `slipway.service.delete` on the Component named by `entityRef`
 * (its owners, or a platform group), audited. Returns the service's name
 * and the binding its resources must carry; the action then touches only
 * resources bound to exactly that entity.
 *
 * With `halfCreated`, a Component that is not in the catalog (its creation
 * failed before `catalog:register`) is decided by
 * {@link authorizeHalfCreatedDecommission} instead.
 *
 * @public
 */
export async function authorizeDecommission(
  access: ServiceAccess,
  ctx: DecommissionContext,
  step: string,
  halfCreated?: HalfCreatedServices,
): Promise<{ entityRef: string; name: string; binding: string }> {
  if (halfCreated) {
    // Whether the catalog holds it at all (as Slipway sees it, not as the
    // initiator does: an entity hidden from them is not "half-created").
    const ref = parseEntityRefInput(ctx.input.entityRef);
    const { name } = parseEntityRef(ref);
    const entries = await halfCreated.inventory.lookup(name, {
      only: ['catalog'],
      strict: true,
    });
    if (
      !entries.some(
        e => e.exists && e.binding?.toLowerCase() === bindingOf(ref),
      )
    ) {
      return authorizeHalfCreatedDecommission(access, ctx, step, halfCreated);
    }
  }
  const { entity, entityRef } = await access.authorize({
    action: 'decommission',
    entityRef: ctx.input.entityRef,
    permission: serviceDeletePermission,
    credentials: await ctx.getInitiatorCredentials(),
    meta: { step },
  });
  if (entity.kind.toLowerCase() !== 'component') {
    throw new InputError(`entityRef must name a Component (got ${entityRef})`);
  }
  const name = entity.metadata.name;
  if (ctx.input.name !== undefined && ctx.input.name !== name) {
    throw new InputError(
      `name '${String(ctx.input.name)}' is not ${entityRef}'s name (${name})`,
    );
  }
  ctx.logger.info(`Allowed to decommission ${entityRef}`);
  return { entityRef, name, binding: bindingOf(entityRef) };
}

/**
 * Decides the decommission of a service that is not in the catalog. Its
 * resources are found by binding (`slipway.io/owner` =
 * `component:default/<name>`); they must all name one creating task
 * (`slipway.io/task`), a "Create component" task for this very service.
 * Only the owners may go on: members of the owner Group that task named
 * (`slipway.service.create` on that Group, the decision that allowed the
 * creation, audited as a decommission), or a platform group. Resources
 * bound to another entity, or to none, are never touched (the actions
 * check each binding again). The app repository stays; its link is logged
 * so the owners can delete or archive it.
 *
 * @public
 */
export async function authorizeHalfCreatedDecommission(
  access: ServiceAccess,
  ctx: DecommissionContext,
  step: string,
  services: HalfCreatedServices,
): Promise<{ entityRef: string; name: string; binding: string }> {
  const entityRef = parseEntityRefInput(ctx.input.entityRef);
  const parsed = parseEntityRef(entityRef);
  if (parsed.kind !== 'component' || parsed.namespace !== 'default') {
    throw new InputError(
      `${entityRef} is not in the catalog; a service that never reached it is named component:default/<name>`,
    );
  }
  const { name } = parsed;
  if (ctx.input.name !== undefined && ctx.input.name !== name) {
    throw new InputError(
      `name '${String(ctx.input.name)}' is not ${entityRef}'s name (${name})`,
    );
  }
  const binding = bindingOf(entityRef);
  const items = await services.inventory.lookup(name, { strict: true });
  const bound = items.filter(
    i =>
      i.exists && i.kind !== 'catalog' && i.binding?.toLowerCase() === binding,
  );
  if (!bound.length) {
    ctx.logger.info(
      `${entityRef} is not in the catalog and nothing bound to it remains; nothing to decommission`,
    );
    return { entityRef, name, binding };
  }
  const tasks = [...new Set(bound.map(i => i.task).filter(Boolean))];
  if (tasks.length !== 1) {
    throw new ConflictError(
      tasks.length
        ? `${entityRef} is not in the catalog and its resources were created by different tasks (${bound
            .map(i => `${i.label}: ${i.task ?? 'no task'}`)
            .join(
              '; ',
            )}); Slipway cannot tell who owns them. A platform team member removes them by hand.`
        : `${entityRef} is not in the catalog and none of its resources (${bound
            .map(i => i.label)
            .join(
              ', ',
            )}) names the task that created it; Slipway cannot tell who owns them. A platform team member removes them by hand.`,
    );
  }
  const taskId = tasks[0]!;
  let task: ServiceTask;
  try {
    task = await services.tasks.getTask(taskId);
  } catch (e) {
    if ((e as Error)?.name !== 'NotFoundError') throw e;
    throw new ConflictError(
      `${entityRef} is not in the catalog and task ${taskId}, which created its resources, no longer exists; Slipway cannot tell who owns them. A platform team member removes them by hand.`,
    );
  }
  const template = services.serviceTemplateRef ?? 'template:default/service';
  const params = serviceParameters(task);
  const taskTemplate = task.spec.templateInfo?.entityRef;
  if (taskTemplate?.toLowerCase() !== template || params.name !== name) {
    throw new ConflictError(
      `${entityRef}'s resources were created by task ${taskId}, which is not a ${template} run for ${name} (template ${
        taskTemplate ?? 'unknown'
      }, service ${params.name ?? 'unknown'}); refusing to remove them`,
    );
  }
  let group: string;
  try {
    group = stringifyEntityRef(
      parseEntityRef(params.owner ?? '', { defaultKind: 'group' }),
    );
  } catch {
    throw new ConflictError(
      `Task ${taskId}, which created ${entityRef}'s resources, names no owner Group; refusing to remove them`,
    );
  }
  const credentials = await ctx.getInitiatorCredentials();
  try {
    await access.authorize({
      action: 'decommission',
      entityRef: group,
      permission: serviceCreatePermission,
      credentials,
      meta: { step, service: entityRef, task: taskId, halfCreated: true },
    });
  } catch (e) {
    if ((e as Error)?.name !== 'NotAllowedError') throw e;
    throw new NotAllowedError(
      `${actorOf(
        credentials,
      )} may not decommission ${entityRef}: it is not in the catalog, and only members of ${group} (the owners task ${taskId} created it for) or a platform group may remove what it left`,
    );
  }
  ctx.logger.info(
    `Allowed to decommission ${entityRef}, which is not in the catalog: task ${taskId} created ${bound
      .map(i => i.label)
      .join(', ')} for ${group}`,
  );
  if (params.repo) {
    const [repo] = await services.inventory.lookup(name, {
      repo: params.repo,
      only: ['repository'],
    });
    const where =
      repo?.url ??
      `${params.repo.host}/${params.repo.owner}/${params.repo.repo}`;
    ctx.logger.info(
      repo?.exists === false
        ? `The app repository ${where} does not exist`
        : `The app repository ${where} stays: delete or archive it on GitHub when the team is done with it`,
    );
  }
  return { entityRef, name, binding };
}

/** What a creating scaffolder action hands to {@link creationClaim}. @public */
export interface CreationContext {
  input: { adopt?: unknown };
  task?: { id: string };
  getInitiatorCredentials(): Promise<BackstageCredentials>;
  logger: { info(message: string): void };
}

/**
 * The claim a creating action makes on the resources it would create for
 * service `name`: bound to `component:default/<name>`, tagged with the task's
 * id (so a Retry takes back exactly what this task created), and, only when
 * the `adopt` input is true and the initiator holds `slipway.service.adopt`
 * on that Component (audited), allowed to take existing ones.
 *
 * @public
 */
export async function creationClaim(
  access: ServiceAccess,
  ctx: CreationContext,
  name: string,
  step: string,
): Promise<CreationClaim> {
  const owner = ownerTagValue(name);
  if (ctx.input.adopt !== undefined && typeof ctx.input.adopt !== 'boolean') {
    throw new InputError('adopt must be true or false');
  }
  if (ctx.input.adopt === true) {
    await access.authorize({
      action: 'adopt',
      entityRef: owner,
      permission: serviceAdoptPermission,
      credentials: await ctx.getInitiatorCredentials(),
      meta: { step },
    });
    ctx.logger.info(`Allowed to adopt the existing resources of ${owner}`);
  }
  return { owner, task: ctx.task?.id, adopt: ctx.input.adopt === true };
}
