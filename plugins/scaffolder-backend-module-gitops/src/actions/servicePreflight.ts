import fs from 'node:fs';
import path from 'node:path';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  createTemplateAction,
  parseRepoUrl,
} from '@backstage/plugin-scaffolder-node';
import {
  adoptInput,
  checkServiceName,
  checkServiceNamespace,
  OWNER_TAG,
  ownerTagValue,
  serviceCreatePermission,
  serviceNameInput,
  serviceNamespaceInput,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  AwsClients,
  applicationNameOf,
  checkEnvironments,
  checkServiceSettings,
  creationClaim,
  CreationClaim,
  ServiceAccess,
  ServiceInventory,
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './servicePreflight.examples';
import {
  checkBaseChartStrategy,
  checkRolloutStrategy,
  RolloutStrategy,
  rolloutStrategyInput,
} from './rolloutStrategy';

/** What `slipway:service:preflight` needs from the module. @public */
export interface ServicePreflightActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  access: ServiceAccess;
  integrations: ScmIntegrationRegistry;
  aws: AwsClients;
  /** Where the name is looked up: catalog, GitHub, ECR, IAM, helm-charts, Argo CD. */
  inventory: ServiceInventory;
  /** The names of slipway.environments */
  environments: string[];
  /** slipway.reservedNamespaces */
  reservedNamespaces?: string[];
  /**
   * Absolute path of the base chart gitops:chart:register copies
   * (slipway.gitops.baseChartDir). When given, a canary rollout strategy is
   * refused here if that chart does not offer one.
   */
  baseChartDir?: string;
}

/** One problem, on the form field it belongs to. */
type Problem = [field: string, message: string];

function refuse(problems: Problem[]): never {
  throw new InputError(
    `The service cannot be created as asked:\n${problems
      .map(([field, message]) => `- ${field}: ${message}`)
      .join('\n')}`,
  );
}

/** Whether an existing resource's tags let this claim take it. */
function claimable(
  tags: Record<string, string | undefined>,
  claim: CreationClaim,
): string | undefined {
  const owner = tags[OWNER_TAG];
  if (owner !== claim.owner) {
    return owner
      ? `it belongs to ${owner}`
      : `it is not bound to any service (no ${OWNER_TAG})`;
  }
  if (claim.adopt) return undefined;
  if (claim.task !== undefined && tags[TASK_TAG] === claim.task) {
    return undefined;
  }
  return tags[TASK_TAG]
    ? `it was created by another run (task ${tags[TASK_TAG]}); Retry that run, or let the service's owners adopt it`
    : `it exists already; the service's owners may adopt it on purpose`;
}

/**
 * `slipway:service:preflight`: the first step of "Service on EKS". Checks
 * every rule the later steps would check (names, reserved namespaces,
 * environments, HPA bounds, allowed AWS permissions, a rollout strategy the
 * base chart offers), that the initiator may create a service for the owner
 * team, and that the name and repository are free everywhere the service
 * would live (catalog, GitHub, ECR, IAM, helm-charts, Argo CD). Refuses
 * with one message per field, before any other step has changed anything;
 * it only reads.
 *
 * @public
 */
export function createServicePreflightAction(
  options: ServicePreflightActionOptions,
) {
  const {
    access,
    integrations,
    aws,
    inventory,
    environments: configured,
    reservedNamespaces = [],
    baseChartDir,
  } = options;
  const allowedPolicies = (aws.settings.iam?.allowedPolicies ?? []).map(
    p => p.name,
  );

  return createTemplateAction({
    id: 'slipway:service:preflight',
    description:
      'Checks a new service before anything is created: every input rule the later steps enforce (reserved namespaces, HPA bounds, environments, allowed AWS permissions, a rollout strategy the base chart offers), that the initiator belongs to the owner team, and that the name and repository are free in the catalog, GitHub, ECR, IAM, helm-charts and Argo CD. Refuses with one message per field; only reads.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => serviceNameInput(z, 'Service name (2-40 characters)'),
        owner: z =>
          z.string({
            description:
              'The owner Group; the initiator must be one of its members',
          }),
        namespace: z =>
          serviceNamespaceInput(
            z,
            'Kubernetes namespace (not kube-*, default, argocd or slipway.reservedNamespaces)',
          ),
        repoUrl: z =>
          z.string({
            description:
              'The new repository, as RepoUrlPicker gives it (host?owner=o&repo=r)',
          }),
        environments: z =>
          z.array(z.string(), {
            description: `Environments to deploy (${configured.join(', ')})`,
          }),
        port: z => z.number({ description: 'Container port' }).optional(),
        replicas: z => z.number({ description: 'Replicas' }).optional(),
        autoscaling: z =>
          z.boolean({ description: 'Autoscale with an HPA' }).optional(),
        minReplicas: z =>
          z.number({ description: 'HPA minimum replicas' }).optional(),
        maxReplicas: z =>
          z
            .number({ description: 'HPA maximum replicas (≥ minimum)' })
            .optional(),
        rolloutStrategy: z => rolloutStrategyInput(z),
        awsPermissions: z =>
          z
            .array(z.string(), {
              description: `Names from slipway.aws.iam.allowedPolicies (${
                allowedPolicies.join(', ') || 'none configured'
              })`,
            })
            .optional(),
        adopt: z => adoptInput(z),
      },
      output: {
        entityRef: z =>
          z.string({ description: 'The Component the service will be' }),
      },
    },

    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        { ...options.reporting, action: 'slipway:service:preflight' },
        async () => {
          const { input } = ctx;
          const problems: Problem[] = [];
          const check = (field: string, problem: string | undefined) => {
            if (problem) problems.push([field, problem]);
          };

          // 1. Every rule on the values alone: no upstream call.
          check('name', checkServiceName(input.name));
          let owner = '';
          try {
            owner = stringifyEntityRef(
              parseEntityRef(input.owner, { defaultKind: 'group' }),
            );
            if (!owner.startsWith('group:')) {
              check('owner', `must be a Group (got ${owner})`);
            }
          } catch (e) {
            check('owner', (e as Error).message);
          }
          check(
            'namespace',
            checkServiceNamespace(
              input.namespace,
              'namespace',
              reservedNamespaces,
            ),
          );
          check(
            'environments',
            checkEnvironments(input.environments, configured),
          );
          // Argo CD names each Application <name>-<env>, a 63-character label.
          const longest = (input.environments ?? []).find(
            e =>
              typeof e === 'string' &&
              typeof input.name === 'string' &&
              applicationNameOf(input.name, e).length > 63,
          );
          if (longest) {
            check(
              'name',
              `with environment ${longest}, the Argo CD application ${applicationNameOf(
                input.name,
                longest,
              )} would be longer than 63 characters; choose a shorter name`,
            );
          }
          // The chart's own rules, each on its field; the HPA bounds are
          // checked whether or not autoscaling is on, as the chart step does.
          const service = (settings: object) =>
            checkServiceSettings(settings)?.replace(
              /service\.(autoscaling\.)?/g,
              '',
            );
          check('port', service({ port: input.port }));
          check('replicas', service({ replicas: input.replicas }));
          const bounds = {
            minReplicas: input.minReplicas,
            maxReplicas: input.maxReplicas,
          };
          check(
            'minReplicas',
            service({ autoscaling: { minReplicas: bounds.minReplicas } }),
          );
          check('maxReplicas', service({ autoscaling: bounds }));
          const strategyProblem = checkRolloutStrategy(input.rolloutStrategy);
          check(
            'rolloutStrategy',
            strategyProblem ??
              (await baseChartProblem(
                input.rolloutStrategy as RolloutStrategy | undefined,
              )),
          );
          const unknown = (input.awsPermissions ?? []).filter(
            p => !allowedPolicies.includes(p),
          );
          if (unknown.length) {
            check(
              'awsPermissions',
              `${unknown.join(', ')} ${
                unknown.length === 1 ? 'is' : 'are'
              } not allowed; choose from ${
                allowedPolicies.join(', ') || 'none'
              }`,
            );
          }
          let repo: { host: string; owner: string; repo: string } | undefined;
          try {
            const parsed = parseRepoUrl(input.repoUrl, integrations);
            if (!parsed.owner || !parsed.repo) {
              throw new Error('it names no owner and repository');
            }
            repo = {
              host: parsed.host,
              owner: parsed.owner,
              repo: parsed.repo,
            };
          } catch (e) {
            check('repoUrl', (e as Error).message);
          }
          if (problems.length) refuse(problems);

          // 2. Who asks: a member of the owner team, and (for adopt) an owner.
          await access.authorize({
            action: 'create',
            entityRef: owner,
            permission: serviceCreatePermission,
            credentials: await ctx.getInitiatorCredentials(),
            meta: {
              service: ownerTagValue(input.name),
              step: 'slipway:service:preflight',
            },
          });
          const claim = await creationClaim(
            access,
            ctx,
            input.name,
            'slipway:service:preflight',
          );
          const entityRef = claim.owner;
          ctx.output('entityRef', entityRef);
          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: ${entityRef} for ${owner} passes the input rules; the name is checked upstream on a real run`,
            );
            return;
          }

          // 3. The name and repository are free (or, on a Retry, this task's).
          // Recorded, so a Retry of this task does not refuse what it created.
          const verdict = await ctx.checkpoint({
            key: `preflight.${input.name}`,
            fn: async () => {
              const found = await freeEverywhere(input.name, repo!, claim);
              if (found.length) refuse(found);
              return { entityRef, adopt: claim.adopt ?? false };
            },
          });
          ctx.logger.info(
            `${entityRef} may be created for ${owner}: the name is free in the catalog, GitHub, ECR, IAM, helm-charts and Argo CD${
              verdict.adopt ? ' (or bound to it and adopted on purpose)' : ''
            }`,
          );
        },
      );
    },
  });

  /** What gitops:chart:register would refuse about the base chart. */
  async function baseChartProblem(
    strategy: RolloutStrategy | undefined,
  ): Promise<string | undefined> {
    if (!baseChartDir || strategy === undefined || strategy === 'rolling') {
      return undefined;
    }
    let values: string;
    try {
      values = await fs.promises.readFile(
        path.join(baseChartDir, 'values.yaml'),
        'utf8',
      );
    } catch {
      return `the base chart's values.yaml (slipway.gitops.baseChartDir) cannot be read, so a ${strategy} rollout cannot be checked`;
    }
    return checkBaseChartStrategy(values, strategy);
  }

  async function freeEverywhere(
    name: string,
    repo: { host: string; owner: string; repo: string },
    claim: CreationClaim,
  ): Promise<Problem[]> {
    const problems: Problem[] = [];
    for (const item of await inventory.lookup(name, { repo, strict: true })) {
      if (item.kind === 'repository') {
        if (item.unchecked) problems.push(['repoUrl', item.unchecked]);
        else if (item.exists) {
          problems.push([
            'repoUrl',
            `${repo.owner}/${repo.repo} already exists on ${repo.host}; choose a new repository`,
          ]);
        }
        continue;
      }
      if (!item.exists) continue;
      if (item.kind === 'catalog') {
        if (claim.adopt && item.binding === claim.owner) continue;
        problems.push([
          'name',
          `${item.binding} already exists in the catalog (owner ${
            item.owner ?? 'unknown'
          })`,
        ]);
        continue;
      }
      const what =
        item.kind === 'chart' ? `charts/${name} in helm-charts` : item.label;
      const why = claimable(
        { [OWNER_TAG]: item.binding, [TASK_TAG]: item.task },
        claim,
      );
      if (why) problems.push(['name', `${what}: ${why}`]);
    }
    return problems;
  }
}
