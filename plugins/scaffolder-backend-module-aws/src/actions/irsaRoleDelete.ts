import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkIamRoleName,
  checkServiceName,
  decommissionInputs,
} from '@internal/backstage-plugin-delivery-common';
import {
  authorizeDecommission,
  AwsClients,
  EnvironmentSettings,
  IrsaRoles,
  ServiceAccess,
  runProvisioningStep,
  StepReporting,
  HalfCreatedServices,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './irsaRoleDelete.examples';
import { roleConfig } from './irsaRoleCreate';

/**
 * `aws:iam:irsa-role:delete`: removes the service's role — inline policies,
 * attached managed policies, the pod identity associations Slipway made for
 * it, then the role — only when the role carries the service's owner tag.
 * A missing role is success.
 *
 * @public
 */
export function createIrsaRoleDeleteAction(options: {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  /** Finds and authorizes a service that never reached the catalog. */
  halfCreated?: HalfCreatedServices;
  clients: AwsClients;
  access: ServiceAccess;
  /**
   * `slipway.environments`: the clusters whose pod identity associations
   * may point at the role (those in Slipway's account). Default:
   * slipway.aws.eks.clusterName.
   */
  environments?: EnvironmentSettings[];
}) {
  const { clients } = options;
  // Every cluster an association may be on, once; not a cluster in another
  // account (pod identity is refused there).
  const podClusters = [
    ...new Set(
      [
        ...(options.environments ?? [])
          .filter(e => e.cluster && !e.cluster.oidcIssuer)
          .map(e => e.cluster!.name),
        clients.settings.eks?.clusterName,
      ].filter((c): c is string => Boolean(c)),
    ),
  ];
  const roles = new IrsaRoles(clients);

  return createTemplateAction({
    id: 'aws:iam:irsa-role:delete',
    description:
      "Deletes the service's IAM role when the task's initiator owns the Component and the role carries slipway.io/owner=<that entity ref>: its inline policies, attached managed policies and the owned EKS pod identity associations pointing at it, then the role. A role that does not exist counts as deleted.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...decommissionInputs(
          "Service name, which is the role name; when given it must be the entity's name",
        ),
      },
      output: {
        roleName: z => z.string({ description: 'Name of the role' }),
        deleted: z =>
          z.boolean({
            description:
              'true when this run deleted the role, false when it did not exist',
          }),
      },
    },

    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'aws:iam:irsa-role:delete' },
        async () => {
          const { name, binding: owner } = await authorizeDecommission(
            options.access,
            ctx,
            'aws:iam:irsa-role:delete',
            options.halfCreated,
          );
          assertValid(
            checkServiceName(name, 'name'),
            checkIamRoleName(name, 'name'),
          );
          const { iam } = roleConfig(clients);
          const roleName = name;

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would delete IAM role ${
                iam.rolePath
              }${roleName}, its policies and owned pod identity associations (on ${
                podClusters.join(', ') || 'no cluster'
              }), if it is tagged as owned by ${owner}`,
            );
            ctx.output('roleName', roleName);
            ctx.output('deleted', true);
            return;
          }

          ctx.logger.info(`Checking IAM role ${roleName}`);
          const check = await roles.checkDeletable(roleName, owner);
          if (check.state === 'missing') {
            ctx.logger.info(
              `IAM role ${roleName} does not exist; nothing to delete`,
            );
            ctx.output('roleName', roleName);
            ctx.output('deleted', false);
            return;
          }

          const removed = await ctx.checkpoint({
            key: `iam.role.delete.${roleName}.policies`,
            fn: async () => {
              const r = await roles.removeRolePolicies(roleName, owner);
              return {
                inlinePolicies: r.inlinePolicies,
                detachedPolicies: r.detachedPolicies,
              };
            },
          });
          ctx.logger.info(
            `Removed ${removed.inlinePolicies.length} inline and detached ${removed.detachedPolicies.length} managed polic(ies) from ${roleName}`,
          );

          for (const cluster of podClusters) {
            const associations = await ctx.checkpoint({
              key: `iam.role.delete.${roleName}.associations.${cluster}`,
              fn: () =>
                roles.deleteOwnedAssociations(cluster, check.roleArn, owner),
            });
            ctx.logger.info(
              `Deleted ${associations.length} pod identity association(s) of ${roleName} on ${cluster}`,
            );
          }

          const deleted = await ctx.checkpoint({
            key: `iam.role.delete.${roleName}`,
            fn: () => roles.deleteRole(roleName, owner),
          });
          ctx.logger.info(
            deleted
              ? `Deleted IAM role ${check.roleArn}`
              : `IAM role ${roleName} was already gone`,
          );
          ctx.output('roleName', roleName);
          ctx.output('deleted', deleted);
        },
      );
    },
  });
}
