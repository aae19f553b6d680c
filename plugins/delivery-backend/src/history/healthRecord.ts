import type { HealthTransition } from '../timeline/dora';
import { BATCH, HistoryStore, iso, retentionStart } from './store';

/*
 * Each Argo CD application's health transitions (`delivery_health`),
 * recorded by the history poll and the status answers.
 */

const HEALTH = 'delivery_health';

/** One Argo CD application's health as seen now. */
export interface HealthObservation {
  entityRef: string;
  environment: string;
  instance: string;
  appName: string;
  status: string;
  /** The helm-charts commit it is synced to. */
  revision?: string;
  /** Argo CD's `lastTransitionTime` of the health, when it gives one. */
  since?: string;
}

interface HealthRow {
  entity_ref: string;
  environment: string;
  instance: string;
  app_name: string;
  status: string;
  revision: string;
  since: string;
}

/**
 * Records each observation whose health differs from what was last
 * recorded for its application (or, while Degraded, whose revision
 * does); returns how many it recorded.
 * One read per 500 applications, a write only for the changes; two
 * replicas recording the same change write it once (unique index).
 */
export async function recordHealth(
  store: HistoryStore,
  observations: HealthObservation[],
): Promise<number> {
  const key = (instance: string, app: string) => `${instance}\n${app}`;
  const last = new Map<string, HealthRow>();
  const names = [...new Set(observations.map(o => o.appName))];
  for (let i = 0; i < names.length; i += 500) {
    const latest = store
      .db(HEALTH)
      .select('instance', 'app_name')
      .max('id as id')
      .whereIn('app_name', names.slice(i, i + 500))
      .groupBy('instance', 'app_name')
      .as('latest');
    const rows: HealthRow[] = await store
      .db(`${HEALTH} as h`)
      .join(latest, 'h.id', 'latest.id')
      .select('h.*');
    for (const r of rows) last.set(key(r.instance, r.app_name), r);
  }
  const now = new Date(store.now()).toISOString();
  const changed: HealthRow[] = [];
  for (const o of observations) {
    const before = last.get(key(o.instance, o.appName));
    const revision = o.revision ?? '';
    // A change of health; while Degraded, also a change of revision (a
    // new deployment that fails too). Healthy applications at a new
    // revision (every helm-charts commit moves them all) are not news.
    if (
      before?.status === o.status &&
      (o.status !== 'Degraded' || before.revision === revision)
    ) {
      continue;
    }
    const row: HealthRow = {
      entity_ref: o.entityRef,
      environment: o.environment,
      instance: o.instance,
      app_name: o.appName,
      status: o.status,
      revision,
      since: o.since ? iso(o.since) : now,
    };
    changed.push(row);
    last.set(key(o.instance, o.appName), row);
  }
  for (let i = 0; i < changed.length; i += BATCH) {
    await store
      .db(HEALTH)
      .insert(changed.slice(i, i + BATCH))
      .onConflict(['instance', 'app_name', 'since', 'status', 'revision'])
      .ignore();
  }
  return changed.length;
}

/** The environment's recorded health within the retention, oldest first. */
export async function health(
  store: HistoryStore,
  entityRef: string,
  environment: string,
): Promise<HealthTransition[]> {
  const since = retentionStart(store);
  const rows: HealthRow[] = await store
    .db<HealthRow>(HEALTH)
    .where({ entity_ref: entityRef, environment })
    .andWhere('since', '>', since)
    .orderBy('since', 'asc');
  return rows.map(r => ({
    status: r.status,
    since: r.since,
    ...(r.revision ? { revision: r.revision } : {}),
  }));
}

/**
 * Deletes the transitions older than `before` but each application's
 * latest, which is still true; returns how many.
 */
export function pruneHealth(store: HistoryStore, before: string) {
  const latest = store.db(HEALTH).max('id').groupBy('instance', 'app_name');
  return store
    .db(HEALTH)
    .where('since', '<=', before)
    .whereNotIn('id', latest)
    .delete();
}
