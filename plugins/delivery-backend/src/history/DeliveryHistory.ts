import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Build, Image } from '@internal/backstage-plugin-delivery-common';
import type { DoraDeployment, HealthTransition } from '../timeline/dora';
import {
  buildsOf,
  imagesTagged,
  pruneBuildsAndImages,
  recordBuilds,
  recordImages,
} from './buildImageRecord';
import { commits, pruneCommits, recordCommits } from './commitRecord';
import { pruneDeployments, recordDeployments } from './deploymentRecord';
import {
  health,
  HealthObservation,
  pruneHealth,
  recordHealth,
} from './healthRecord';
import { pruneRestartSamples, restartsLastHour } from './restartSamples';
import { DAY_MS, HistoryStore, retentionStart } from './store';

export type { HealthObservation } from './healthRecord';

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
 * restore). Each record's reads and writes are in a file of its own
 * (deployments, health, restart samples, app commits, builds and images);
 * this class opens the database and runs the migrations.
 */
export class DeliveryHistory {
  readonly #store: HistoryStore;

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
    return new DeliveryHistory({
      db,
      retentionMs: options.retentionDays * DAY_MS,
      now: options.now ?? Date.now,
    });
  }

  private constructor(store: HistoryStore) {
    this.#store = store;
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
  recordDeployments(
    entityRef: string,
    environment: string,
    current: DoraDeployment[],
  ): Promise<{ deployments: DoraDeployment[]; written: number }> {
    return recordDeployments(this.#store, entityRef, environment, current);
  }

  /** Records app commits of the entities' default branch; how many were new. */
  recordCommits(
    entityRefs: string[],
    list: Array<{ sha: string; committedAt: string }>,
    from: 'push' | 'source',
  ): Promise<number> {
    return recordCommits(this.#store, entityRefs, list, from);
  }

  /** The entity's app commits for DORA's lead time, newest first (see commitRecord.ts). */
  commits(
    entityRef: string,
    current: Array<{ sha: string; committedAt: string }>,
    days: number,
  ): Promise<Array<{ sha: string; committedAt: string }>> {
    return commits(this.#store, entityRef, current, days);
  }

  /** Records the builds a build section listed; how many were written. */
  recordBuilds(
    entityRef: string,
    provider: string,
    builds: Build[],
  ): Promise<number> {
    return recordBuilds(this.#store, entityRef, provider, builds);
  }

  /** The recorded builds of these app commits, newest first. */
  buildsOf(
    entityRef: string,
    provider: string,
    commitShas: string[],
  ): Promise<Build[]> {
    return buildsOf(this.#store, entityRef, provider, commitShas);
  }

  /** Records the images an image section listed; how many were written. */
  recordImages(entityRef: string, images: Image[]): Promise<number> {
    return recordImages(this.#store, entityRef, images);
  }

  /** The recorded images pushed at or after `since` with a tag in `tags`, newest first. */
  imagesTagged(
    entityRef: string,
    tags: string[],
    since: string,
  ): Promise<Image[]> {
    return imagesTagged(this.#store, entityRef, tags, since);
  }

  /** Records the health observations that are news; how many. */
  recordHealth(observations: HealthObservation[]): Promise<number> {
    return recordHealth(this.#store, observations);
  }

  /** The environment's recorded health within the retention, oldest first. */
  health(entityRef: string, environment: string): Promise<HealthTransition[]> {
    return health(this.#store, entityRef, environment);
  }

  /** Restarts in the last hour of an environment's pods (see restartSamples.ts). */
  restartsLastHour(
    entityRef: string,
    environment: string,
    pods: Array<{ name: string; restarts: number; createdAt?: string }>,
  ): Promise<{ restarts: number; since?: string }> {
    return restartsLastHour(this.#store, entityRef, environment, pods);
  }

  /**
   * Deletes what is older than the retention (but each application's
   * latest health, which is still true), and restart samples older than
   * two hours; returns how many rows.
   */
  async prune(): Promise<number> {
    const store = this.#store;
    const before = retentionStart(store);
    const counts = [
      await pruneDeployments(store, before),
      await pruneHealth(store, before),
      await pruneRestartSamples(store),
      await pruneCommits(store, before),
      await pruneBuildsAndImages(store, before),
    ];
    return counts.reduce((a, b) => a + b, 0);
  }
}
