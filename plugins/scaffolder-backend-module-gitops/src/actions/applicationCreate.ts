import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  chartPathOf,
  checkServiceName,
  checkServiceNamespace,
  OWNER_TAG,
  ownerTagValue,
  serviceNamespaceInput,
  TASK_TAG,
  creationInputs,
  chartPathInput,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoCdInstances,
  ArgoCdSettings,
  checkChartPath,
  creationClaim,
  isOwnedBy,
  ServiceAccess,
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { applicationDifferences, buildApplication } from './application';
import { examples } from './applicationCreate.examples';

/** What `argocd:application:create` needs from the module. @public */
export interface ApplicationCreateActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  instances: ArgoCdInstances;
  settings: ArgoCdSettings;
  /** The helm-charts repository the Application deploys from. */
  helmCharts: { cloneUrl: string; branch: string };
  environments: string[];
  /** Decides `adopt` (owners of the service, or a platform group). */
  access: ServiceAccess;
  /** `slipway.reservedNamespaces`, refused besides kube-*, default and argocd. */
  reservedNamespaces?: string[];
}

const GIT_REF = /^[A-Za-z0-9._/-]{1,200}$/;

/** Throws InputError when the instance name is unknown; returns its client. */
export function instanceOf(instances: ArgoCdInstances, name?: string) {
  if (name !== undefined && !/^[A-Za-z0-9._-]{1,63}$/.test(name)) {
    throw new InputError(`instance must be an instance name (got '${name}')`);
  }
  return instances.get(name);
}

/**
 * `argocd:application:create`: creates the service's Argo CD Application
 * (helm-charts, charts/<name>, values-<env>.yaml, automated prune and
 * self-heal). Project and destination cluster come from config only. A
 * Retry takes back the Application its task created (and with `upsert`
 * updates it); an existing Application another run created is refused
 * unless the service's owners adopt it on purpose; one bound to anyone else
 * is always refused.
 *
 * @public
 */
export function createApplicationCreateAction(
  options: ApplicationCreateActionOptions,
) {
  const {
    instances,
    settings,
    helmCharts,
    environments,
    access,
    reservedNamespaces = [],
  } = options;
  return createTemplateAction({
    id: 'argocd:application:create',
    description:
      "Creates the service's Argo CD Application from its chart in the helm-charts repository (automated sync with prune and self-heal). The Argo CD project and destination cluster come from the portal's configuration, never from the template.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...creationInputs(
          'Service name; also the Application name and the chart folder charts/<name>.',
        ),
        namespace: z =>
          serviceNamespaceInput(
            z,
            'Kubernetes namespace to deploy into (created by Argo CD if missing).',
          ),
        environment: z =>
          z
            .string({
              description: `Which values-<env>.yaml the Application uses. Default: the first of slipway.gitops.environments.`,
            })
            .optional(),
        instance: z =>
          z
            .string({
              description:
                'Argo CD instance name (argocd.appLocatorMethods). Default: slipway.argocd.defaultInstance, else the first.',
            })
            .optional(),
        upsert: z =>
          z
            .boolean({
              description:
                "Update the Application this task created when it differs (a Retry with changed input). Default false (a difference is a conflict). Another run's Application is only changed with adopt.",
            })
            .optional(),
        autoscaling: z =>
          z
            .boolean({
              description:
                'The chart enables an HPA: Argo CD then ignores differences in the Deployment replica count. Default false.',
            })
            .optional(),
        targetRevision: z =>
          z
            .string({
              description:
                'Git branch, tag or commit Argo CD deploys. Default: the helm-charts branch.',
            })
            .optional(),
        chartPath: z => chartPathInput(z),
      },
      output: {
        appName: z => z.string({ description: 'The Application name.' }),
        appUrl: z =>
          z.string({
            description: "The Application's page in the Argo CD UI.",
          }),
        instance: z =>
          z.string({ description: 'The Argo CD instance it was created on.' }),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        {
          ...options.reporting,
          action: 'argocd:application:create',
          creating: true,
        },
        async () => {
          const { name, namespace } = ctx.input;
          const environment = ctx.input.environment ?? environments[0];
          const targetRevision = ctx.input.targetRevision ?? helmCharts.branch;
          const chartPath = ctx.input.chartPath ?? chartPathOf(name);
          assertValid(
            checkServiceName(name),
            checkServiceNamespace(namespace, 'namespace', reservedNamespaces),
            environments.includes(environment)
              ? undefined
              : `environment must be one of ${environments.join(
                  ', ',
                )} (got '${environment}')`,
            GIT_REF.test(targetRevision) && !targetRevision.includes('..')
              ? undefined
              : `targetRevision must be a branch, tag or commit (got '${targetRevision}')`,
            checkChartPath(chartPath, name),
          );
          const client = instanceOf(instances, ctx.input.instance);
          const claim = await creationClaim(
            access,
            ctx,
            name,
            'argocd:application:create',
          );
          const wanted = buildApplication(
            {
              name,
              namespace,
              environment,
              chartPath,
              targetRevision,
              autoscaling: ctx.input.autoscaling ?? false,
              repoURL: helmCharts.cloneUrl,
              task: claim.task,
            },
            settings,
          );
          const appUrl = client.applicationUrl(name, settings.namespace);

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would create Argo CD application ${name} on ${client.name} (project ${settings.project}, ${chartPath}, values-${environment}.yaml)`,
            );
            ctx.output('appName', name);
            ctx.output('appUrl', appUrl);
            ctx.output('instance', client.name);
            return;
          }

          ctx.logger.info(
            `Creating Argo CD application ${name} on ${client.name} (project ${settings.project}, ${chartPath}, values-${environment}.yaml)`,
          );
          const outcome = await ctx.checkpoint({
            key: `argocd.application.create.${name}`,
            fn: async () => {
              const existing = await client.findApplication(name);
              if (!existing) {
                await client.createApplication(wanted, { upsert: false });
                return 'created';
              }
              if (!isOwnedBy(existing, name)) {
                throw new ConflictError(
                  `Argo CD application '${name}' already exists on ${
                    client.name
                  } and is not owned by ${ownerTagValue(
                    name,
                  )} (label ${OWNER_TAG}); not touching it`,
                );
              }
              const createdBy = existing.metadata?.annotations?.[TASK_TAG];
              if (!claim.adopt && createdBy !== claim.task) {
                throw new ConflictError(
                  `Argo CD application '${name}' on ${
                    client.name
                  } already exists for ${
                    claim.owner
                  } and was not created by this run (${
                    createdBy
                      ? `task ${createdBy} created it`
                      : `no ${TASK_TAG}`
                  }). Creating a service never takes over existing resources; the service's owners adopt it on purpose with the 'adopt' input.`,
                );
              }
              const diffs = applicationDifferences(existing, wanted);
              if (diffs.length === 0) return 'adopted';
              if (!ctx.input.upsert && !claim.adopt) {
                throw new ConflictError(
                  `Argo CD application '${name}' on ${
                    client.name
                  } differs in ${diffs.join(', ')}; set upsert to update it`,
                );
              }
              await client.createApplication(wanted, { upsert: true });
              return 'updated';
            },
          });
          ctx.logger.info(
            {
              created: `Created Argo CD application ${name}: ${appUrl}`,
              adopted: `Argo CD application ${name} already exists as wanted; adopted it`,
              updated: `Updated Argo CD application ${name}: ${appUrl}`,
            }[outcome],
          );
          ctx.output('appName', name);
          ctx.output('appUrl', appUrl);
          ctx.output('instance', client.name);
        },
      );
    },
  });
}
