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
  EnvironmentSettings,
  serviceApplications,
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
  /** `slipway.environments`: the service's `<name>-<env>` Applications. Default: none (only `<name>`). */
  environments?: EnvironmentSettings[];
}

/**
 * `argocd:application:delete`: deletes the service's Applications (one per
 * environment, and the older single `<name>` one) with their resources
 * (cascade), only when each carries the service's owner label; missing
 * Applications are success.
 *
 * @public
 */
export function createApplicationDeleteAction(
  options: ApplicationDeleteActionOptions,
) {
  const { instances, access, environments = [] } = options;
  return createTemplateAction({
    id: 'argocd:application:delete',
    description:
      "Deletes a service's Argo CD Applications (<name>-<env> for each environment of slipway.environments, and <name>) and the resources they deployed (cascade). Only Applications labelled as owned by the service are deleted, and none is deleted while one is bound to another entity; missing ones are success.",
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
                'Argo CD instance of the older <name> Application and of environments whose config names none. Default: slipway.argocd.defaultInstance, else the first.',
            })
            .optional(),
      },
      output: {
        deleted: z =>
          z.boolean({
            description: 'False when no Application was there.',
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
          // Each environment's Application on its instance, and the single
          // <name> one of services made before environments.
          const apps = serviceApplications(environments, name).map(a => ({
            appName: a.appName,
            client: instanceOf(instances, a.instance ?? ctx.input.instance),
          }));

          if (ctx.isDryRun) {
            for (const { appName, client } of apps) {
              ctx.logger.info(
                `Dry run: would delete Argo CD application ${appName} on ${client.name} (cascade), if it exists`,
              );
            }
            ctx.output('deleted', true);
            return;
          }

          // Every one is checked before the first is deleted: one bound to
          // another entity stops the step with nothing removed.
          const found = [];
          for (const a of apps) {
            const existing = await a.client.findApplication(a.appName);
            if (!existing) continue;
            if (!isBoundTo(existing, binding)) {
              throw new ConflictError(
                `Argo CD application '${a.appName}' on ${a.client.name} is not bound to ${entityRef} (${OWNER_TAG}); not deleting it`,
              );
            }
            found.push(a);
          }
          let deleted = false;
          for (const { appName, client } of found) {
            const gone = await ctx.checkpoint({
              key: `argocd.application.delete.${appName}`,
              fn: async () => {
                try {
                  await client.deleteApplication(appName, { cascade: true });
                } catch (e) {
                  if ((e as Error).name !== 'NotFoundError') throw e;
                  return false;
                }
                return true;
              },
            });
            ctx.logger.info(
              gone
                ? `Deleted Argo CD application ${appName} on ${client.name} (cascade)`
                : `Argo CD application ${appName} was already gone`,
            );
            deleted ||= gone;
          }
          if (found.length === 0) {
            ctx.logger.info(
              `No Argo CD application of ${name} was there; nothing to delete`,
            );
          }
          ctx.output('deleted', deleted);
        },
      );
    },
  });
}
