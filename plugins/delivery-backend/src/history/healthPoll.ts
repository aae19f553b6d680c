import crypto from 'node:crypto';
import type { CacheService } from '@backstage/backend-plugin-api';
import {
  ChartChange,
  EnvironmentSync,
  OWNER_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplication,
  chartCommitNames,
  parseChartCommit,
} from '@internal/backstage-plugin-delivery-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
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

/**
 * The chart an application deploys from helm-charts (`owner/repo`):
 * `charts/<name>` of a single source in that repository; none otherwise
 * (another repository, several sources).
 */
function chartOf(app: ArgoApplication, repository: string): string | undefined {
  const source = app.spec.source;
  const repo = source?.repoURL
    ?.replace(/\.git$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (!repo?.endsWith(`/${repository.toLowerCase()}`)) return undefined;
  const m = /^charts\/([a-z0-9][a-z0-9-]*)\/?$/.exec(source?.path ?? '');
  return m?.[1];
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
  /**
   * The environments in promotion order: the first an entity has takes
   * CI's deploys; the last is the one DORA reports, and the one recorded.
   */
  environments: string[];
  /**
   * The plugin's cache (shared by the replicas): helm-charts is read only
   * when an application's revision or health moved or a push to it was noted
   * ({@link CHARTS_PUSHED_KEY}) since the last poll. Without it, every poll
   * reads it.
   */
  cache?: Pick<CacheService, 'get' | 'set'>;
  /** Where an entity whose deployments could not be recorded is named. */
  logger?: Pick<LoggerService, 'warn'>;
}): Promise<HealthPollResult> {
  const { upstreams, history, cache } = options;
  const hc = upstreams.helmCharts;
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
      const chart = chartOf(app, `${hc.owner}/${hc.repo}`);
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

  // Per entity, in promotion order: the first environment takes CI's
  // deploys; the last (DORA's) is recorded, from the first instance that
  // lists it.
  const road = options.environments;
  const rank = (e: string) =>
    road.indexOf(e) === -1 ? road.length : road.indexOf(e);
  const byEntity = new Map<string, typeof deployed>();
  for (const d of deployed) {
    const list = byEntity.get(d.entityRef) ?? [];
    if (!list.some(x => x.sync.environment === d.sync.environment)) {
      list.push(d);
    }
    byEntity.set(d.entityRef, list);
  }
  const targets = [...byEntity.values()].map(list => {
    const sorted = [...list].sort(
      (x, y) => rank(x.sync.environment) - rank(y.sync.environment),
    );
    return { base: sorted[0], last: sorted[sorted.length - 1] };
  });
  if (targets.length === 0) return result;

  // Nothing moved (revision, health, sync, operation, Argo CD's newest
  // history entry) and no push since the last poll: nothing new to record,
  // no GitHub call.
  const seen = crypto
    .createHash('sha256')
    .update(
      targets
        .map(({ last: { sync: e } }) =>
          [
            `${e.instance}/${e.appName}`,
            e.revision ?? '',
            e.healthStatus,
            e.syncStatus,
            e.operation?.phase ?? '',
            e.history[0]?.id ?? '',
          ].join(':'),
        )
        .sort()
        .join(','),
    )
    .update(`|${String((await cache?.get(CHARTS_PUSHED_KEY)) ?? '')}`)
    .digest('hex');
  if (cache && (await cache.get(SEEN_KEY)) === seen) return result;

  const branch = await upstreams.github.listCommits(hc.owner, hc.repo, {
    sha: hc.branch,
    perPage: BRANCH_COMMITS,
  });
  result.githubCalls = 1;
  const branchCommits = branch.map(c => c.sha);
  let failures = 0;
  for (const { base, last } of targets) {
    const { entityRef, chart, sync } = last;
    // The commits that name the service, and git's reverts of them
    // (oldest first, so a revert's target is known before it).
    const changes: ChartChange[] = [];
    const ours = new Set<string>();
    for (const c of [...branch].reverse()) {
      const message = c.fullMessage ?? c.message;
      const parsed = parseChartCommit(message, chart);
      if (parsed.kind === 'other') continue;
      const reverts = parsed.kind === 'rollback' ? parsed.reverts : undefined;
      if (
        !chartCommitNames(message, chart) &&
        !(reverts && ours.has(reverts))
      ) {
        continue;
      }
      ours.add(c.sha);
      changes.unshift({
        sha: c.sha,
        message: c.message,
        committedAt: c.committedAt,
        url: c.url,
        ...parsed,
      });
    }
    // Nothing of this chart among the newest commits: nothing new to record.
    if (changes.length === 0) continue;
    try {
      const current = doraDeployments({
        environment: sync.environment,
        isBaseEnvironment: base.sync.environment === sync.environment,
        gitops: {
          repository: `${hc.owner}/${hc.repo}`,
          path: `charts/${chart}`,
          changes,
          branchCommits,
        },
        sync,
        health: await history.health(entityRef, sync.environment),
      });
      if (current.length === 0) continue;
      const { written } = await history.recordDeployments(
        entityRef,
        sync.environment,
        current,
      );
      result.deployments += written;
    } catch (e) {
      // One entity's failure costs its record, not the others'.
      failures++;
      options.logger?.warn(`Deployments of ${entityRef} not recorded`, {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
  // Marked seen only when every entity was recorded: a failure is retried.
  if (failures === 0) await cache?.set(SEEN_KEY, seen, { ttl: { days: 1 } });
  return result;
}
