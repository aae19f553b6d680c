import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  chartPathOf,
  checkServiceName,
  checkServiceNamespace,
  serviceNamespaceInput,
  serviceInputs,
  chartPathInput,
} from '@internal/backstage-plugin-delivery-common';
import {
  checkChartPath,
  checkEnvironments,
  checkImageRepository,
  checkImageTag,
  checkOverrides,
  checkRoleArn,
  checkServiceSettings,
  formatChartRegisterCommit,
  HelmChartsRepo,
  readBaseChart,
  renderChart,
  sameFiles,
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './chartRegister.examples';
import {
  checkBaseChartStrategy,
  checkRolloutStrategy,
  rolloutStrategyInput,
  withRolloutStrategy,
} from './rolloutStrategy';

/** What `gitops:chart:register` needs from the module. @public */
export interface ChartRegisterActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  helmCharts: HelmChartsRepo;
  /** Absolute path of the base chart folder. */
  baseChartDir: string;
  /** The configured environments (slipway.gitops.environments). */
  environments: string[];
  /** `slipway.reservedNamespaces`, refused besides kube-*, default and argocd. */
  reservedNamespaces?: string[];
}

/** A commit id that looks like one, for dry runs. */
export const DRY_RUN_SHA = '3f786850e387550fdab836ed7e6dc881de23001b';

/**
 * `gitops:chart:register`: commits `charts/<name>/` (the base chart with the
 * service's image, service account, IRSA role, settings and rollout
 * strategy set, plus one values-<env>.yaml per environment) to the
 * helm-charts repository, fast-forward only, retried on a race. Re-runs
 * adopt an identical chart.
 *
 * @public
 */
export function createChartRegisterAction(options: ChartRegisterActionOptions) {
  const {
    helmCharts,
    baseChartDir,
    environments: configured,
    reservedNamespaces = [],
  } = options;
  return createTemplateAction({
    id: 'gitops:chart:register',
    description:
      "Registers a service's Helm chart as charts/<name>/ in the helm-charts GitOps repository (base chart + image, service account, IRSA role, the wizard's settings and rollout strategy, per-environment values files). Fast-forward pushes only; an identical existing chart is adopted, a different one is a conflict.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...serviceInputs(
          'Service name: lowercase letters, digits and -, 2 to 40 characters. The chart goes to charts/<name>/.',
        ),
        imageRepository: z =>
          z.string({
            description:
              "The service's ECR repository URI, <account>.dkr.ecr.<region>.amazonaws.com/<name> (the repositoryUri output of aws:ecr:create).",
          }),
        imageTag: z =>
          z
            .string({
              description:
                "First image tag to deploy. Default 'bootstrap'; CI replaces it with each build's tag.",
            })
            .optional(),
        roleArn: z =>
          z
            .string({
              description:
                "ARN of the service's IRSA role, put on the service account as eks.amazonaws.com/role-arn (the roleArn output of aws:iam:irsa-role:create).",
            })
            .optional(),
        namespace: z =>
          serviceNamespaceInput(
            z,
            'Kubernetes namespace the service runs in (a DNS-1123 label); recorded in Chart.yaml.',
          ),
        environments: z =>
          z
            .array(z.string(), {
              description:
                'Environments to write values-<env>.yaml for; a subset of slipway.gitops.environments. Default: all of them.',
            })
            .optional(),
        overrides: z =>
          z
            .record(
              z.object({
                replicas: z
                  .number({ description: 'replicaCount in this environment' })
                  .int()
                  .min(0)
                  .max(100)
                  .optional(),
              }),
              {
                description:
                  'Per-environment overrides, by environment name, e.g. { prod: { replicas: 3 } }.',
              },
            )
            .optional(),
        service: z =>
          z
            .object(
              {
                port: z
                  .number({ description: 'containerPort' })
                  .int()
                  .optional(),
                replicas: z
                  .number({ description: 'replicaCount without autoscaling' })
                  .int()
                  .optional(),
                autoscaling: z
                  .object({
                    enabled: z
                      .boolean({ description: 'Run an HPA' })
                      .optional(),
                    minReplicas: z
                      .number({ description: 'HPA minimum' })
                      .int()
                      .optional(),
                    maxReplicas: z
                      .number({ description: 'HPA maximum' })
                      .int()
                      .optional(),
                  })
                  .optional(),
                rollout: z
                  .object(
                    { strategy: rolloutStrategyInput(z) },
                    {
                      description:
                        "rollout.strategy in values.yaml: 'canary' is written there; 'rolling' (or none) keeps the chart's default, rolling. A canary needs a base chart that offers rollout.strategy.",
                    },
                  )
                  .optional(),
              },
              {
                description:
                  "The service's settings from the wizard, set in values.yaml (and the HPA bounds in every environment file that sets its own). minReplicas must not exceed maxReplicas.",
              },
            )
            .optional(),
        chartPath: z => chartPathInput(z),
      },
      output: {
        commitSha: z =>
          z.string({
            description:
              'The commit carrying the chart (the branch head when an identical chart was adopted; the pull request head in pull-request mode).',
          }),
        chartPath: z =>
          z.string({ description: 'Folder of the chart in helm-charts.' }),
        pullRequestUrl: z =>
          z
            .string({
              description:
                'In pull-request mode: the pull request carrying the chart.',
            })
            .optional(),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        {
          ...options.reporting,
          action: 'gitops:chart:register',
          creating: true,
        },
        async () => {
          const { name, imageRepository, roleArn, namespace } = ctx.input;
          const imageTag = ctx.input.imageTag ?? 'bootstrap';
          const environments = ctx.input.environments ?? configured;
          const chartPath = ctx.input.chartPath ?? chartPathOf(name);
          const strategy = ctx.input.service?.rollout?.strategy;
          assertValid(
            checkServiceName(name),
            checkImageRepository(imageRepository),
            checkImageTag(imageTag, 'imageTag'),
            checkRoleArn(roleArn),
            checkServiceNamespace(namespace, 'namespace', reservedNamespaces),
            checkEnvironments(environments, configured),
            checkOverrides(ctx.input.overrides, environments),
            checkServiceSettings(ctx.input.service),
            checkRolloutStrategy(strategy, 'service.rollout.strategy'),
            checkChartPath(chartPath, name),
          );
          // Local, and checked before anything is sent anywhere.
          const base = await readBaseChart(baseChartDir);
          assertValid(
            checkBaseChartStrategy(
              base.get('values.yaml')!.toString('utf8'),
              strategy,
            ),
          );
          const desired = renderChart(base, {
            name,
            chartPath,
            imageRepository,
            imageTag,
            roleArn,
            namespace,
            environments,
            overrides: ctx.input.overrides ?? {},
            service: ctx.input.service,
            task: ctx.task?.id,
          });
          const valuesPath = `${chartPath}/values.yaml`;
          desired.set(
            valuesPath,
            Buffer.from(
              withRolloutStrategy(
                desired.get(valuesPath)!.toString('utf8'),
                strategy,
              ),
            ),
          );
          if (strategy === 'canary') {
            ctx.logger.info(
              'Rollout strategy canary: the chart renders an Argo Rollouts Rollout, a canary Service and an AnalysisTemplate',
            );
          }

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would commit ${desired.size} files under ${chartPath}/ to ${helmCharts.repoUrl} (${helmCharts.branch})`,
            );
            ctx.output('commitSha', DRY_RUN_SHA);
            ctx.output('chartPath', chartPath);
            if (helmCharts.mode === 'pull-request') {
              ctx.output('pullRequestUrl', `${helmCharts.repoUrl}/pull/1`);
            }
            return;
          }

          const message = formatChartRegisterCommit({
            name,
            imageRepository,
            imageTag,
            namespace,
            roleArn,
            environments,
          });

          ctx.logger.info(
            `Registering ${chartPath}/ in ${helmCharts.repoUrl} (${helmCharts.branch})`,
          );
          const published = await ctx.checkpoint({
            key: `gitops.chart.register.${name}`,
            fn: async () => {
              const r = await helmCharts.update(
                async files => {
                  const existing = await files.listFiles(chartPath);
                  if (existing.length === 0) {
                    for (const [p, content] of desired) {
                      await files.writeFile(p, content);
                    }
                    return 'created';
                  }
                  const current = new Map<string, string>();
                  for (const p of existing) {
                    current.set(p, (await files.readFile(p)) ?? '');
                  }
                  if (sameFiles(current, desired)) return 'adopted';
                  throw new ConflictError(
                    `${chartPath} already exists in ${helmCharts.repoUrl} with different content; remove it or choose another name`,
                  );
                },
                message,
                { name, logger: ctx.logger },
              );
              return {
                commitSha: r.commitSha,
                pullRequestUrl: r.pullRequestUrl ?? null,
                outcome: r.result,
              };
            },
          });

          ctx.logger.info(
            published.outcome === 'adopted'
              ? `${chartPath}/ already holds this chart; adopted it (no new commit)`
              : `Committed ${chartPath}/ as ${published.commitSha}`,
          );
          ctx.output('commitSha', published.commitSha);
          ctx.output('chartPath', chartPath);
          if (published.pullRequestUrl) {
            ctx.logger.info(`Opened ${published.pullRequestUrl}`);
            ctx.output('pullRequestUrl', published.pullRequestUrl);
          }
        },
      );
    },
  });
}
