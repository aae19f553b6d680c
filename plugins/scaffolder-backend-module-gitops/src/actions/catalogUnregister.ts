import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ANNOTATIONS } from '@internal/backstage-plugin-delivery-common';
import { examples } from './catalogUnregister.examples';

const ENTITY_REF = /^component:[a-z0-9-]+\/[a-z0-9][-a-z0-9]*$/;

/**
 * `catalog:unregister`: removes a Slipway service's entity from the catalog
 * by deleting the Location it was registered from (the catalog's own
 * "Unregister entity"), with the initiating user's credentials. Only
 * entities that Slipway provisioned (they carry `argocd/app-name` equal to
 * their name) are touched; a missing entity is success. The last step of
 * the decommission template.
 *
 * @public
 */
export function createCatalogUnregisterAction(options: {
  catalog: CatalogService;
}) {
  const { catalog } = options;
  return createTemplateAction({
    id: 'catalog:unregister',
    description:
      "Unregisters a Slipway service's entity: deletes the Location it came from, with the user's credentials.",
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
      const { entityRef } = ctx.input;
      if (!ENTITY_REF.test(entityRef)) {
        throw new InputError(
          `entityRef must name a Component as component:<namespace>/<name> (got '${entityRef}')`,
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would unregister ${entityRef}`);
        ctx.output('removed', true);
        return;
      }
      const removed = await ctx.checkpoint({
        key: `catalog.unregister.${entityRef}`,
        fn: async () => {
          const entity = await catalog.getEntityByRef(entityRef, {
            credentials,
          });
          if (!entity) {
            ctx.logger.info(
              `${entityRef} is not in the catalog; nothing to unregister`,
            );
            return false;
          }
          if (
            entity.metadata.annotations?.[ANNOTATIONS.argocdAppName] !==
            entity.metadata.name
          ) {
            throw new InputError(
              `${entityRef} was not created by Slipway (no ${ANNOTATIONS.argocdAppName} annotation naming it); refusing to unregister it`,
            );
          }
          const locationRef =
            entity.metadata.annotations?.['backstage.io/managed-by-location'];
          const location = locationRef
            ? await catalog.getLocationByRef(locationRef, { credentials })
            : undefined;
          if (!location) {
            ctx.logger.info(
              `${entityRef} has no registered Location; nothing to unregister`,
            );
            return false;
          }
          await catalog.removeLocationById(location.id, { credentials });
          ctx.logger.info(
            `Unregistered ${entityRef} (Location ${location.target})`,
          );
          return true;
        },
      });
      ctx.output('removed', removed);
    },
  });
}
