import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkServiceName,
  OWNER_TAG,
  decommissionInputs,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoCdInstances,
  authorizeDecommission,
  isBoundTo,
  ServiceAccess,
  runProvisioningStep,
  StepReporting,
  HalfCreatedServices,
} from '@internal/backstage-plugin-delivery-node';
import { instanceOf } from './applicationCreate';
import { examples } from './applicationDelete.examples';

/** What `argocd:application:delete` needs from the module. @public */
export interface ApplicationDeleteActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  /** Finds and authorizes a service that never reached the catalog. */
  halfCreated?: HalfCreatedServices;
  instances: ArgoCdInstances;
  access: ServiceAccess;
}

/**
 * `argocd:application:delete`: deletes the service's Application with its
 * resources (cascade), only when it carries the service's owner label; a
 * missing Application is success.
 *
 * @public
 */
export function createApplicationDeleteAction(
  options: ApplicationDeleteActionOptions,
) {
  const { instances, access } = options;
  return createTemplateAction({
    id: 'argocd:application:delete',
    description:
      "Deletes a service's Argo CD Application and the resources it deployed (cascade). Only Applications labelled as owned by the service are deleted; a missing one is success.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...decommissionInputs(
          "The Application (service) name; when given it must be the entity's name.",
        ),
        instance: z =>
          z
            .string({
              description:
                'Argo CD instance name. Default: slipway.argocd.defaultInstance, else the first.',
            })
            .optional(),
      },
      output: {
        deleted: z =>
          z.boolean({
            description: 'False when the Application was not there.',
          }),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'argocd:application:delete' },
        async () => {
          const { name, entityRef, binding } = await authorizeDecommission(
            access,
            ctx,
            'argocd:application:delete',
            options.halfCreated,
          );
          assertValid(checkServiceName(name));
          const client = instanceOf(instances, ctx.input.instance);

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would delete Argo CD application ${name} on ${client.name} (cascade)`,
            );
            ctx.output('deleted', true);
            return;
          }

          const deleted = await ctx.checkpoint({
            key: `argocd.application.delete.${name}`,
            fn: async () => {
              const existing = await client.findApplication(name);
              if (!existing) return false;
              if (!isBoundTo(existing, binding)) {
                throw new ConflictError(
                  `Argo CD application '${name}' on ${client.name} is not bound to ${entityRef} (${OWNER_TAG}); not deleting it`,
                );
              }
              try {
                await client.deleteApplication(name, { cascade: true });
              } catch (e) {
                if ((e as Error).name !== 'NotFoundError') throw e;
                return false;
              }
              return true;
            },
          });
          ctx.logger.info(
            deleted
              ? `Deleted Argo CD application ${name} on ${client.name} (cascade)`
              : `Argo CD application ${name} was not there; nothing to delete`,
          );
          ctx.output('deleted', deleted);
        },
      );
    },
  });
}
