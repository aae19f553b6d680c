import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkEcrRepositoryName,
  checkServiceName,
  creationInputs,
} from '@internal/backstage-plugin-delivery-common';
import {
  AwsClients,
  creationClaim,
  EcrRepositories,
  ServiceAccess,
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './ecrCreate.examples';
import { checkBoolean, checkOneOf, checkTags } from './inputs';

/**
 * `aws:ecr:create`: the service's ECR repository, with the configured
 * encryption, scan on push, lifecycle policy and pull policy, tagged with the
 * service as owner and with the task's id. A Retry takes back what its task
 * created; an existing repository is otherwise refused before any change,
 * unless the service's owners adopt it on purpose.
 *
 * @public
 */
export function createEcrCreateAction(options: {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  clients: AwsClients;
  access: ServiceAccess;
}) {
  const { clients, access } = options;
  const repositories = new EcrRepositories(clients);
  const defaults = clients.settings.ecr;

  return createTemplateAction({
    id: 'aws:ecr:create',
    description:
      "Creates the service's ECR repository (tag mutability, scan on push, encryption, lifecycle policy and pull policy from config), tagged slipway.io/owner=component:default/<name> and slipway.io/task=<task id>. A Retry of the same task takes back the repository it created and brings its settings back to config; any other existing repository is refused before it is changed, unless the service's owners adopt it on purpose (adopt: true).",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...creationInputs(
          'Service name (DNS-1123 label, 2-40 characters); the owner tag becomes component:default/<name>',
        ),
        repositoryName: z =>
          z
            .string({
              description:
                'ECR repository name. Default: the service name. Lowercase, digits and ._-/ separators; no wildcards or ..',
            })
            .optional(),
        imageTagMutability: z =>
          z
            .enum(['IMMUTABLE', 'MUTABLE'], {
              description: `Tag mutability. Default from slipway.aws.ecr.imageTagMutability (${defaults.imageTagMutability})`,
            })
            .optional(),
        scanOnPush: z =>
          z
            .boolean({
              description: 'Scan each pushed image. Default true',
            })
            .optional(),
        tags: z =>
          z
            .record(z.string(), {
              description:
                "Extra tags for the repository (may not set slipway.io/owner or start with 'aws:')",
            })
            .optional(),
      },
      output: {
        repositoryUri: z =>
          z.string({
            description:
              'Image repository URI, <account>.dkr.ecr.<region>.amazonaws.com/<repositoryName>',
          }),
        repositoryArn: z => z.string({ description: 'ARN of the repository' }),
        repositoryName: z =>
          z.string({ description: 'Name of the repository' }),
      },
    },

    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'aws:ecr:create', creating: true },
        async () => {
          const { name, tags } = ctx.input;
          const repositoryName = ctx.input.repositoryName ?? name;
          assertValid(
            checkServiceName(name, 'name'),
            checkEcrRepositoryName(repositoryName, 'repositoryName'),
            checkOneOf(
              ctx.input.imageTagMutability,
              ['IMMUTABLE', 'MUTABLE'],
              'imageTagMutability',
            ),
            checkBoolean(ctx.input.scanOnPush, 'scanOnPush'),
            checkTags(tags),
          );
          const claim = await creationClaim(
            access,
            ctx,
            name,
            'aws:ecr:create',
          );
          const spec = {
            repositoryName,
            ...claim,
            imageTagMutability:
              ctx.input.imageTagMutability ?? defaults.imageTagMutability,
            scanOnPush: ctx.input.scanOnPush ?? true,
            tags: { ...(tags ?? {}) },
          };

          if (ctx.isDryRun) {
            const expected = repositories.expectedRef(repositoryName);
            ctx.logger.info(
              `Dry run: would create or adopt ECR repository ${repositoryName} (${spec.imageTagMutability}, scanOnPush=${spec.scanOnPush}, ${defaults.encryption.type})`,
            );
            ctx.output('repositoryUri', expected.repositoryUri);
            ctx.output('repositoryArn', expected.repositoryArn);
            ctx.output('repositoryName', repositoryName);
            return;
          }

          ctx.logger.info(`Ensuring ECR repository ${repositoryName}`);
          const repo = await ctx.checkpoint({
            key: `ecr.create.${repositoryName}`,
            fn: async () => {
              const r = await repositories.ensure(spec);
              return {
                repositoryName: r.repositoryName,
                repositoryUri: r.repositoryUri,
                repositoryArn: r.repositoryArn,
                adopted: r.adopted,
              };
            },
          });
          ctx.logger.info(
            repo.adopted
              ? `${
                  claim.adopt ? 'Adopted' : 'Took back (created by this task)'
                } ECR repository ${repo.repositoryName} of ${
                  spec.owner
                }; converging its settings`
              : `Created ECR repository ${repo.repositoryName} (${spec.imageTagMutability}, scanOnPush=${spec.scanOnPush}, ${defaults.encryption.type})`,
          );

          if (repo.adopted) {
            const converged = await ctx.checkpoint({
              key: `ecr.settings.${repositoryName}`,
              fn: async () => {
                const c = await repositories.converge(spec, repo.repositoryArn);
                return { unchangeable: c.unchangeable };
              },
            });
            for (const note of converged.unchangeable) {
              ctx.logger.warn(`ECR repository ${repositoryName}: ${note}`);
            }
            ctx.logger.info(
              `Set tag mutability, scan on push and tags of ${repositoryName}`,
            );
          }

          await ctx.checkpoint({
            key: `ecr.lifecycle.${repositoryName}`,
            fn: async () => {
              await repositories.putLifecyclePolicy(repositoryName);
              return defaults.lifecycle;
            },
          });
          ctx.logger.info(
            `Put lifecycle policy on ${repositoryName}: keep the last ${defaults.lifecycle.keepTaggedImages} images, expire untagged after ${defaults.lifecycle.expireUntaggedAfterDays} days`,
          );

          const principals = await ctx.checkpoint({
            key: `ecr.policy.${repositoryName}`,
            fn: () => repositories.applyPullPolicy(repositoryName),
          });
          ctx.logger.info(
            principals.length
              ? `Allowed ${principals.length} principal(s) to pull from ${repositoryName}`
              : `No pull principals configured; ${repositoryName} has no repository policy`,
          );

          ctx.output('repositoryUri', repo.repositoryUri);
          ctx.output('repositoryArn', repo.repositoryArn);
          ctx.output('repositoryName', repo.repositoryName);
        },
      );
    },
  });
}
