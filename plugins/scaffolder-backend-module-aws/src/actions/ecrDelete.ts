import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkEcrRepositoryName,
  checkServiceName,
  decommissionInputs,
} from '@internal/backstage-plugin-delivery-common';
import {
  authorizeDecommission,
  AwsClients,
  EcrRepositories,
  ServiceAccess,
  runProvisioningStep,
  StepReporting,
  HalfCreatedServices,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './ecrDelete.examples';
import { checkBoolean } from './inputs';

/**
 * `aws:ecr:delete`: deletes the service's ECR repository, only when it
 * carries the service's owner tag, and only when empty unless `force`.
 * A missing repository is success.
 *
 * @public
 */
export function createEcrDeleteAction(options: {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  /** Finds and authorizes a service that never reached the catalog. */
  halfCreated?: HalfCreatedServices;
  clients: AwsClients;
  access: ServiceAccess;
}) {
  const repositories = new EcrRepositories(options.clients);

  return createTemplateAction({
    id: 'aws:ecr:delete',
    description:
      "Deletes the service's ECR repository when the task's initiator owns the Component and the repository carries slipway.io/owner=<that entity ref>. Refuses a repository that still holds images unless force is true; a repository that does not exist counts as deleted.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...decommissionInputs(
          "Service name; when given it must be the entity's name. Default: the entity's name",
        ),
        repositoryName: z =>
          z
            .string({
              description: 'ECR repository name. Default: the service name',
            })
            .optional(),
        force: z =>
          z
            .boolean({
              description:
                'Delete the repository even when it still holds images. Default false',
            })
            .optional(),
      },
      output: {
        repositoryName: z =>
          z.string({ description: 'Name of the repository' }),
        deleted: z =>
          z.boolean({
            description:
              'true when this run deleted the repository, false when it did not exist',
          }),
      },
    },

    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'aws:ecr:delete' },
        async () => {
          const { name, binding: owner } = await authorizeDecommission(
            options.access,
            ctx,
            'aws:ecr:delete',
            options.halfCreated,
          );
          const repositoryName = ctx.input.repositoryName ?? name;
          assertValid(
            checkServiceName(name, 'name'),
            checkEcrRepositoryName(repositoryName, 'repositoryName'),
            checkBoolean(ctx.input.force, 'force'),
          );
          const force = ctx.input.force ?? false;

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would delete ECR repository ${repositoryName} if it is tagged as owned by ${owner}${
                force ? ', images included' : ' and empty'
              }`,
            );
            ctx.output('repositoryName', repositoryName);
            ctx.output('deleted', true);
            return;
          }

          ctx.logger.info(`Checking ECR repository ${repositoryName}`);
          const check = await repositories.checkDeletable(
            repositoryName,
            owner,
            force,
          );
          if (check.state === 'missing') {
            ctx.logger.info(
              `ECR repository ${repositoryName} does not exist; nothing to delete`,
            );
            ctx.output('repositoryName', repositoryName);
            ctx.output('deleted', false);
            return;
          }

          const deleted = await ctx.checkpoint({
            key: `ecr.delete.${repositoryName}`,
            fn: () => repositories.delete(repositoryName, owner, force),
          });
          ctx.logger.info(
            deleted
              ? `Deleted ECR repository ${repositoryName}${
                  check.images ? ` with ${check.images} image(s)` : ''
                }`
              : `ECR repository ${repositoryName} was already gone`,
          );
          ctx.output('repositoryName', repositoryName);
          ctx.output('deleted', deleted);
        },
      );
    },
  });
}
