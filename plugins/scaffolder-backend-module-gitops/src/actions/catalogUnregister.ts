import {
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { AuthService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATIONS,
  OWNER_TAG,
  serviceDeletePermission,
} from '@internal/backstage-plugin-delivery-common';
import {
  ownerLabelValue,
  ServiceAccess,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './catalogUnregister.examples';

const ENTITY_REF = /^component:[a-z0-9-]+\/[a-z0-9][-a-z0-9]*$/;
const MANAGED_BY = 'backstage.io/managed-by-location';

/**
 * `catalog:unregister`: removes a Slipway service's entity from the catalog
 * by deleting the Location it was registered from. The task's initiator
 * must own the entity (or belong to a platform group); only entities that
 * Slipway provisioned (they carry `argocd/app-selector` on their own owner
 * label, or, made before environments, `argocd/app-name` equal to their
 * name) are touched, and only a Location that holds this entity alone is
 * removed (with the scaffolder's own credentials: users do not remove
 * Locations under Slipway's policy). A missing entity is success.
 *
 * @public
 */
export function createCatalogUnregisterAction(options: {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  catalog: CatalogService;
  access: ServiceAccess;
  auth: AuthService;
}) {
  const { catalog, access, auth } = options;
  return createTemplateAction({
    id: 'catalog:unregister',
    description:
      "Unregisters a Slipway service's entity: deletes the Location it came from when that Location holds this entity only. The task's initiator must own the entity.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string({
            description: 'The Component, e.g. component:default/orders.',
          }),
      },
      output: {
        removed: z =>
          z.boolean({ description: 'Whether a Location was removed.' }),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'catalog:unregister' },
        async () => {
          const { entityRef } = ctx.input;
          if (!ENTITY_REF.test(entityRef)) {
            throw new InputError(
              `entityRef must name a Component as component:<namespace>/<name> (got '${entityRef}')`,
            );
          }
          const credentials = await ctx.getInitiatorCredentials();
          const existing = await catalog.getEntityByRef(entityRef, {
            credentials,
          });
          if (!existing) {
            ctx.logger.info(
              `${entityRef} is not in the catalog; nothing to unregister`,
            );
            ctx.output('removed', false);
            return;
          }
          const { entity } = await access.authorize({
            action: 'decommission',
            entityRef,
            permission: serviceDeletePermission,
            credentials,
            meta: { step: 'catalog:unregister' },
          });
          const annotations = entity.metadata.annotations ?? {};
          const name = entity.metadata.name;
          if (
            annotations[ANNOTATIONS.argocdAppSelector] !==
              `${OWNER_TAG}=${ownerLabelValue(name)}` &&
            annotations[ANNOTATIONS.argocdAppName] !== name
          ) {
            throw new InputError(
              `${entityRef} was not created by Slipway (no ${ANNOTATIONS.argocdAppSelector} on its own owner label, nor ${ANNOTATIONS.argocdAppName} naming it); refusing to unregister it`,
            );
          }
          if (ctx.isDryRun) {
            ctx.logger.info(`Dry run: would unregister ${entityRef}`);
            ctx.output('removed', true);
            return;
          }
          const removed = await ctx.checkpoint({
            key: `catalog.unregister.${entityRef}`,
            fn: async () => {
              const service = await auth.getOwnServiceCredentials();
              const locationRef = entity.metadata.annotations?.[MANAGED_BY];
              const location = locationRef
                ? await catalog.getLocationByRef(locationRef, {
                    credentials: service,
                  })
                : undefined;
              if (!location) {
                // Its Location is gone (a run that failed after removing it, or
                // an earlier clean-up): the entity is an orphan; remove it so a
                // Retry finishes.
                if (!entity.metadata.uid) return false;
                await catalog.removeEntityByUid(entity.metadata.uid, {
                  credentials: service,
                });
                ctx.logger.info(
                  `${entityRef} had no registered Location; removed the orphaned entity`,
                );
                return true;
              }
              const { items } = await catalog.getEntities(
                {
                  filter: {
                    [`metadata.annotations.${MANAGED_BY}`]: locationRef!,
                  },
                  fields: ['kind', 'metadata.namespace', 'metadata.name'],
                },
                { credentials: service },
              );
              // The catalog's own Location entity for it carries the same
              // annotation; anything else means the file holds other entities.
              const others = items.filter(e => e.kind !== 'Location');
              if (others.length > 1) {
                throw new ConflictError(
                  `The Location of ${entityRef} (${
                    location.target
                  }) also holds ${
                    others.length - 1
                  } other entit(ies); not removing it. Remove ${entityRef} from that file instead.`,
                );
              }
              await catalog.removeLocationById(location.id, {
                credentials: service,
              });
              // As the catalog's own "Unregister entity" does: the Location
              // first, then the entity it produced.
              if (entity.metadata.uid) {
                await catalog.removeEntityByUid(entity.metadata.uid, {
                  credentials: service,
                });
              }
              ctx.logger.info(
                `Unregistered ${entityRef} (Location ${location.target})`,
              );
              return true;
            },
          });
          ctx.output('removed', removed);
        },
      );
    },
  });
}
