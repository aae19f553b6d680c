import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { Build, Image } from '@internal/backstage-plugin-delivery-common';
import {
  DoraDeployment,
  HealthTransition,
  markRestored,
} from '../timeline/dora';

const TABLE = 'delivery_deployments';
const HEALTH = 'delivery_health';
const RESTARTS = 'delivery_restarts';
const COMMITS = 'delivery_commits';
const BUILDS = 'delivery_builds';
const IMAGES = 'delivery_images';
const HOUR_MS = 60 * 60 * 1000;
/** A pod's count is sampled again after this long, or when it changes. */
const SAMPLE_EVERY_MS = 5 * 60 * 1000;
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
 * The deployments DORA counts (and the app commits its lead time pairs
 * them with), kept in the plugin's database
 * (`coreServices.database`: SQLite in development, PostgreSQL in
 * production, shared by every replica) for `retentionDays`, so the 30- and
 * 90-day figures hold after Argo CD's bounded history and the status's
 * list of helm-charts changes have moved on.
 *
 * Each status assembly and each pass of the history poll reconciles what
 * the upstreams say now with the record: one indexed read, and a write
 * only for the deployments that changed (new ones, a failure seen, a
 * restore).
 */
export class DeliveryHistory {
  readonly #db: Knex;
  readonly #retentionMs: number;
  readonly #now: () => number;

  static async create(options: {
    database: DatabaseService;
    retentionDays: number;
    now?: () => number;
  }): Promise<DeliveryHistory> {
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
    return new DeliveryHistory(
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
    return (await this.recordDeployments(entityRef, environment, current))
      .deployments;
  }

  /**
   * {@link DeliveryHistory.reconcile}, also saying how many rows it wrote
   * (the scheduled poll records deployments nobody looked at).
   */
  async recordDeployments(
    entityRef: string,
    environment: string,
    current: DoraDeployment[],
  ): Promise<{ deployments: DoraDeployment[]; written: number }> {
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
    // In batches: SQLite bounds the variables of one statement. A failure
    // another writer (a replica's status answer, the poll) recorded
    // meanwhile stays: failed is or-ed and the earliest start kept.
    const kept = (column: string) =>
      this.#db.raw(
        `CASE WHEN ${TABLE}.${column} IS NULL THEN excluded.${column} WHEN excluded.${column} IS NULL THEN ${TABLE}.${column} WHEN excluded.${column} < ${TABLE}.${column} THEN excluded.${column} ELSE ${TABLE}.${column} END`,
      );
    for (let i = 0; i < changed.length; i += BATCH) {
      await this.#db(TABLE)
        .insert(
          changed
            .slice(i, i + BATCH)
            .map(d => toRow(entityRef, environment, d)),
        )
        .onConflict(['entity_ref', 'environment', 'sha'])
        .merge({
          kind: this.#db.raw('excluded.kind'),
          tag: this.#db.raw('excluded.tag'),
          // A time read from Argo CD's history beats the commit time.
          deployed_at: this.#db.raw(
            `CASE WHEN ${TABLE}.time_from = 'argocd' AND excluded.time_from <> 'argocd' THEN ${TABLE}.deployed_at ELSE excluded.deployed_at END`,
          ),
          time_from: this.#db.raw(
            `CASE WHEN ${TABLE}.time_from = 'argocd' THEN ${TABLE}.time_from ELSE excluded.time_from END`,
          ),
          failed: this.#db.raw(`${TABLE}.failed OR excluded.failed`),
          failed_at: kept('failed_at'),
          restored_at: this.#db.raw('excluded.restored_at'),
        });
    }
    return {
      deployments: newestFirst.filter(
        d => Date.parse(d.deployedAt) > Date.parse(since),
      ),
      written: changed.length,
    };
  }

  /**
   * Records app commits of the entities' default branch (a push webhook's
   * commits, or the source section's list); a commit already recorded is
   * left as it is. Returns how many were new.
   */
  async recordCommits(
    entityRefs: string[],
    commits: Array<{ sha: string; committedAt: string }>,
    from: 'push' | 'source',
  ): Promise<number> {
    const since = this.#now() - this.#retentionMs;
    const rows = entityRefs.flatMap(entityRef =>
      commits
        .filter(c => Date.parse(c.committedAt) > since)
        .map(c => ({
          entity_ref: entityRef,
          sha: c.sha,
          committed_at: iso(c.committedAt),
          recorded_from: from,
        })),
    );
    if (rows.length === 0) return 0;
    const known = new Set<string>();
    for (const ref of entityRefs) {
      const shas = rows.filter(r => r.entity_ref === ref).map(r => r.sha);
      for (let i = 0; i < shas.length; i += 500) {
        const found: Array<{ sha: string }> = await this.#db(COMMITS)
          .where({ entity_ref: ref })
          .whereIn('sha', shas.slice(i, i + 500))
          .select('sha');
        for (const f of found) known.add(`${ref}\n${f.sha}`);
      }
    }
    const fresh = rows.filter(r => !known.has(`${r.entity_ref}\n${r.sha}`));
    for (let i = 0; i < fresh.length; i += BATCH) {
      await this.#db(COMMITS)
        .insert(fresh.slice(i, i + BATCH))
        .onConflict(['entity_ref', 'sha'])
        .ignore();
    }
    return fresh.length;
  }

  /**
   * The entity's app commits for DORA's lead time, newest first: `current`
   * (the source section's newest, in the branch's order; recorded here
   * when new, and their times corrected from it) followed by the recorded
   * ones it does not list, committed within the last `days`, by commit
   * time.
   */
  async commits(
    entityRef: string,
    current: Array<{ sha: string; committedAt: string }>,
    days: number,
  ): Promise<Array<{ sha: string; committedAt: string }>> {
    const since = new Date(
      Math.max(this.#now() - days * DAY_MS, this.#now() - this.#retentionMs),
    ).toISOString();
    const rows: Array<{ sha: string; committed_at: string }> = await this.#db(
      COMMITS,
    )
      .where({ entity_ref: entityRef })
      .andWhere('committed_at', '>', since)
      .select('sha', 'committed_at');
    const recorded = new Map(rows.map(r => [r.sha, r.committed_at]));
    const listed = current.filter(c =>
      Number.isFinite(Date.parse(c.committedAt)),
    );
    const fresh = listed.filter(c => !recorded.has(c.sha));
    if (fresh.length > 0) {
      await this.recordCommits([entityRef], fresh, 'source');
    }
    // The source section's time is the committer date: it wins.
    for (const c of listed) {
      const was = recorded.get(c.sha);
      if (was !== undefined && was !== iso(c.committedAt)) {
        await this.#db(COMMITS)
          .where({ entity_ref: entityRef, sha: c.sha })
          .update({
            committed_at: iso(c.committedAt),
            recorded_from: 'source',
          });
      }
    }
    const shown = new Set(listed.map(c => c.sha));
    const older = rows
      .filter(r => !shown.has(r.sha))
      .map(r => ({ sha: r.sha, committedAt: r.committed_at }))
      .sort((a, b) => Date.parse(b.committedAt) - Date.parse(a.committedAt));
    return [
      ...listed.map(c => ({ sha: c.sha, committedAt: iso(c.committedAt) })),
      ...older,
    ];
  }

  /**
   * Records the builds a build section listed (one read, a write for the
   * new or changed ones); returns how many were written. The entity's
   * environments are left out of an image (they are now's, not history).
   */
  async recordBuilds(
    entityRef: string,
    provider: string,
    builds: Build[],
  ): Promise<number> {
    return this.#recordJson(
      BUILDS,
      { entity_ref: entityRef, provider },
      'number',
      'build',
      builds.map(b => ({
        entity_ref: entityRef,
        provider,
        number: b.number,
        commit_sha: b.commitSha ?? null,
        started_at: iso(b.startedAt),
        build: JSON.stringify(b),
      })),
    );
  }

  /**
   * Upserts the `rows` (of one scope: `where`) whose JSON column `json`
   * differs from what is recorded under their `key`; returns how many. One
   * read per 500 rows.
   */
  async #recordJson(
    table: string,
    where: Record<string, string>,
    key: string,
    json: string,
    rows: Array<Record<string, string | number | null>>,
  ): Promise<number> {
    const known = new Map<string, unknown>();
    for (let i = 0; i < rows.length; i += 500) {
      const found: Array<Record<string, unknown>> = await this.#db(table)
        .where(where)
        .whereIn(
          key,
          rows.slice(i, i + 500).map(r => r[key]!),
        )
        .select(key, json);
      for (const f of found) known.set(String(f[key]), f[json]);
    }
    const changed = rows.filter(r => known.get(String(r[key])) !== r[json]);
    for (let i = 0; i < changed.length; i += BATCH) {
      await this.#db(table)
        .insert(changed.slice(i, i + BATCH))
        .onConflict([...Object.keys(where), key])
        .merge();
    }
    return changed.length;
  }

  /** The recorded builds of these app commits, newest first. */
  async buildsOf(
    entityRef: string,
    provider: string,
    commitShas: string[],
  ): Promise<Build[]> {
    const out: Build[] = [];
    for (let i = 0; i < commitShas.length; i += 500) {
      const rows: Array<{ build: string }> = await this.#db(BUILDS)
        .where({ entity_ref: entityRef, provider })
        .whereIn('commit_sha', commitShas.slice(i, i + 500))
        .orderBy('number', 'desc')
        .select('build');
      out.push(...rows.map(r => JSON.parse(r.build) as Build));
    }
    return out.sort((a, b) => b.number - a.number);
  }

  /** Records the images an image section listed; returns how many were written. */
  async recordImages(entityRef: string, images: Image[]): Promise<number> {
    return this.#recordJson(
      IMAGES,
      { entity_ref: entityRef },
      'digest',
      'image',
      images.map(img => ({
        entity_ref: entityRef,
        digest: img.digest,
        pushed_at: iso(img.pushedAt),
        image: JSON.stringify({ ...img, environments: [] }),
      })),
    );
  }

  /**
   * The recorded images pushed at or after `since` with a tag in `tags`,
   * newest first (their environments empty: those are now's).
   */
  async imagesTagged(
    entityRef: string,
    tags: string[],
    since: string,
  ): Promise<Image[]> {
    const wanted = new Set(tags);
    const rows: Array<{ image: string }> = await this.#db(IMAGES)
      .where({ entity_ref: entityRef })
      .andWhere('pushed_at', '>=', iso(since))
      .orderBy('pushed_at', 'desc')
      .select('image');
    return rows
      .map(r => JSON.parse(r.image) as Image)
      .filter(img => img.tags.some(t => wanted.has(t)));
  }

  /**
   * Records each observation whose health differs from what was last
   * recorded for its application (or, while Degraded, whose revision
   * does); returns how many it recorded.
   * One read per 500 applications, a write only for the changes; two
   * replicas recording the same change write it once (unique index).
   */
  async recordHealth(observations: HealthObservation[]): Promise<number> {
    const key = (instance: string, app: string) => `${instance}\n${app}`;
    const last = new Map<string, HealthRow>();
    const names = [...new Set(observations.map(o => o.appName))];
    for (let i = 0; i < names.length; i += 500) {
      const latest = this.#db(HEALTH)
        .select('instance', 'app_name')
        .max('id as id')
        .whereIn('app_name', names.slice(i, i + 500))
        .groupBy('instance', 'app_name')
        .as('latest');
      const rows: HealthRow[] = await this.#db(`${HEALTH} as h`)
        .join(latest, 'h.id', 'latest.id')
        .select('h.*');
      for (const r of rows) last.set(key(r.instance, r.app_name), r);
    }
    const now = new Date(this.#now()).toISOString();
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
      await this.#db(HEALTH)
        .insert(changed.slice(i, i + BATCH))
        .onConflict(['instance', 'app_name', 'since', 'status', 'revision'])
        .ignore();
    }
    return changed.length;
  }

  /** The environment's recorded health within the retention, oldest first. */
  async health(
    entityRef: string,
    environment: string,
  ): Promise<HealthTransition[]> {
    const since = new Date(this.#now() - this.#retentionMs).toISOString();
    const rows: HealthRow[] = await this.#db<HealthRow>(HEALTH)
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
   * Restarts in the last hour of an environment's pods, from their restart
   * counts now and the samples recorded (Kubernetes keeps only a pod's
   * total): per pod, now less its latest sample an hour or more ago; a pod
   * created within the hour counts whole; for an older pod first seen
   * within the hour, its earliest sample (`since` says from when the
   * figure counts). Records a sample per pod whose count changed or whose
   * last sample is five minutes old. One indexed read.
   */
  async restartsLastHour(
    entityRef: string,
    environment: string,
    pods: Array<{ name: string; restarts: number; createdAt?: string }>,
  ): Promise<{ restarts: number; since?: string }> {
    const now = this.#now();
    const hourAgo = now - HOUR_MS;
    const rows: Array<{ pod: string; restarts: number; sampled_at: string }> =
      await this.#db(RESTARTS)
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
      await this.#db(RESTARTS).insert(fresh.slice(i, i + BATCH));
    }
    return {
      restarts,
      ...(since !== undefined && since > hourAgo
        ? { since: new Date(since).toISOString() }
        : {}),
    };
  }

  /**
   * Deletes what is older than the retention (but each application's
   * latest health, which is still true), app commits, builds and images
   * included, and restart samples older than two hours; returns how many
   * rows.
   */
  async prune(): Promise<number> {
    const before = new Date(this.#now() - this.#retentionMs).toISOString();
    const deployments = await this.#db(TABLE)
      .where('deployed_at', '<=', before)
      .delete();
    const latest = this.#db(HEALTH).max('id').groupBy('instance', 'app_name');
    const health = await this.#db(HEALTH)
      .where('since', '<=', before)
      .whereNotIn('id', latest)
      .delete();
    const samples = await this.#db(RESTARTS)
      .where(
        'sampled_at',
        '<=',
        new Date(this.#now() - 2 * HOUR_MS).toISOString(),
      )
      .delete();
    const commits = await this.#db(COMMITS)
      .where('committed_at', '<=', before)
      .delete();
    const builds = await this.#db(BUILDS)
      .where('started_at', '<=', before)
      .delete();
    const images = await this.#db(IMAGES)
      .where('pushed_at', '<=', before)
      .delete();
    return deployments + health + samples + commits + builds + images;
  }
}
