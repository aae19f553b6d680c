import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { serviceDeletePermission } from '@internal/backstage-plugin-delivery-common';
import { bindingOf, ServiceAccess } from './ServiceAccess';

/** The `entityRef` input every decommission action takes, described once. @public */
export const DECOMMISSION_ENTITY_REF_DESCRIPTION =
  'The Component being decommissioned, e.g. component:default/orders. The task initiator must own it (or belong to a platform group); only resources bound to exactly this entity are touched.';

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
