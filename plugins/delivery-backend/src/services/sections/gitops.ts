import { Entity } from '@backstage/catalog-model';
import {
  ChartChange,
  GitOpsSection,
  OpenPromotion,
  readDeliveryAnnotations,
} from '@internal/backstage-plugin-delivery-common';
import {
  parseChartCommit,
  PullRequestSummary,
} from '@internal/backstage-plugin-delivery-node';
import { Plan, read, SectionContext } from './plan';

/** The section name of the helm-charts branch list every entity shares. */
export const BRANCH_SECTION = 'helm-charts-branch';
/** The section name of helm-charts' open pull requests, shared the same way. */
export const PULLS_SECTION = 'helm-charts-pulls';

/**
 * helm-charts: the chart's own history (each commit read as deploy,
 * promote, rollback or other), and the branch's newest commits, shared by
 * every entity (one load per TTL), to place Argo CD's revisions.
 */
export function planGitOps(
  ctx: SectionContext,
  entity: Entity,
): Plan<GitOpsSection> {
  const hc = ctx.upstreams.helmCharts;
  const { path, name } = read(readDeliveryAnnotations(entity).chart);
  return {
    resource: `${hc.owner}/${hc.repo}:${path}`,
    load: async () => {
      const github = ctx.upstreams.github;
      const [commits, branch, pulls] = await Promise.all([
        github.listCommits(hc.owner, hc.repo, {
          sha: hc.branch,
          path,
          since: ctx.since(),
          perPage: 100,
        }),
        ctx.cache.get(
          { section: BRANCH_SECTION, resource: `${hc.owner}/${hc.repo}` },
          () =>
            github.listCommits(hc.owner, hc.repo, {
              sha: hc.branch,
              perPage: 100,
            }),
        ),
        // Only where promotions can wait for an approval.
        ctx.settings.road.some(e => e.changes === 'pull-request')
          ? ctx.cache.get(
              { section: PULLS_SECTION, resource: `${hc.owner}/${hc.repo}` },
              () =>
                github.listPullRequests(hc.owner, hc.repo, {
                  base: hc.branch,
                  state: 'open',
                  perPage: 100,
                }),
            )
          : undefined,
      ]);
      const changes: ChartChange[] = commits.map(c => ({
        sha: c.sha,
        message: c.message,
        committedAt: c.committedAt,
        url: c.url,
        ...parseChartCommit(c.fullMessage ?? c.message, name),
      }));
      return {
        repository: `${hc.owner}/${hc.repo}`,
        path,
        changes,
        branchCommits: branch.data?.map(c => c.sha),
        ...(pulls
          ? { promotions: openPromotions(pulls.data ?? [], name) }
          : {}),
      };
    },
  };
}

/** The open pull requests that promote the service `name`, newest first. */
function openPromotions(
  pulls: PullRequestSummary[],
  name: string,
): OpenPromotion[] {
  return pulls.flatMap(p => {
    const c = parseChartCommit(p.message, name);
    if (p.state !== 'open' || c.kind !== 'promote' || !c.environment) {
      return [];
    }
    return [
      {
        environment: c.environment,
        from: c.from,
        tag: c.tag,
        requestedBy: c.requestedBy,
        number: p.number,
        url: p.url,
        state: 'open' as const,
        openedAt: p.createdAt,
      },
    ];
  });
}
