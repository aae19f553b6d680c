import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  chartPathOf,
  checkServiceName,
  OWNER_TAG,
  decommissionInputs,
  chartPathInput,
} from '@internal/backstage-plugin-delivery-common';
import {
  authorizeDecommission,
  checkChartPath,
  formatChartUnregisterCommit,
  HelmChartsRepo,
  readYaml,
  ServiceAccess,
  runProvisioningStep,
  StepReporting,
  HalfCreatedServices,
} from '@internal/backstage-plugin-delivery-node';
import { DRY_RUN_SHA } from './chartRegister';
import { examples } from './chartUnregister.examples';

/** What `gitops:chart:unregister` needs from the module. @public */
export interface ChartUnregisterActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  /** Finds and authorizes a service that never reached the catalog. */
  halfCreated?: HalfCreatedServices;
  helmCharts: HelmChartsRepo;
  access: ServiceAccess;
}

/**
 * `gitops:chart:unregister`: removes `charts/<name>/` from helm-charts (a
 * commit, fast-forward only). Only a chart whose Chart.yaml carries this
 * service's owner annotation is removed; a missing chart is success.
 *
 * @public
 */
export function createChartUnregisterAction(
  options: ChartUnregisterActionOptions,
) {
  const { helmCharts, access } = options;
  return createTemplateAction({
    id: 'gitops:chart:unregister',
    description:
      "Removes a service's chart (charts/<name>/) from the helm-charts GitOps repository. Only charts registered for this service (owner annotation in Chart.yaml) are removed; a missing chart is success.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...decommissionInputs(
          "Service name whose chart to remove; when given it must be the entity's name.",
        ),
        chartPath: z => chartPathInput(z),
      },
      output: {
        commitSha: z =>
          z.string({
            description:
              'The commit removing the chart, or the branch head when there was nothing to remove.',
          }),
        removed: z =>
          z.boolean({ description: 'False when the chart was not there.' }),
        pullRequestUrl: z =>
          z
            .string({ description: 'In pull-request mode: the pull request.' })
            .optional(),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'gitops:chart:unregister' },
        async () => {
          const { name, entityRef, binding } = await authorizeDecommission(
            access,
            ctx,
            'gitops:chart:unregister',
            options.halfCreated,
          );
          const chartPath = ctx.input.chartPath ?? chartPathOf(name);
          assertValid(checkServiceName(name), checkChartPath(chartPath, name));

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would remove ${chartPath}/ from ${helmCharts.repoUrl} (${helmCharts.branch})`,
            );
            ctx.output('commitSha', DRY_RUN_SHA);
            ctx.output('removed', true);
            return;
          }

          ctx.logger.info(`Removing ${chartPath}/ from ${helmCharts.repoUrl}`);
          const r = await ctx.checkpoint({
            key: `gitops.chart.unregister.${name}`,
            fn: async () => {
              const u = await helmCharts.update(
                async files => {
                  const existing = await files.listFiles(chartPath);
                  if (existing.length === 0) return false;
                  const chart = await files.readFile(`${chartPath}/Chart.yaml`);
                  const owner = chart
                    ? readYaml(chart, ['annotations', OWNER_TAG])
                    : undefined;
                  if (typeof owner !== 'string' || owner !== binding) {
                    throw new ConflictError(
                      `${chartPath} in ${helmCharts.repoUrl} is not bound to ${entityRef} (Chart.yaml annotation ${OWNER_TAG}); not removing it`,
                    );
                  }
                  await files.remove(chartPath);
                  return true;
                },
                formatChartUnregisterCommit({ name, entityRef }),
                { name, logger: ctx.logger },
              );
              return {
                commitSha: u.commitSha,
                removed: u.changed,
                pullRequestUrl: u.pullRequestUrl ?? null,
              };
            },
          });
          ctx.logger.info(
            r.removed
              ? `Removed ${chartPath}/ in ${r.commitSha}`
              : `${chartPath}/ was not there; nothing to remove`,
          );
          ctx.output('commitSha', r.commitSha);
          ctx.output('removed', r.removed);
          if (r.pullRequestUrl) ctx.output('pullRequestUrl', r.pullRequestUrl);
        },
      );
    },
  });
}
