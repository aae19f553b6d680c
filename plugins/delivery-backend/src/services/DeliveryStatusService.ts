import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  environmentReleases,
  ServiceAccess,
} from '@internal/backstage-plugin-delivery-node';
import {
  DeliveryStatus,
  deliveryStatusReadPermission,
  isInMotion,
  readDeliveryAnnotations,
  Section,
} from '@internal/backstage-plugin-delivery-common';
import type { DeliveryHistory } from '../history/DeliveryHistory';
import type { LoadLeases } from './loadLeases';
import { buildTimeline, computeDora, withCanary } from '../timeline';
import { StatusHistory } from './statusHistory';
import { CacheKey, SectionCache, SectionLoadError } from './SectionCache';
import { CHARTS_SCOPE, NoteStore, PULLS_SCOPE, scopesOf } from './statusNotes';
import {
  Plan,
  planBuild,
  planGitOps,
  planImage,
  planRuntime,
  planSource,
  planSync,
  SectionContext,
  UPSTREAM_OF,
  withEnvironments,
} from './sections';
import { DeliveryServiceDeps, DeliverySettings } from './settings';
import { DeliveryUpstreams } from './upstreams';

const DORA_DAYS = 90;

/** The commits one push put on a repository's default branch. @public */
export interface PushedCommits {
  commits: Array<{ sha: string; committedAt: string }>;
}

/**
 * The delivery status of one entity: five sections read in parallel from
 * the upstreams its annotations name, each cached per entity with a TTL,
 * shared by concurrent requests and served stale while its upstream fails,
 * plus the timeline and DORA figures computed from them.
 *
 * @public
 */
export class DeliveryStatusService {
  readonly #access: ServiceAccess;
  readonly #settings: DeliverySettings;
  readonly #upstreams: DeliveryUpstreams;
  readonly #logger: LoggerService;
  readonly #cache: SectionCache;
  /** Ownership answers change rarely: kept ten TTLs. */
  readonly #ownership: SectionCache;
  readonly #inflight = new Map<string, Promise<DeliveryStatus>>();
  /** Shared notes (entities in motion, which entity reads which repository). */
  readonly #notes: NoteStore;
  readonly #now: () => number;
  readonly #sections: SectionContext;
  readonly #history: StatusHistory;

  static create(
    deps: DeliveryServiceDeps & {
      now?: () => number;
      /** The plugin's `coreServices.cache`, shared by every replica. Default: this process. */
      cache?: CacheService;
      /** DORA's deployments kept in the database. Default: none (DORA from the upstreams alone). */
      history?: DeliveryHistory;
      /** Leases on loads across replicas sharing `cache`. Default: none. */
      leases?: LoadLeases;
    },
  ): DeliveryStatusService {
    return new DeliveryStatusService(deps);
  }

  private constructor(
    deps: DeliveryServiceDeps & {
      now?: () => number;
      cache?: CacheService;
      history?: DeliveryHistory;
      leases?: LoadLeases;
    },
  ) {
    this.#history = new StatusHistory(deps.history, deps.logger);
    this.#access = deps.access;
    this.#settings = deps.settings;
    this.#upstreams = deps.upstreams;
    this.#logger = deps.logger;
    this.#now = deps.now ?? Date.now;
    const s = deps.settings;
    // Replicas sharing the store take turns on loads; alone, no leases.
    const leases = deps.cache ? deps.leases : undefined;
    const leaseMs = s.upstreamTimeoutMs + 5_000;
    this.#cache = new SectionCache({
      ttlMs: s.cacheTtlMs,
      failureTtlMs: s.failureTtlMs,
      staleMaxMs: s.staleMaxMs,
      maxEntries: s.cacheMaxEntities * 5,
      store: deps.cache,
      name: 'sections',
      scopesOf: scopesOf,
      leases,
      leaseMs,
      now: this.#now,
    });
    this.#ownership = new SectionCache({
      ttlMs: s.cacheTtlMs * 10,
      failureTtlMs: s.failureTtlMs,
      staleMaxMs: 0,
      maxEntries: s.cacheMaxEntities,
      store: deps.cache,
      name: 'ownership',
      leases,
      leaseMs,
      now: this.#now,
    });
    this.#notes = new NoteStore(deps.cache, s.cacheMaxEntities, this.#now);
    this.#sections = {
      upstreams: this.#upstreams,
      settings: s,
      cache: this.#cache,
      ownership: this.#ownership,
      since: () => new Date(this.#now() - DORA_DAYS * 86400_000).toISOString(),
      restartsLastHour: (ref, environment, pods) =>
        this.#history.restartsLastHour(ref, environment, pods),
    };
  }

  /** Forgets what is cached for an entity (after a rollback or promote), on every replica. */
  async invalidate(entityRef: string): Promise<void> {
    await Promise.all([
      this.#cache.invalidate(entityRef),
      // A promotion may have opened a pull request: the shared list is read again.
      this.#cache.invalidateScope(PULLS_SCOPE),
    ]);
  }

  /**
   * A push to `owner/repo` (GitHub's push webhook, through the events
   * backend, delivered to one replica): the entities whose app repository
   * it is forget their cached sections and follow the change with the
   * short TTL; a push to the helm-charts repository makes every chart
   * history, the branch list and the Argo CD sections load again. Every
   * replica sees it (the store holds the generations and the notes).
   * `pushed`: the commits a push put on an app repository's default branch,
   * recorded in the history for DORA's lead time.
   * Returns the entities concerned.
   */
  async notePush(
    repository: string,
    pushed?: PushedCommits,
  ): Promise<string[]> {
    const repo = repository.toLowerCase();
    const hc = this.#upstreams.helmCharts;
    if (repo === `${hc.owner}/${hc.repo}`.toLowerCase()) {
      await this.#cache.invalidateScope(CHARTS_SCOPE);
      return this.#notes.entities();
    }
    const refs = await this.#notes.readersOf(repo);
    // Commits pushed to the default branch, for DORA's lead time: recorded
    // before the entities reload, so the record says they came by push.
    await this.#history.recordPushed(refs, pushed?.commits ?? [], repository);
    for (const ref of refs) {
      await this.invalidate(ref);
      await this.#notes.setMoving(ref, true);
    }
    return refs;
  }

  /** The status of `entityRef` as the caller may see it. */
  async getStatus(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<DeliveryStatus> {
    const { entity, entityRef: ref } = await this.#access.resolve({
      entityRef,
      permission: deliveryStatusReadPermission,
      credentials: options.credentials,
    });
    // Requests for the same entity with the same annotations share one
    // assembly; the caller's access has been checked above.
    const key = `${ref}|${JSON.stringify(entity.metadata.annotations ?? {})}`;
    const running = this.#inflight.get(key);
    if (running) return running;
    const assembly = this.#assemble(ref, entity).finally(() =>
      this.#inflight.delete(key),
    );
    this.#inflight.set(key, assembly);
    return assembly;
  }

  async #assemble(ref: string, entity: Entity): Promise<DeliveryStatus> {
    const ctx = this.#sections;
    const moving = await this.#notes.isMoving(ref);
    const syncing = this.#section(ref, 'sync', moving, () =>
      planSync(ctx, entity),
    );
    const [source, build, image, sync, gitops, runtime] = await Promise.all([
      this.#section(ref, 'source', moving, () => planSource(ctx, entity)),
      this.#section(ref, 'build', moving, () => planBuild(ctx, entity)),
      this.#section(ref, 'image', moving, () => planImage(ctx, ref, entity)),
      syncing,
      this.#section(ref, 'gitops', moving, () => planGitOps(ctx, entity)),
      // What runs: read for the applications the sync section found.
      this.#section(ref, 'runtime', moving, () =>
        planRuntime(ctx, ref, entity, () => syncing),
      ),
    ]);
    if (image.data && sync.data) {
      image.data = withEnvironments(image.data, sync.data);
    }
    const first = sync.data?.environments[0]?.environment;
    // Each environment's recorded health read once (the timeline's and
    // DORA's are often the same).
    const healths = new Map<string, ReturnType<StatusHistory['health']>>();
    const healthOf = (environment: string) => {
      let read = healths.get(environment);
      if (!read) {
        read = this.#history.health(ref, environment);
        healths.set(environment, read);
      }
      return read;
    };
    const past = await this.#history.withRecorded(ref, {
      source: source.data,
      build: build.data,
      image: image.data,
      limit: this.#settings.listLimit,
    });
    const timeline = buildTimeline({
      source: source.data,
      build: past.build,
      image: past.image,
      sync: sync.data,
      gitops: gitops.data,
      limit: this.#settings.listLimit,
      health: first ? await healthOf(first) : undefined,
    });
    withCanary(timeline, runtime.data);
    const chart = readDeliveryAnnotations(entity).chart;
    const status: DeliveryStatus = {
      entityRef: ref,
      generatedAt: new Date(this.#now()).toISOString(),
      source,
      build,
      image,
      sync,
      runtime,
      gitops,
      timeline,
      environments: this.#settings.environments,
      approvals: this.#settings.road
        .filter(e => e.changes === 'pull-request')
        .map(e => e.name),
      releases: environmentReleases({
        name: chart.ok ? chart.value.name : entity.metadata.name,
        environments: this.#settings.environments,
        changes: gitops.data?.changes,
        sync: sync.data?.environments ?? [],
        repositoryUri: image.data?.repositoryUri,
      }),
    };
    // Written only when it changes (read once above, for the TTL).
    if (isInMotion(status) !== moving) {
      await this.#notes.setMoving(ref, !moving);
    }
    const envs = sync.data?.environments ?? [];
    if (gitops.data && envs.length > 0) {
      const production = envs[envs.length - 1];
      status.dora = computeDora({
        environment: production.environment,
        deployments: await this.#history.deployments(ref, healthOf, {
          environment: production.environment,
          isBaseEnvironment: production.environment === envs[0].environment,
          gitops: gitops.data,
          sync: production,
        }),
        // The DORA windows, and a margin for commits deployed long after.
        commits: await this.#history.commits(
          ref,
          source.data?.commits ?? [],
          2 * DORA_DAYS,
        ),
        now: new Date(this.#now()),
      });
    }
    return status;
  }

  /**
   * One section: `plan` reads the entity's annotations and either says what
   * is missing (no call, no cache) or names the cache key and the load.
   */
  async #section<T>(
    ref: string,
    name: string,
    moving: boolean,
    plan: () => Plan<T>,
  ): Promise<Section<T>> {
    let p: Plan<T>;
    try {
      p = plan();
    } catch (e) {
      if (e instanceof SectionLoadError) {
        return { state: 'missing', error: e.sectionError };
      }
      throw e;
    }
    const key: CacheKey = {
      entityRef: ref,
      section: name,
      resource: p.resource,
    };
    // A push to the app repository (source's resource) concerns this entity.
    if (name === 'source') await this.#notes.addReader(p.resource, ref);
    return this.#cache.get(
      key,
      // Logged once per failed load, not on every view served from it.
      () =>
        this.#bounded(name, p.load)
          .then(data => this.#history.recordSection(ref, name, data))
          .catch((e: SectionLoadError) => {
            this.#logger.warn(`Delivery ${name} section of ${ref} failed`, {
              kind: e.sectionError.kind,
              error: e.sectionError.message,
            });
            throw e;
          }),
      {
        ttlMs: moving
          ? Math.min(this.#settings.activeCacheTtlMs, this.#settings.cacheTtlMs)
          : this.#settings.cacheTtlMs,
      },
    );
  }

  /** Runs a load with the upstream timeout; names the upstream in failures. */
  async #bounded<T>(name: string, load: () => Promise<T>): Promise<T> {
    const ms = this.#settings.upstreamTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SectionLoadError({
              kind: 'upstream',
              message: `${UPSTREAM_OF[name]} did not answer within ${
                ms / 1000
              } s`,
            }),
          ),
        ms,
      );
    });
    try {
      return await Promise.race([load(), timeout]);
    } catch (e) {
      throw SectionLoadError.from(e, UPSTREAM_OF[name]);
    } finally {
      clearTimeout(timer);
    }
  }
}
