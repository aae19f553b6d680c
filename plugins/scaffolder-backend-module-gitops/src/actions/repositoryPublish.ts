import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  createTemplateAction,
  parseRepoUrl,
  serializeDirectoryContents,
} from '@backstage/plugin-scaffolder-node';
import {
  creationInputs,
  OWNER_TAG,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  AppRepositories,
  AppRepositorySpec,
  assertClaimable,
  creationClaim,
  declaresEntity,
  ServiceAccess,
  taskTopic,
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './repositoryPublish.examples';

/** What `slipway:repository:publish` needs from the module. @public */
export interface RepositoryPublishActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  integrations: ScmIntegrationRegistry;
  access: ServiceAccess;
  /** The repositories of a GitHub host (module.ts: AppRepositories.forHost). */
  repositories: (host: string) => AppRepositories;
  /** The initial commit's author (scaffolder.defaultAuthor). */
  author?: { name?: string; email?: string };
}

/**
 * `slipway:repository:publish`: the service's app repository, re-run safe
 * where `publish:github` is not. A Retry of the task reuses the repository
 * the task created (its topic names the task) and writes the same initial
 * commit again (its date is checkpointed, so its SHA is the same); the
 * branch moves only from GitHub's first commit to that one. An existing
 * repository another run created is refused, unless the service's owners
 * adopt it (`adopt: true`) and its catalog-info.yaml declares the service.
 *
 * @public
 */
export function createRepositoryPublishAction(
  options: RepositoryPublishActionOptions,
) {
  const { integrations, access, repositories } = options;
  const author = {
    name: options.author?.name ?? 'Slipway',
    email: options.author?.email ?? 'slipway@users.noreply.github.com',
  };
  return createTemplateAction({
    id: 'slipway:repository:publish',
    description:
      "Creates the service's app repository on GitHub and pushes the workspace as its first commit, safe to re-run: a Retry reuses what this task created and writes the same commit; an existing repository another run created is refused unless its owners adopt it. Settings and default-branch protection are re-applied on every run.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...creationInputs(
          'Service name; the repository must declare component:default/<name> in its catalog-info.yaml.',
        ),
        repoUrl: z =>
          z.string({
            description:
              'Where to create the repository, in the scaffolder RepoUrlPicker form: github.com?owner=<org>&repo=<name>.',
          }),
        description: z =>
          z.string({ description: 'Repository description.' }).optional(),
        defaultBranch: z =>
          z
            .string({ description: 'Default branch. Default main.' })
            .regex(/^[A-Za-z0-9._/-]{1,100}$/)
            .optional(),
        repoVisibility: z =>
          z
            .enum(['private', 'internal', 'public'], {
              description: 'Repository visibility. Default private.',
            })
            .optional(),
        protectDefaultBranch: z =>
          z
            .boolean({
              description:
                'Protect the default branch (one approving review, admins included). Default true.',
            })
            .optional(),
        deleteBranchOnMerge: z =>
          z
            .boolean({
              description: 'Delete head branches after merge. Default true.',
            })
            .optional(),
        sourcePath: z =>
          z
            .string({
              description:
                'Folder of the workspace to publish, relative to it. Default: the whole workspace.',
            })
            .optional(),
      },
      output: {
        remoteUrl: z =>
          z.string({ description: 'The repository on GitHub (web URL).' }),
        repoContentsUrl: z =>
          z.string({
            description: "The default branch's contents (web URL).",
          }),
        commitHash: z =>
          z.string({
            description: 'The initial commit (the same on a Retry).',
          }),
        created: z =>
          z.boolean({
            description: 'False when the repository already existed.',
          }),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        {
          ...options.reporting,
          action: 'slipway:repository:publish',
          creating: true,
        },
        async () => {
          const { name } = ctx.input;
          const { host, owner, repo } = parseRepoUrl(
            ctx.input.repoUrl,
            integrations,
          );
          if (!owner) {
            throw new InputError(
              `repoUrl must name an owner (got '${ctx.input.repoUrl}')`,
            );
          }
          if (!integrations.github.byHost(host)) {
            throw new InputError(
              `repoUrl's host ${host} is not a GitHub host under integrations.github`,
            );
          }
          const spec: AppRepositorySpec = {
            owner,
            repo,
            description: ctx.input.description,
            visibility: ctx.input.repoVisibility ?? 'private',
            defaultBranch: ctx.input.defaultBranch ?? 'main',
            protectDefaultBranch: ctx.input.protectDefaultBranch ?? true,
            deleteBranchOnMerge: ctx.input.deleteBranchOnMerge ?? true,
          };
          const webUrl = `https://${host}/${owner}/${repo}`;
          const files = await serializeDirectoryContents(
            ctx.input.sourcePath
              ? `${ctx.workspacePath}/${ctx.input.sourcePath}`
              : ctx.workspacePath,
            { gitignore: false },
          );
          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would create ${webUrl} and push ${files.length} files as its first commit`,
            );
            ctx.output('remoteUrl', webUrl);
            ctx.output(
              'repoContentsUrl',
              `${webUrl}/blob/${spec.defaultBranch}`,
            );
            ctx.output('commitHash', '0'.repeat(40));
            ctx.output('created', true);
            return;
          }
          const claim = await creationClaim(
            access,
            ctx,
            name,
            'slipway:repository:publish',
          );
          const repos = repositories(host);
          // Without a task id there is nothing to recognise a Retry by.
          const topic = claim.task ? taskTopic(claim.task) : undefined;

          const made = await ctx.checkpoint({
            key: `github.repository.${owner}/${repo}`,
            fn: async () => {
              const existing = await repos.get(owner, repo);
              if (!existing) {
                ctx.logger.info(`Creating ${webUrl}`);
                const created = await repos.create(spec, [
                  'slipway',
                  ...(topic ? [topic] : []),
                ]);
                return {
                  htmlUrl: created.htmlUrl,
                  created: true,
                  byThisTask: true,
                };
              }
              // A Retry of this task: the topic names it. Otherwise the
              // repository must declare the service and be adopted on purpose.
              const byThisTask =
                topic !== undefined && existing.topics.includes(topic);
              const declares =
                byThisTask || (await isDeclared(repos, spec, name));
              assertClaimable(
                'GitHub repository',
                `${owner}/${repo}`,
                {
                  ...(declares ? { [OWNER_TAG]: claim.owner } : {}),
                  ...(byThisTask && claim.task
                    ? { [TASK_TAG]: claim.task }
                    : {}),
                },
                claim,
              );
              ctx.logger.info(
                `${webUrl} exists and is this service's; reusing it`,
              );
              return { htmlUrl: existing.htmlUrl, created: false, byThisTask };
            },
          });

          // Fixed on the first attempt, so every attempt writes the same commit.
          const date = await ctx.checkpoint({
            key: `github.repository.${owner}/${repo}.date`,
            fn: async () => new Date().toISOString(),
          });
          const pushed = await repos.pushInitial(
            spec,
            {
              files: files.map(f => ({
                path: f.path,
                content: f.content,
                executable: f.executable,
              })),
              message: 'Initial commit from the Slipway wizard',
              author,
              date,
            },
            // An adopted repository keeps its history; one this task created
            // holds GitHub's first commit or this task's.
            { keepHistory: !made.byThisTask },
          );
          ctx.logger.info(
            (pushed.kept &&
              `${spec.defaultBranch} keeps its own history (head ${pushed.commitSha}); the wizard's files were not pushed`) ||
              (pushed.pushed
                ? `Pushed the initial commit ${pushed.commitSha} to ${spec.defaultBranch}`
                : `${spec.defaultBranch} already holds the initial commit ${pushed.commitSha}`),
          );
          await repos.applySettings(spec);
          ctx.output('remoteUrl', made.htmlUrl);
          ctx.output(
            'repoContentsUrl',
            `${made.htmlUrl}/blob/${spec.defaultBranch}`,
          );
          ctx.output('commitHash', pushed.commitSha);
          ctx.output('created', made.created);
        },
      );
    },
  });
}

/** Whether the repository's catalog-info.yaml declares component:default/<name>. */
async function isDeclared(
  repos: AppRepositories,
  spec: AppRepositorySpec,
  name: string,
): Promise<boolean> {
  const text = await repos.readFile(spec, 'catalog-info.yaml');
  if (text === undefined) return false;
  return declaresEntity(text, { kind: 'Component', name });
}
