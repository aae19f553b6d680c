import { DoraDeployment, markRestored } from '../timeline/dora';
import { BATCH, HistoryStore, iso, retentionStart } from './store';

/*
 * The deployments DORA counts (`delivery_deployments`): one row per
 * helm-charts change that set an environment's image tag.
 */

const TABLE = 'delivery_deployments';

interface Row {
  entity_ref: string;
  environment: string;
  sha: string;
  kind: string;
  tag: string;
  deployed_at: string;
  time_from: string;
  failed: boolean | number;
  failed_at: string | null;
  restored_at: string | null;
}

function fromRow(r: Row): DoraDeployment {
  const d: DoraDeployment = {
    sha: r.sha,
    kind: r.kind as DoraDeployment['kind'],
    tag: r.tag,
    deployedAt: r.deployed_at,
    timeFrom: r.time_from === 'argocd' ? 'argocd' : 'commit',
    failed: Boolean(r.failed),
  };
  if (r.failed_at) d.failedAt = r.failed_at;
  if (r.restored_at) d.restoredAt = r.restored_at;
  return d;
}

function toRow(entityRef: string, environment: string, d: DoraDeployment): Row {
  return {
    entity_ref: entityRef,
    environment,
    sha: d.sha,
    kind: d.kind,
    tag: d.tag,
    deployed_at: iso(d.deployedAt),
    time_from: d.timeFrom,
    failed: d.failed,
    failed_at: d.failedAt ? iso(d.failedAt) : null,
    restored_at: d.restoredAt ? iso(d.restoredAt) : null,
  };
}

/**
 * What is known of one deployment, from what was recorded and what the
 * upstreams say now. The upstreams forget (Argo CD keeps ten syncs, a
 * superseded deployment is no longer Degraded), the record does not: a
 * time seen in Argo CD's history beats the commit time that stands in once
 * the history has moved on, and a failure, once seen, stays a failure with
 * the start it was first seen with.
 */
function merge(
  recorded: DoraDeployment | undefined,
  now: DoraDeployment,
): DoraDeployment {
  if (!recorded) return { ...now };
  const keepTime = recorded.timeFrom === 'argocd' && now.timeFrom !== 'argocd';
  const out: DoraDeployment = {
    ...now,
    deployedAt: keepTime ? recorded.deployedAt : now.deployedAt,
    timeFrom: keepTime ? 'argocd' : now.timeFrom,
    failed: recorded.failed || now.failed,
  };
  const failedAt = recorded.failedAt ?? now.failedAt;
  if (failedAt) out.failedAt = failedAt;
  else delete out.failedAt;
  return out;
}

function same(a: DoraDeployment | undefined, b: DoraDeployment): boolean {
  if (!a) return false;
  const norm = (t?: string) => (t ? iso(t) : undefined);
  return (
    a.kind === b.kind &&
    a.tag === b.tag &&
    norm(a.deployedAt) === norm(b.deployedAt) &&
    a.timeFrom === b.timeFrom &&
    a.failed === b.failed &&
    norm(a.failedAt) === norm(b.failedAt) &&
    norm(a.restoredAt) === norm(b.restoredAt)
  );
}

/**
 * `DeliveryHistory.reconcile`, also saying how many rows it wrote
 * (the scheduled poll records deployments nobody looked at).
 */
export async function recordDeployments(
  store: HistoryStore,
  entityRef: string,
  environment: string,
  current: DoraDeployment[],
): Promise<{ deployments: DoraDeployment[]; written: number }> {
  const since = retentionStart(store);
  const rows: Row[] = await store
    .db<Row>(TABLE)
    .where({ entity_ref: entityRef, environment })
    .andWhere('deployed_at', '>', since);
  const recorded = new Map(rows.map(r => [r.sha, fromRow(r)]));
  const all = new Map(recorded);
  for (const d of current) all.set(d.sha, merge(recorded.get(d.sha), d));
  const newestFirst = [...all.values()].sort(
    (a, b) => Date.parse(b.deployedAt) - Date.parse(a.deployedAt),
  );
  markRestored(newestFirst);
  const changed = newestFirst.filter(
    d =>
      Date.parse(d.deployedAt) > Date.parse(since) &&
      !same(recorded.get(d.sha), d),
  );
  // In batches: SQLite bounds the variables of one statement. A failure
  // another writer (a replica's status answer, the poll) recorded
  // meanwhile stays: failed is or-ed and the earliest start kept.
  const kept = (column: string) =>
    store.db.raw(
      `CASE WHEN ${TABLE}.${column} IS NULL THEN excluded.${column} WHEN excluded.${column} IS NULL THEN ${TABLE}.${column} WHEN excluded.${column} < ${TABLE}.${column} THEN excluded.${column} ELSE ${TABLE}.${column} END`,
    );
  for (let i = 0; i < changed.length; i += BATCH) {
    await store
      .db(TABLE)
      .insert(
        changed.slice(i, i + BATCH).map(d => toRow(entityRef, environment, d)),
      )
      .onConflict(['entity_ref', 'environment', 'sha'])
      .merge({
        kind: store.db.raw('excluded.kind'),
        tag: store.db.raw('excluded.tag'),
        // A time read from Argo CD's history beats the commit time.
        deployed_at: store.db.raw(
          `CASE WHEN ${TABLE}.time_from = 'argocd' AND excluded.time_from <> 'argocd' THEN ${TABLE}.deployed_at ELSE excluded.deployed_at END`,
        ),
        time_from: store.db.raw(
          `CASE WHEN ${TABLE}.time_from = 'argocd' THEN ${TABLE}.time_from ELSE excluded.time_from END`,
        ),
        failed: store.db.raw(`${TABLE}.failed OR excluded.failed`),
        failed_at: kept('failed_at'),
        restored_at: store.db.raw('excluded.restored_at'),
      });
  }
  return {
    deployments: newestFirst.filter(
      d => Date.parse(d.deployedAt) > Date.parse(since),
    ),
    written: changed.length,
  };
}

/** Deletes the deployments older than `before`; returns how many. */
export function pruneDeployments(store: HistoryStore, before: string) {
  return store.db(TABLE).where('deployed_at', '<=', before).delete();
}
