import { BATCH, HOUR_MS, HistoryStore } from './store';

/*
 * Samples of each pod's restart count (`delivery_restarts`), kept two
 * hours: Kubernetes keeps only a pod's total.
 */

const RESTARTS = 'delivery_restarts';
/** A pod's count is sampled again after this long, or when it changes. */
const SAMPLE_EVERY_MS = 5 * 60 * 1000;

/**
 * Restarts in the last hour of an environment's pods, from their restart
 * counts now and the samples recorded (Kubernetes keeps only a pod's
 * total): per pod, now less its latest sample an hour or more ago; a pod
 * created within the hour counts whole; for an older pod first seen
 * within the hour, its earliest sample (`since` says from when the
 * figure counts). Records a sample per pod whose count changed or whose
 * last sample is five minutes old. One indexed read.
 */
export async function restartsLastHour(
  store: HistoryStore,
  entityRef: string,
  environment: string,
  pods: Array<{ name: string; restarts: number; createdAt?: string }>,
): Promise<{ restarts: number; since?: string }> {
  const now = store.now();
  const hourAgo = now - HOUR_MS;
  const rows: Array<{ pod: string; restarts: number; sampled_at: string }> =
    await store
      .db(RESTARTS)
      .where({ entity_ref: entityRef, environment })
      .andWhere('sampled_at', '>', new Date(now - 2 * HOUR_MS).toISOString())
      .orderBy('sampled_at', 'asc')
      .select('pod', 'restarts', 'sampled_at');
  let restarts = 0;
  let since: number | undefined;
  const fresh: Array<Record<string, unknown>> = [];
  for (const pod of pods) {
    const samples = rows.filter(r => r.pod === pod.name);
    const before = samples.filter(r => Date.parse(r.sampled_at) <= hourAgo);
    const created = pod.createdAt ? Date.parse(pod.createdAt) : undefined;
    let base = 0;
    if (before.length) {
      base = before[before.length - 1].restarts;
    } else if (created === undefined || created < hourAgo) {
      // Older than the hour, first seen within it: counted from then.
      const first = samples[0];
      base = first ? first.restarts : pod.restarts;
      const from = first ? Date.parse(first.sampled_at) : now;
      since = Math.max(since ?? 0, from);
    }
    restarts += Math.max(0, pod.restarts - base);
    const last = samples[samples.length - 1];
    if (
      !last ||
      last.restarts !== pod.restarts ||
      Date.parse(last.sampled_at) <= now - SAMPLE_EVERY_MS
    ) {
      fresh.push({
        entity_ref: entityRef,
        environment,
        pod: pod.name,
        restarts: pod.restarts,
        sampled_at: new Date(now).toISOString(),
      });
    }
  }
  for (let i = 0; i < fresh.length; i += BATCH) {
    await store.db(RESTARTS).insert(fresh.slice(i, i + BATCH));
  }
  return {
    restarts,
    ...(since !== undefined && since > hourAgo
      ? { since: new Date(since).toISOString() }
      : {}),
  };
}

/** Deletes the samples older than two hours; returns how many. */
export function pruneRestartSamples(store: HistoryStore) {
  return store
    .db(RESTARTS)
    .where(
      'sampled_at',
      '<=',
      new Date(store.now() - 2 * HOUR_MS).toISOString(),
    )
    .delete();
}
