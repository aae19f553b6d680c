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
  applicationNameOf,
  ArgoApplication,
  ArgoCdInstances,
  ArgoCdSettings,
  CreationClaim,
  EnvironmentSettings,
  namespaceIn,
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
  /** `slipway.environments` (readEnvironments): where each environment's Application goes. */
  environments: EnvironmentSettings[];
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

/** One Application the action makes: its environment, name and instance. */
interface Planned {
  /** The service, whose owner tag the Application must carry. */
  service: string;
  environment: string;
  appName: string;
  client: ReturnType<typeof instanceOf>;
  wanted: ReturnType<typeof buildApplication>;
  appUrl: string;
}

/**
 * `argocd:application:create`: creates one Argo CD Application per chosen
 * environment, `<name>-<env>`, on the environment's instance and
 * destination from `slipway.environments` (helm-charts, charts/<name>,
 * values.yaml + values-<env>.yaml, automated prune and self-heal). Project
 * and destinations come from config only. A Retry takes back the
 * Applications its task created (and with `upsert` updates them); an
 * existing Application another run created is refused unless the
 * service's owners adopt it on purpose; one bound to anyone else is always
 * refused. Every Application is checked before the first is created.
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
  const names = environments.map(e => e.name);
  return createTemplateAction({
    id: 'argocd:application:create',
    description:
      "Creates the service's Argo CD Applications, one per environment (<name>-<env>), from its chart in the helm-charts repository (automated sync with prune and self-heal). The Argo CD instance, project and destination of each come from the portal's configuration (slipway.environments), never from the template.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...creationInputs(
          'Service name; the chart folder charts/<name> and the Applications <name>-<env>.',
        ),
        namespace: z =>
          serviceNamespaceInput(
            z,
            "The service's namespace; each environment's namespace pattern (slipway.environments) turns it into the namespace deployed to, created by Argo CD if missing.",
          ),
        environments: z =>
          z
            .array(z.string(), {
              description: `Environments to create an Application for, of ${names.join(
                ', ',
              )}. Default: the first.`,
            })
            .optional(),
        environment: z =>
          z
            .string({
              description:
                'One environment (the older form of environments). Not with environments.',
            })
            .optional(),
        instance: z =>
          z
            .string({
              description:
                'Argo CD instance name (argocd.appLocatorMethods) for environments whose config names none. Default: slipway.argocd.defaultInstance, else the first.',
            })
            .optional(),
        upsert: z =>
          z
            .boolean({
              description:
                "Update the Applications this task created when they differ (a Retry with changed input). Default false (a difference is a conflict). Another run's Application is only changed with adopt.",
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
        appName: z =>
          z.string({
            description: "The first environment's Application name.",
          }),
        appUrl: z =>
          z.string({
            description:
              "The first environment's Application page in the Argo CD UI.",
          }),
        instance: z =>
          z.string({
            description:
              "The Argo CD instance the first environment's Application is on.",
          }),
        applications: z =>
          z.array(
            z.object({
              environment: z.string(),
              appName: z.string(),
              appUrl: z.string(),
              instance: z.string(),
            }),
            { description: 'Every Application, in promotion order.' },
          ),
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
          const targetRevision = ctx.input.targetRevision ?? helmCharts.branch;
          const chartPath = ctx.input.chartPath ?? chartPathOf(name);
          if (ctx.input.environments && ctx.input.environment) {
            throw new InputError('Give environments or environment, not both');
          }
          const chosen = ctx.input.environments ?? [
            ctx.input.environment ?? names[0],
          ];
          // In promotion order, whatever order the template lists them in.
          const envs = environments.filter(e => chosen.includes(e.name));
          assertValid(
            checkServiceName(name),
            checkServiceNamespace(namespace, 'namespace', reservedNamespaces),
            ...chosen.map(e =>
              names.includes(e)
                ? undefined
                : `environments must be of ${names.join(', ')} (got '${e}')`,
            ),
            chosen.length === 0 ? 'environments must not be empty' : undefined,
            ...envs.map(e =>
              checkServiceNamespace(
                namespaceIn(e, namespace),
                `namespace in ${e.name}`,
                reservedNamespaces,
              ),
            ),
            ...envs.map(e =>
              applicationNameOf(name, e.name).length <= 63
                ? undefined
                : `The Application ${applicationNameOf(
                    name,
                    e.name,
                  )} would be longer than 63 characters; choose a shorter name`,
            ),
            GIT_REF.test(targetRevision) && !targetRevision.includes('..')
              ? undefined
              : `targetRevision must be a branch, tag or commit (got '${targetRevision}')`,
            checkChartPath(chartPath, name),
          );
          const claim = await creationClaim(
            access,
            ctx,
            name,
            'argocd:application:create',
          );
          const planned: Planned[] = envs.map(env => {
            const client = instanceOf(
              instances,
              env.argocd.instance ?? ctx.input.instance,
            );
            const appName = applicationNameOf(name, env.name);
            return {
              service: name,
              environment: env.name,
              appName,
              client,
              appUrl: client.applicationUrl(appName, settings.namespace),
              wanted: buildApplication(
                {
                  name,
                  appName,
                  environment: env.name,
                  destination: {
                    ...env.argocd.destination,
                    namespace: namespaceIn(env, namespace),
                  },
                  chartPath,
                  targetRevision,
                  autoscaling: ctx.input.autoscaling ?? false,
                  repoURL: helmCharts.cloneUrl,
                  task: claim.task,
                },
                settings,
              ),
            };
          });
          const where = (p: Planned) =>
            `${p.appName} on ${p.client.name} (project ${settings.project}, ${
              p.wanted.spec.destination.name ?? p.wanted.spec.destination.server
            }/${p.wanted.spec.destination.namespace}, values-${
              p.environment
            }.yaml)`;
          const outputs = () => {
            ctx.output('appName', planned[0].appName);
            ctx.output('appUrl', planned[0].appUrl);
            ctx.output('instance', planned[0].client.name);
            ctx.output(
              'applications',
              planned.map(p => ({
                environment: p.environment,
                appName: p.appName,
                appUrl: p.appUrl,
                instance: p.client.name,
              })),
            );
          };

          if (ctx.isDryRun) {
            for (const p of planned) {
              ctx.logger.info(
                `Dry run: would create Argo CD application ${where(p)}`,
              );
            }
            outputs();
            return;
          }

          // Every Application is judged before the first is created: one
          // that belongs to someone else stops the step with nothing made.
          const todo: Array<{
            p: Planned;
            action: 'create' | 'update' | 'keep';
          }> = [];
          for (const p of planned) {
            const existing = await p.client.findApplication(p.appName);
            todo.push({
              p,
              action: judge(existing, p, claim, ctx.input.upsert),
            });
          }
          for (const { p, action } of todo) {
            if (action === 'keep') {
              ctx.logger.info(
                `Argo CD application ${p.appName} already exists as wanted; adopted it`,
              );
              continue;
            }
            ctx.logger.info(
              `${
                action === 'create' ? 'Creating' : 'Updating'
              } Argo CD application ${where(p)}`,
            );
            await ctx.checkpoint({
              key: `argocd.application.create.${p.appName}`,
              fn: async () => {
                await p.client.createApplication(p.wanted, {
                  upsert: action === 'update',
                });
                return action;
              },
            });
            ctx.logger.info(
              `${
                action === 'create' ? 'Created' : 'Updated'
              } Argo CD application ${p.appName}: ${p.appUrl}`,
            );
          }
          outputs();
        },
      );
    },
  });
}

/**
 * What to do with an Application that may exist: create it, keep it (ours
 * and as wanted), update it (ours, upsert or adopt), or refuse it.
 */
function judge(
  existing: ArgoApplication | undefined,
  p: Planned,
  claim: CreationClaim,
  upsert: boolean | undefined,
): 'create' | 'update' | 'keep' {
  const { appName, client } = p;
  if (!existing) return 'create';
  if (!isOwnedBy(existing, p.service)) {
    throw new ConflictError(
      `Argo CD application '${appName}' already exists on ${
        client.name
      } and is not owned by ${ownerTagValue(
        p.service,
      )} (label ${OWNER_TAG}); not touching it`,
    );
  }
  const createdBy = existing.metadata?.annotations?.[TASK_TAG];
  if (!claim.adopt && createdBy !== claim.task) {
    throw new ConflictError(
      `Argo CD application '${appName}' on ${client.name} already exists for ${
        claim.owner
      } and was not created by this run (${
        createdBy ? `task ${createdBy} created it` : `no ${TASK_TAG}`
      }). Creating a service never takes over existing resources; the service's owners adopt it on purpose with the 'adopt' input.`,
    );
  }
  const diffs = applicationDifferences(existing, p.wanted);
  if (diffs.length === 0) return 'keep';
  if (!upsert && !claim.adopt) {
    throw new ConflictError(
      `Argo CD application '${appName}' on ${
        client.name
      } differs in ${diffs.join(', ')}; set upsert to update it`,
    );
  }
  return 'update';
}
