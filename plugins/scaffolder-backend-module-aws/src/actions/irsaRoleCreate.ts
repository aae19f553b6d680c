import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkDnsLabel,
  checkIamPath,
  checkIamRoleName,
  checkServiceName,
  checkServiceNamespace,
  serviceAccountInput,
  serviceNamespaceInput,
  creationInputs,
} from '@internal/backstage-plugin-delivery-common';
import {
  AwsClients,
  creationClaim,
  EnvironmentSettings,
  environmentNamed,
  namespaceIn,
  inlinePolicy,
  irsaTrustPolicy,
  IrsaRoles,
  podIdentityTrustPolicy,
  selectAllowedPolicies,
  ServiceAccess,
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './irsaRoleCreate.examples';
import { checkOneOf } from './inputs';

const MODES = ['irsa', 'pod-identity'] as const;

/** The config the role actions need, or a clear error when it is missing. */
export function roleConfig(clients: AwsClients) {
  const { iam, eks } = clients.settings;
  if (!iam) {
    throw new Error(
      'slipway.aws.iam.permissionsBoundaryArn is not configured; service roles cannot be managed without it',
    );
  }
  return { iam, eks };
}

/**
 * IRSA: the clusters of the chosen environments, each with the namespaces
 * the service has there (an environment's namespace pattern filled in).
 */
export function irsaClusters(
  environments: EnvironmentSettings[],
  namespace: string,
) {
  const clusters = new Map<
    string,
    { name: string; oidcIssuer?: string; namespaces: string[] }
  >();
  for (const env of environments) {
    if (!env.cluster) {
      throw new InputError(
        `Environment ${env.name} names no EKS cluster (slipway.environments[].cluster.name or slipway.aws.eks.clusterName); the role needs one`,
      );
    }
    const c = clusters.get(env.cluster.name) ?? {
      ...env.cluster,
      namespaces: [],
    };
    c.namespaces.push(namespaceIn(env, namespace));
    clusters.set(env.cluster.name, c);
  }
  return [...clusters.values()];
}

/**
 * `aws:iam:irsa-role:create`: the service's IAM role, trusted by the
 * cluster's OIDC provider for exactly one service account (IRSA) or by EKS
 * Pod Identity (with its association), with the configured permissions
 * boundary and only the allowed policies the template names.
 *
 * @public
 */
export function createIrsaRoleCreateAction(options: {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  clients: AwsClients;
  access: ServiceAccess;
  /** `slipway.reservedNamespaces`, refused besides kube-*, default and argocd. */
  reservedNamespaces?: string[];
  /**
   * `slipway.environments` (readEnvironments): the clusters the role is
   * trusted on. Default: one environment on slipway.aws.eks.clusterName.
   */
  environments?: EnvironmentSettings[];
}) {
  const { clients, access, reservedNamespaces = [] } = options;
  const eksCluster = clients.settings.eks?.clusterName;
  const environments: EnvironmentSettings[] = options.environments ?? [
    {
      name: 'default',
      argocd: { destination: {}, namespace: '{namespace}' },
      ...(eksCluster ? { cluster: { name: eksCluster } } : {}),
      changes: 'commit',
    },
  ];
  const roles = new IrsaRoles(clients);
  const allowedNames = (clients.settings.iam?.allowedPolicies ?? []).map(
    p => p.name,
  );

  return createTemplateAction({
    id: 'aws:iam:irsa-role:create',
    description:
      "Creates the service's IAM role under the configured path with the configured permissions boundary, trusted for exactly system:serviceaccount:<namespace>:<serviceAccount> (IRSA: the cluster's OIDC provider with StringEquals on sub and aud; pod-identity: pods.eks.amazonaws.com plus a pod identity association). Its only inline policy, slipway-<name>, holds the chosen allowed policies. A Retry of the same task takes back the role it created (tagged slipway.io/owner=component:default/<name> and slipway.io/task=<task id>); any other existing role is refused before it is changed, unless the service's owners adopt it on purpose (adopt: true).",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...creationInputs(
          'Service name; also the role name. The owner tag becomes component:default/<name>',
        ),
        namespace: z =>
          serviceNamespaceInput(
            z,
            'Kubernetes namespace of the service (DNS-1123 label; not kube-*, default, argocd or slipway.reservedNamespaces)',
          ),
        serviceAccount: z =>
          serviceAccountInput(
            z,
            'Kubernetes service account (DNS-1123 label). Default: the service name',
          ).optional(),
        policies: z =>
          z
            .array(z.string(), {
              description: `Names from slipway.aws.iam.allowedPolicies${
                allowedNames.length ? ` (${allowedNames.join(', ')})` : ''
              }. Default: none`,
            })
            .optional(),
        environments: z =>
          z
            .array(z.string(), {
              description: `Environments the service runs in (${environments
                .map(e => e.name)
                .join(
                  ', ',
                )}): the role trusts each one's cluster for the service account in that environment's namespace. Default: all of them.`,
            })
            .optional(),
        mode: z =>
          z
            .enum(MODES, {
              description:
                "'irsa' (default): trust the cluster's OIDC provider; 'pod-identity': trust EKS Pod Identity and create the association",
            })
            .optional(),
      },
      output: {
        roleArn: z => z.string({ description: 'ARN of the role' }),
        roleName: z => z.string({ description: 'Name of the role' }),
        associationId: z =>
          z
            .string({
              description:
                "Id of the first environment's EKS pod identity association (pod-identity mode only; one per environment's cluster and namespace)",
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
          action: 'aws:iam:irsa-role:create',
          creating: true,
        },
        async () => {
          const { name, namespace } = ctx.input;
          const serviceAccount = ctx.input.serviceAccount ?? name;
          const mode = ctx.input.mode ?? 'irsa';
          const names = ctx.input.policies ?? [];
          assertValid(
            checkServiceName(name, 'name'),
            checkIamRoleName(name, 'name'),
            checkServiceNamespace(namespace, 'namespace', reservedNamespaces),
            checkDnsLabel(serviceAccount, 'serviceAccount'),
            checkOneOf(mode, MODES, 'mode'),
            Array.isArray(names) && names.every(n => typeof n === 'string')
              ? undefined
              : 'policies must be a list of policy names',
          );
          const { iam } = roleConfig(clients);
          // Validated by name, then taken in promotion order.
          const chosenNames = (
            ctx.input.environments ?? environments.map(e => e.name)
          ).map(e => environmentNamed(environments, e, 'environments').name);
          const chosenEnvironments = environments.filter(e =>
            chosenNames.includes(e.name),
          );
          // IRSA trusts each cluster's OIDC provider; pod identity gets an
          // association on each cluster, for each of its namespaces.
          const clusters = irsaClusters(chosenEnvironments, namespace);
          const foreign = clusters.find(c => c.oidcIssuer);
          if (mode === 'pod-identity' && foreign) {
            throw new InputError(
              `mode 'pod-identity' needs every cluster in Slipway's AWS account to create its associations; ${foreign.name} is configured with an oidcIssuer (another account): use mode 'irsa'`,
            );
          }
          for (const c of clusters) {
            assertValid(
              ...c.namespaces.map(n =>
                checkServiceNamespace(n, 'namespace', reservedNamespaces),
              ),
            );
          }
          const chosen = selectAllowedPolicies(iam.allowedPolicies, names);
          const pathProblem = checkIamPath(
            iam.rolePath,
            'slipway.aws.iam.rolePath',
          );
          if (pathProblem) throw new InputError(pathProblem);
          const claim = await creationClaim(
            access,
            ctx,
            name,
            'aws:iam:irsa-role:create',
          );
          const { owner } = claim;
          const roleName = name;
          const policyName = `slipway-${name}`;
          const permissions = inlinePolicy(chosen);

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would create or adopt IAM role ${
                iam.rolePath
              }${roleName} (${mode}) for ${namespace}/${serviceAccount} with boundary ${
                iam.permissionsBoundaryArn
              } and policies [${chosen.map(p => p.name).join(', ')}]`,
            );
            ctx.output(
              'roleArn',
              roles.expectedRoleArn(roleName, iam.rolePath),
            );
            ctx.output('roleName', roleName);
            if (mode === 'pod-identity') {
              ctx.output('associationId', 'a-dryrun00000000000');
            }
            return;
          }

          let trustPolicy;
          if (mode === 'irsa') {
            const trusts = [];
            for (const c of clusters) {
              ctx.logger.info(
                `Trusting cluster ${c.name} for ${c.namespaces
                  .map(n => `${n}/${serviceAccount}`)
                  .join(', ')}${c.oidcIssuer ? ' (configured issuer)' : ''}`,
              );
              trusts.push({
                issuerHostPath: await roles.issuerHostPath(
                  c.name,
                  c.oidcIssuer,
                ),
                namespaces: c.namespaces,
              });
            }
            trustPolicy = irsaTrustPolicy({
              partition: clients.settings.partition,
              accountId: clients.settings.accountId,
              serviceAccount,
              trusts,
            });
          } else {
            trustPolicy = podIdentityTrustPolicy();
          }

          ctx.logger.info(`Ensuring IAM role ${iam.rolePath}${roleName}`);
          const role = await ctx.checkpoint({
            key: `iam.role.create.${roleName}`,
            fn: async () => {
              const r = await roles.ensureRole({
                roleName,
                path: iam.rolePath,
                ...claim,
                trustPolicy,
                permissionsBoundaryArn: iam.permissionsBoundaryArn,
                description: `Slipway: ${namespace}/${serviceAccount} (${mode})`,
              });
              return {
                roleArn: r.roleArn,
                roleName: r.roleName,
                adopted: r.adopted,
              };
            },
          });
          ctx.logger.info(
            role.adopted
              ? `${
                  claim.adopt ? 'Adopted' : 'Took back (created by this task)'
                } IAM role ${
                  role.roleArn
                } of ${owner}; trust policy and boundary set from config`
              : `Created IAM role ${role.roleArn} with boundary ${iam.permissionsBoundaryArn}`,
          );

          const policy = await ctx.checkpoint({
            key: `iam.role.policy.${roleName}`,
            fn: async () => {
              const p = await roles.putInlinePolicy(
                roleName,
                owner,
                policyName,
                permissions,
              );
              return { policyName: p.policyName, statements: p.statements };
            },
          });
          ctx.logger.info(
            policy.statements
              ? `Put inline policy ${policy.policyName} on ${roleName}: ${chosen
                  .map(p => p.name)
                  .join(', ')} (${policy.statements} statement(s))`
              : `Role ${roleName} has no allowed policies; no inline policy`,
          );

          if (mode === 'pod-identity') {
            const ids: string[] = [];
            for (const c of clusters) {
              for (const ns of c.namespaces) {
                const association = await ctx.checkpoint({
                  key: `eks.pod-identity.create.${roleName}.${c.name}.${ns}`,
                  fn: async () => {
                    const a = await roles.ensurePodIdentityAssociation({
                      clusterName: c.name,
                      namespace: ns,
                      serviceAccount,
                      roleArn: role.roleArn,
                      owner,
                    });
                    return {
                      associationId: a.associationId,
                      adopted: a.adopted,
                    };
                  },
                });
                ctx.logger.info(
                  `${
                    association.adopted ? 'Reused' : 'Created'
                  } pod identity association ${association.associationId} on ${
                    c.name
                  } for ${ns}/${serviceAccount}`,
                );
                ids.push(association.associationId);
              }
            }
            ctx.output('associationId', ids[0]);
          }

          ctx.output('roleArn', role.roleArn);
          ctx.output('roleName', role.roleName);
        },
      );
    },
  });
}
