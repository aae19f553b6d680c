import crypto from 'node:crypto';
import type { CacheService } from '@backstage/backend-plugin-api';
import {
  ChartChange,
  EnvironmentSync,
  OWNER_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplication,
  parseChartCommit,
} from '@internal/backstage-plugin-delivery-node';
import { environmentOf, environmentSync } from '../services/sections/sync';
import type { DeliveryUpstreams } from '../services/upstreams';
import { doraDeployments } from '../timeline/dora';
import type { DeliveryHistory, HealthObservation } from './DeliveryHistory';

/** helm-charts' newest commits one poll reads: one GitHub call. */
const BRANCH_COMMITS = 100;
/** The cache key of what the last poll read helm-charts for. */
const SEEN_KEY = 'history-poll:seen';
/** The cache key a helm-charts push sets, so the next poll reads it. */
export const CHARTS_PUSHED_KEY = 'history-poll:charts-pushed';

/**
 * The entity an Application is bound to: its OWNER_TAG annotation (the
 * exact ref), else its label (`kind.namespace.name`, the label form).
 */
function boundEntity(app: ArgoApplication): string | undefined {
  const annotation = app.metadata.annotations?.[OWNER_TAG];
  if (annotation) return annotation.toLowerCase();
  const label = app.metadata.labels?.[OWNER_TAG];
  const m = label ? /^([a-z]+)\.([a-z0-9-]+)\.(.+)$/.exec(label) : null;
  return m ? `${m[1]}:${m[2]}/${m[3]}` : undefined;
}

/** The chart an application deploys: the last segment of its source path. */
function chartOf(app: ArgoApplication): string | undefined {
  const path = app.spec.source?.path?.replace(/\/+$/, '');
  return path ? path.split('/').pop() : undefined;
}

/** What one poll saw and recorded. */
export interface HealthPollResult {
  /** Argo CD list calls: one per instance. */
  calls: number;
  /** GitHub calls: helm-charts' newest commits, once per poll. */
  githubCalls: number;
  applications: number;
  /** Health transitions recorded. */
  recorded: number;
  /** Deployment rows written (tag changes, their sync times, failures). */
  deployments: number;
}

/**
 * One pass of the history poll, scheduled with the scheduler's global scope
 * (one replica per interval) and run at once on a helm-charts push:
 *
 * - every Application bound to a Slipway service, one list per Argo CD
 *   instance (whatever the number of services); its health recorded where
 *   its health or revision changed;
 * - the deployments of each environment whose chart changed among
 *   helm-charts' newest commits (one GitHub call, made only when an
 *   application's revision or health moved or helm-charts was pushed since
 *   the last poll): each tag change with the time Argo CD's sync history gives it,
 *   as DORA counts them, recorded whether or not anyone opens the
 *   service's page.
 */
export async function pollHealth(options: {
  upstreams: DeliveryUpstreams;
  history: DeliveryHistory;
  /** The environments in promotion order: the first takes CI's deploys. */
  environments?: string[];
  /**
   * The plugin's cache (shared by the replicas): helm-charts is read only
   * when an application's revision or health moved or a push to it was noted
   * ({@link CHARTS_PUSHED_KEY}) since the last poll. Without it, every poll
   * reads it.
   */
  cache?: Pick<CacheService, 'get' | 'set'>;
}): Promise<HealthPollResult> {
  const { upstreams, history, cache } = options;
  const observations: HealthObservation[] = [];
  const deployed: Array<{
    entityRef: string;
    chart: string;
    sync: EnvironmentSync;
  }> = [];
  const names = upstreams.argocd.names();
  for (const name of names) {
    const client = upstreams.argocd.get(name);
    const apps = await client.listApplications({ selector: OWNER_TAG });
    for (const app of apps) {
      const entityRef = boundEntity(app);
      const appName = app.metadata.name;
      if (!entityRef || !appName) continue;
      const health = app.status?.health;
      observations.push({
        entityRef,
        environment: environmentOf(app),
        instance: client.name,
        appName,
        status: health?.status ?? 'Unknown',
        revision: app.status?.sync?.revision,
        since: health?.lastTransitionTime,
      });
      const chart = chartOf(app);
      if (chart) {
        deployed.push({
          entityRef,
          chart,
          sync: environmentSync(client, app, Number.MAX_SAFE_INTEGER),
        });
      }
    }
  }
  const recorded = await history.recordHealth(observations);
  const result = {
    calls: names.length,
    githubCalls: 0,
    applications: observations.length,
    recorded,
    deployments: 0,
  };
  if (deployed.length === 0) return result;
  // No revision or health moved and no push since the last poll: nothing
  // new to record, no GitHub call.
  const seen = crypto
    .createHash('sha256')
    .update(
      deployed
        .map(
          d =>
            `${d.sync.instance}/${d.sync.appName}:${d.sync.revision ?? ''}:${
              d.sync.healthStatus
            }`,
        )
        .sort()
        .join(','),
    )
    .update(`|${String((await cache?.get(CHARTS_PUSHED_KEY)) ?? '')}`)
    .digest('hex');
  if (cache && (await cache.get(SEEN_KEY)) === seen) return result;

  const hc = upstreams.helmCharts;
  const branch = await upstreams.github.listCommits(hc.owner, hc.repo, {
    sha: hc.branch,
    perPage: BRANCH_COMMITS,
  });
  result.githubCalls = 1;
  const branchCommits = branch.map(c => c.sha);
  const road = options.environments ?? [];
  const rank = (e: string) =>
    road.indexOf(e) === -1 ? road.length : road.indexOf(e);
  // The first environment of each entity takes CI's deploys (no environment).
  const base = new Map<string, string>();
  for (const d of [...deployed].sort(
    (x, y) => rank(x.sync.environment) - rank(y.sync.environment),
  )) {
    if (!base.has(d.entityRef)) base.set(d.entityRef, d.sync.environment);
  }
  for (const d of deployed) {
    const changes: ChartChange[] = branch.flatMap(c => {
      const parsed = parseChartCommit(c.fullMessage ?? c.message, d.chart);
      return parsed.kind === 'other'
        ? []
        : [
            {
              sha: c.sha,
              message: c.message,
              committedAt: c.committedAt,
              url: c.url,
              ...parsed,
            },
          ];
    });
    // Nothing of this chart among the newest commits: nothing new to record.
    if (changes.length === 0) continue;
    const environment = d.sync.environment;
    const recordedHealth = await history.health(d.entityRef, environment);
    const current = doraDeployments({
      environment,
      isBaseEnvironment: base.get(d.entityRef) === environment,
      gitops: {
        repository: `${hc.owner}/${hc.repo}`,
        path: `charts/${d.chart}`,
        changes,
        branchCommits,
      },
      sync: d.sync,
      health: recordedHealth,
    });
    if (current.length === 0) continue;
    const { written } = await history.recordDeployments(
      d.entityRef,
      environment,
      current,
    );
    result.deployments += written;
  }
  await cache?.set(SEEN_KEY, seen, { ttl: { days: 1 } });
  return result;
}
