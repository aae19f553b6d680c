import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkServiceName,
  creationInputs,
  OWNER_TAG,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  ChartReleases,
  creationClaim,
  HelmChartsRepo,
  readYaml,
  runProvisioningStep,
  ServiceAccess,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './chartPin.examples';

/** What `gitops:chart:pin` needs from the module. @public */
export interface ChartPinActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  helmCharts: HelmChartsRepo;
  access: ServiceAccess;
  /** The names of slipway.environments, in promotion order. */
  environments: string[];
}

/**
 * `gitops:chart:pin`: after the first environment runs the first build,
 * pins every later chosen environment's `values-<env>.yaml` to that image
 * tag (one promote commit each, fast-forward only), so those environments
 * start on the first build and move only by promotion, not with CI's
 * bumps of `values.yaml`. Only the chart this task registered is pinned
 * (or, with adopt, the service's own); an environment already pinned to
 * the tag is left as it is, so a Retry commits nothing twice.
 *
 * @public
 */
export function createChartPinAction(options: ChartPinActionOptions) {
  const { helmCharts, access, environments } = options;
  const releases = new ChartReleases({ repo: helmCharts });
  return createTemplateAction({
    id: 'gitops:chart:pin',
    description:
      'Pins the later environments of a new service to the image its first environment runs (values-<env>.yaml image.tag), so they start on the first build and then move only by promotion. Only the chart this task registered is changed.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...creationInputs('Service name (charts/<name>).'),
        environments: z =>
          z.array(z.string(), {
            description: `The service's environments, of ${environments.join(
              ', ',
            )}: the first (in promotion order) is the source, the others are pinned.`,
          }),
      },
      output: {
        tag: z =>
          z
            .string({ description: 'The tag the environments were pinned to.' })
            .optional(),
        pinned: z =>
          z.array(z.string(), {
            description: 'The environments whose values file was committed.',
          }),
      },
    },
    async handler(ctx) {
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'gitops:chart:pin', creating: true },
        async () => {
          const { name } = ctx.input;
          const unknown = ctx.input.environments.filter(
            e => !environments.includes(e),
          );
          assertValid(
            checkServiceName(name),
            unknown.length
              ? `environments must be of ${environments.join(
                  ', ',
                )} (got ${unknown.join(', ')})`
              : undefined,
          );
          const [first, ...later] = environments.filter(e =>
            ctx.input.environments.includes(e),
          );
          if (!first) throw new InputError('environments must not be empty');
          const claim = await creationClaim(
            access,
            ctx,
            name,
            'gitops:chart:pin',
          );
          if (later.length === 0) {
            ctx.logger.info(`${name} has one environment; nothing to pin`);
            ctx.output('pinned', []);
            return;
          }

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would pin ${later.join(
                ', ',
              )} to the image ${first} runs`,
            );
            ctx.output('pinned', later);
            return;
          }

          // The chart must be this service's, and this run's (or adopted).
          const chartFile = `charts/${name}/Chart.yaml`;
          const { result: chart } = await helmCharts.update(
            async files => ({ text: await files.readFile(chartFile) }),
            `read ${chartFile}`,
            { name },
          );
          if (chart.text === undefined) {
            throw new InputError(
              `${chartFile} is not in ${helmCharts.repoUrl}; register the chart first`,
            );
          }
          const binding = readYaml(chart.text, ['annotations', OWNER_TAG]);
          const task = readYaml(chart.text, ['annotations', TASK_TAG]);
          if (binding !== claim.owner) {
            throw new ConflictError(
              `${chartFile} is not bound to ${claim.owner}; not pinning its environments`,
            );
          }
          if (!claim.adopt && task !== claim.task) {
            throw new ConflictError(
              `${chartFile} was not registered by this run (${
                task ? `task ${task}` : `no ${TASK_TAG}`
              }); its environments move only by promotion`,
            );
          }

          const requestedBy = ctx.user?.ref ?? claim.owner;
          let tag: string | undefined;
          const pinned: string[] = [];
          for (const to of later) {
            const done = await ctx.checkpoint({
              key: `gitops.chart.pin.${name}.${to}`,
              fn: async () => {
                const r = await releases.promote({
                  name,
                  from: first,
                  to,
                  requestedBy,
                  // A new environment runs nothing yet: no approval to wait
                  // for (the repository's own mode still applies).
                  logger: ctx.logger,
                });
                return {
                  tag: r.toTag,
                  changed: r.changed,
                  commitSha: r.commitSha,
                };
              },
            });
            tag = done.tag;
            if (done.changed) pinned.push(to);
            ctx.logger.info(
              done.changed
                ? `Pinned ${to} to ${done.tag} (commit ${done.commitSha.slice(
                    0,
                    12,
                  )}); it moves only by promotion now`
                : `${to} already runs ${done.tag}; nothing to commit`,
            );
          }
          if (tag) ctx.output('tag', tag);
          ctx.output('pinned', pinned);
        },
      );
    },
  });
}
