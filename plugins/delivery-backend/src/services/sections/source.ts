import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  BuildSection,
  SourceSection,
} from '@internal/backstage-plugin-delivery-common';
import { assertAllowed, missing, Plan, SectionContext, slugOf } from './plan';

/** The app repository's recent commits (GitHub). */
export function planSource(
  ctx: SectionContext,
  entity: Entity,
): Plan<SourceSection> {
  const gh = slugOf(entity, ANNOTATIONS.githubProjectSlug);
  if (!gh) missing(`No ${ANNOTATIONS.githubProjectSlug} annotation`);
  assertAllowed(
    ctx.settings.allowed.githubOrgs,
    gh.owner,
    ANNOTATIONS.githubProjectSlug,
    'githubOrgs',
  );
  return {
    key: gh.slug,
    load: async () => ({
      repository: gh.slug,
      commits: (
        await ctx.upstreams.github.listCommits(gh.owner, gh.repo, {
          since: ctx.since(),
          perPage: 100,
        })
      ).map(({ fullMessage: _, ...commit }) => commit),
    }),
  };
}

/** CI builds: the Jenkins job when annotated, else GitHub Actions runs. */
export function planBuild(
  ctx: SectionContext,
  entity: Entity,
): Plan<BuildSection> {
  const limit = ctx.settings.listLimit;
  const job = entity.metadata.annotations?.[ANNOTATIONS.jenkinsJobFullName];
  if (job) {
    // The community plugin's `<instance>:<job>` form names the instance.
    const [instance, jobName] = job.includes(':')
      ? job.split(':', 2)
      : [undefined, job];
    assertAllowed(
      ctx.settings.allowed.jenkinsFolders,
      jobName.split('/')[0],
      ANNOTATIONS.jenkinsJobFullName,
      'jenkinsFolders',
    );
    return {
      key: `jenkins:${job}`,
      load: () =>
        ctx.upstreams.jenkins.get(instance).getBuilds(jobName, { limit }),
    };
  }
  const gh = slugOf(entity, ANNOTATIONS.githubProjectSlug);
  if (!gh) {
    missing(
      `No ${ANNOTATIONS.jenkinsJobFullName} or ${ANNOTATIONS.githubProjectSlug} annotation`,
    );
  }
  assertAllowed(
    ctx.settings.allowed.githubOrgs,
    gh.owner,
    ANNOTATIONS.githubProjectSlug,
    'githubOrgs',
  );
  return {
    key: `actions:${gh.slug}`,
    load: () =>
      ctx.upstreams.github.listWorkflowRuns(gh.owner, gh.repo, {
        perPage: limit,
      }),
  };
}
