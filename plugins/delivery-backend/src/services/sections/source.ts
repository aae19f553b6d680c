import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  BuildSection,
  DeliveryAnnotations,
  readDeliveryAnnotations,
  SourceSection,
} from '@internal/backstage-plugin-delivery-common';
import { declaresEntity } from '@internal/backstage-plugin-delivery-node';
import { SectionLoadError } from '../SectionCache';
import { assertAllowed, notProven, Plan, read, SectionContext } from './plan';

/**
 * Resolves when the repository declares `entity` in its catalog-info.yaml
 * (or GitHub binding is not required), else ends the load as "not proven
 * to belong". The answer is kept with the other ownership answers.
 */
async function assertRepositoryDeclares(
  ctx: SectionContext,
  entity: Entity,
  gh: { owner: string; repo: string; slug: string },
): Promise<void> {
  if (!ctx.settings.requireBinding.github) return;
  const { kind, metadata } = entity;
  const ref = `${kind}:${metadata.namespace ?? 'default'}/${
    metadata.name
  }`.toLowerCase();
  const declared = await ctx.ownership.get(
    { entityRef: ref, section: 'github-binding', resource: gh.slug },
    async () => {
      const text = await ctx.upstreams.github.getFileContent(
        gh.owner,
        gh.repo,
        'catalog-info.yaml',
      );
      return (
        text !== undefined &&
        declaresEntity(text, {
          kind,
          namespace: metadata.namespace,
          name: metadata.name,
        })
      );
    },
  );
  if (declared.state === 'error') {
    throw new SectionLoadError({
      kind: 'upstream',
      message: declared.error!.message,
    });
  }
  if (!declared.data) {
    notProven(
      `GitHub repository ${gh.slug}`,
      ref,
      `its catalog-info.yaml does not declare ${ref}`,
    );
  }
}

/** The annotated app repository, when its owner is an allowed GitHub org. */
function allowedRepository(
  ctx: SectionContext,
  reading: DeliveryAnnotations['githubRepository'],
  absent: string,
) {
  const gh = read(reading, absent);
  assertAllowed(
    ctx.settings.allowed.githubOrgs,
    gh.owner,
    ANNOTATIONS.githubProjectSlug,
    'githubOrgs',
  );
  return gh;
}

/** The app repository's recent commits (GitHub). */
export function planSource(
  ctx: SectionContext,
  entity: Entity,
): Plan<SourceSection> {
  const gh = allowedRepository(
    ctx,
    readDeliveryAnnotations(entity).githubRepository,
    `No ${ANNOTATIONS.githubProjectSlug} annotation`,
  );
  return {
    resource: gh.slug,
    load: async () => {
      const [, commits] = await Promise.all([
        assertRepositoryDeclares(ctx, entity, gh),
        ctx.upstreams.github.listCommits(gh.owner, gh.repo, {
          since: ctx.since(),
          perPage: 100,
        }),
      ] as const);
      return {
        repository: gh.slug,
        commits: commits.map(({ fullMessage: _, ...commit }) => commit),
      };
    },
  };
}

/** CI builds: the Jenkins job when annotated, else GitHub Actions runs. */
export function planBuild(
  ctx: SectionContext,
  entity: Entity,
): Plan<BuildSection> {
  const limit = ctx.settings.listLimit;
  const annotations = readDeliveryAnnotations(entity);
  if (annotations.jenkinsJob) {
    const { instance, job, folder } = read(annotations.jenkinsJob);
    assertAllowed(
      ctx.settings.allowed.jenkinsFolders,
      folder,
      ANNOTATIONS.jenkinsJobFullName,
      'jenkinsFolders',
    );
    return {
      resource: `jenkins:${instance ?? ''}:${job}`,
      load: () => ctx.upstreams.jenkins.get(instance).getBuilds(job, { limit }),
    };
  }
  const gh = allowedRepository(
    ctx,
    annotations.githubRepository,
    `No ${ANNOTATIONS.jenkinsJobFullName} or ${ANNOTATIONS.githubProjectSlug} annotation`,
  );
  return {
    resource: `actions:${gh.slug}`,
    load: async () => {
      const [, runs] = await Promise.all([
        assertRepositoryDeclares(ctx, entity, gh),
        ctx.upstreams.github.listWorkflowRuns(gh.owner, gh.repo, {
          perPage: limit,
        }),
      ] as const);
      return runs;
    },
  };
}
