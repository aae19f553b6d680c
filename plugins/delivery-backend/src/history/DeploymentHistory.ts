import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { DoraDeployment, markRestored } from '../timeline/dora';

const TABLE = 'delivery_deployments';
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 50;

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

const iso = (t: string) => new Date(t).toISOString();

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
 * The deployments DORA counts, kept in the plugin's database
 * (`coreServices.database`: SQLite in development, PostgreSQL in
 * production, shared by every replica) for `retentionDays`, so the 30- and
 * 90-day figures hold after Argo CD's bounded history and the status's
 * list of helm-charts changes have moved on.
 *
 * Each status assembly reconciles what the upstreams say now with the
 * record: one indexed read, and a write only for the deployments that
 * changed (new ones, a failure seen, a restore).
 */
export class DeploymentHistory {
  readonly #db: Knex;
  readonly #retentionMs: number;
  readonly #now: () => number;

  static async create(options: {
    database: DatabaseService;
    retentionDays: number;
    now?: () => number;
  }): Promise<DeploymentHistory> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await db.migrate.latest({
        directory: resolvePackagePath(
          '@internal/backstage-plugin-delivery-backend',
          'migrations',
        ),
        tableName: 'delivery_knex_migrations',
      });
    }
    return new DeploymentHistory(
      db,
      options.retentionDays * DAY_MS,
      options.now ?? Date.now,
    );
  }

  private constructor(db: Knex, retentionMs: number, now: () => number) {
    this.#db = db;
    this.#retentionMs = retentionMs;
    this.#now = now;
  }

  /**
   * The environment's deployments within the retention, newest first: the
   * recorded ones merged with `current` (from the upstreams now), with
   * restores recomputed over the whole. Records what changed.
   */
  async reconcile(
    entityRef: string,
    environment: string,
    current: DoraDeployment[],
  ): Promise<DoraDeployment[]> {
    const since = new Date(this.#now() - this.#retentionMs).toISOString();
    const rows: Row[] = await this.#db<Row>(TABLE)
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
    // In batches: SQLite bounds the variables of one statement.
    for (let i = 0; i < changed.length; i += BATCH) {
      await this.#db(TABLE)
        .insert(
          changed
            .slice(i, i + BATCH)
            .map(d => toRow(entityRef, environment, d)),
        )
        .onConflict(['entity_ref', 'environment', 'sha'])
        .merge();
    }
    return newestFirst.filter(
      d => Date.parse(d.deployedAt) > Date.parse(since),
    );
  }

  /** Deletes what is older than the retention; returns how many rows. */
  async prune(): Promise<number> {
    const before = new Date(this.#now() - this.#retentionMs).toISOString();
    return this.#db(TABLE).where('deployed_at', '<=', before).delete();
  }
}
