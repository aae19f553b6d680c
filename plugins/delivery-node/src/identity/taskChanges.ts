import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  ownerTagValue,
  serviceAdoptPermission,
  serviceDeletePermission,
} from '@internal/backstage-plugin-delivery-common';
import type { CreationClaim } from '../aws/ownership';
import { bindingOf, ServiceAccess } from './ServiceAccess';

/** What a scaffolder action hands to {@link authorizeDecommission}. @public */
export interface DecommissionContext {
  input: { entityRef?: unknown; name?: unknown };
  getInitiatorCredentials(): Promise<BackstageCredentials>;
  logger: { info(message: string): void };
}

/**
 * The first thing every decommission action does: the task's initiator must
 * hold `slipway.service.delete` on the Component named by `entityRef`
 * (its owners, or a platform group), audited. Returns the service's name
 * and the binding its resources must carry; the action then touches only
 * resources bound to exactly that entity.
 *
 * @public
 */
export async function authorizeDecommission(
  access: ServiceAccess,
  ctx: DecommissionContext,
  step: string,
): Promise<{ entityRef: string; name: string; binding: string }> {
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
