import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATIONS,
  BuildSection,
  ChartChange,
  DeliveryStatus,
  deliveryStatusReadPermission,
  EnvironmentSync,
  GitOpsSection,
  HealthStatus,
  ImageSection,
  OWNER_TAG,
  ownerTagValue,
  Section,
  SourceSection,
  SyncSection,
  SyncStatus,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplication,
  ownerLabelValue,
  parseChartCommit,
} from '@internal/backstage-plugin-delivery-node';
import { buildTimeline, computeDora, doraDeployments } from '../timeline';
import { resolveEntity } from './entities';
import { SectionCache, SectionLoadError } from './SectionCache';
import { DeliveryServiceDeps, DeliverySettings } from './settings';
import { DeliveryUpstreams } from './upstreams';

const DORA_DAYS = 90;
const SLUG = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const APP_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SELECTOR =
  /^[A-Za-z0-9_./-]+(!=|==|=)[A-Za-z0-9_.-]*(,[A-Za-z0-9_./-]+(!=|==|=)[A-Za-z0-9_.-]*)*$/;

function missing(message: string): never {
  throw new SectionLoadError({ kind: 'not-configured', message });
}

function forbidden(message: string): never {
  throw new SectionLoadError({ kind: 'forbidden', message });
}

function slugOf(entity: Entity, annotation: string) {
  const slug = entity.metadata.annotations?.[annotation];
  if (slug === undefined) return undefined;
  if (!SLUG.test(slug) || slug.includes('..')) {
    throw new SectionLoadError({
      kind: 'not-configured',
      message: `${annotation} must be <owner>/<repo> (got '${slug}')`,
    });
  }
  const [owner, repo] = slug.split('/');
  return { owner, repo, slug };
}

const HEALTH: HealthStatus[] = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
];

/** A section's source: what to cache it under and how to load it. */
interface Plan<T> {
  key: string;
  load: () => Promise<T>;
}

const UPSTREAM_OF: Record<string, string> = {
  source: 'GitHub',
  build: 'CI',
  image: 'ECR',
  sync: 'Argo CD',
  gitops: 'helm-charts (GitHub)',
};

/** The environment an application deploys: its `values-<env>.yaml`, else its name. */
function environmentOf(app: ArgoApplication): string {
  const files = app.spec.source?.helm?.valueFiles ?? [];
  for (const f of files) {
    const m = /(?:^|\/)values-([a-z0-9-]+)\.ya?ml$/.exec(f);
    if (m) return m[1];
  }
  return app.metadata.name ?? 'default';
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
  readonly #catalog: CatalogService;
  readonly #permissions: PermissionsService;
  readonly #settings: DeliverySettings;
  readonly #upstreams: DeliveryUpstreams;
  readonly #logger: LoggerService;
  readonly #cache: SectionCache;
  /** Ownership answers change rarely: kept ten TTLs. */
  readonly #ownership: SectionCache;
  readonly #inflight = new Map<string, Promise<DeliveryStatus>>();
  /** Entities whose last status had a change in motion (shorter TTL). */
  readonly #moving = new Set<string>();
  readonly #now: () => number;

  static create(
    deps: Omit<DeliveryServiceDeps, 'access'> & { now?: () => number },
  ): DeliveryStatusService {
    return new DeliveryStatusService(deps);
  }

  private constructor(
    deps: Omit<DeliveryServiceDeps, 'access'> & { now?: () => number },
  ) {
    this.#catalog = deps.catalog;
    this.#permissions = deps.permissions;
    this.#settings = deps.settings;
    this.#upstreams = deps.upstreams;
    this.#logger = deps.logger;
    this.#now = deps.now ?? Date.now;
    const s = deps.settings;
    this.#cache = new SectionCache({
      ttlMs: s.cacheTtlMs,
      failureTtlMs: s.failureTtlMs,
      staleMaxMs: s.staleMaxMs,
      maxEntries: s.cacheMaxEntities * 5,
      now: this.#now,
    });
    this.#ownership = new SectionCache({
      ttlMs: s.cacheTtlMs * 10,
      failureTtlMs: s.failureTtlMs,
      staleMaxMs: 0,
      maxEntries: s.cacheMaxEntities,
      now: this.#now,
    });
  }

  /** Forgets what is cached for an entity (after a rollback or promote). */
  invalidate(entityRef: string): void {
    this.#cache.invalidate(`${entityRef}|`);
  }

  /**
   * A push to `owner/repo` (GitHub's push webhook, through the events
   * backend): the entities whose app repository it is forget their cached
   * sections and follow the change with the short TTL; a push to the
   * helm-charts repository makes every chart history, the branch list and
   * the Argo CD sections load again. Returns the entities concerned.
   */
  notePush(repository: string): string[] {
    const repo = repository.toLowerCase();
    const hc = this.#upstreams.helmCharts;
    if (repo === `${hc.owner}/${hc.repo}`.toLowerCase()) {
      const gone = this.#cache.invalidateWhere(
        key =>
          key.startsWith('|helm-charts-branch|') ||
          key.includes('|gitops|') ||
          key.includes('|sync|'),
      );
      return [...new Set(gone.map(key => key.split('|')[0]).filter(Boolean))];
    }
    const refs = new Set<string>();
    for (const key of this.#cache.keys()) {
      const [ref, section, slug] = key.split('|');
      if (section === 'source' && slug?.toLowerCase() === repo) refs.add(ref);
    }
    for (const ref of refs) {
      this.invalidate(ref);
      this.#moving.add(ref);
    }
    return [...refs];
  }

  /** The status of `entityRef` as the caller may see it. */
  async getStatus(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<DeliveryStatus> {
    const { entity, entityRef: ref } = await resolveEntity(
      { catalog: this.#catalog, permissions: this.#permissions },
      entityRef,
      options.credentials,
      deliveryStatusReadPermission,
    );
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
    const [source, build, image, sync, gitops] = await Promise.all([
      this.#section(ref, 'source', () => this.#source(entity)),
      this.#section(ref, 'build', () => this.#build(entity)),
      this.#section(ref, 'image', () => this.#image(ref, entity)),
      this.#section(ref, 'sync', () => this.#sync(entity)),
      this.#section(ref, 'gitops', () => this.#gitops(entity)),
    ]);
    if (image.data && sync.data) {
      image.data = withEnvironments(image.data, sync.data);
    }
    const timeline = buildTimeline({
      source: source.data,
      build: build.data,
      image: image.data,
      sync: sync.data,
      gitops: gitops.data,
      limit: this.#settings.listLimit,
    });
    const status: DeliveryStatus = {
      entityRef: ref,
      generatedAt: new Date(this.#now()).toISOString(),
      source,
      build,
      image,
      sync,
      gitops,
      timeline,
      environments: this.#settings.environments,
    };
    if (inMotion(status)) this.#moving.add(ref);
    else this.#moving.delete(ref);
    const envs = sync.data?.environments ?? [];
    if (gitops.data && envs.length > 0) {
      const production = envs[envs.length - 1];
      status.dora = computeDora({
        environment: production.environment,
        deployments: doraDeployments({
          environment: production.environment,
          isBaseEnvironment: production.environment === envs[0].environment,
          gitops: gitops.data,
          sync: production,
        }),
        commits: source.data?.commits ?? [],
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
    return this.#cache.get(
      `${ref}|${name}|${p.key}`,
      // Logged once per failed load, not on every view served from it.
      () =>
        this.#bounded(name, p.load).catch((e: SectionLoadError) => {
          this.#logger.warn(`Delivery ${name} section of ${ref} failed`, {
            kind: e.sectionError.kind,
            error: e.sectionError.message,
          });
          throw e;
        }),
      {
        ttlMs: this.#moving.has(ref)
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
      if (e instanceof SectionLoadError) throw e;
      const err = e as Error;
      throw new SectionLoadError({
        kind: err?.name === 'NotFoundError' ? 'not-found' : 'upstream',
        message: `${UPSTREAM_OF[name]}: ${err?.message ?? String(e)}`,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  #source(entity: Entity): Plan<SourceSection> {
    const gh = slugOf(entity, ANNOTATIONS.githubProjectSlug);
    if (!gh) missing(`No ${ANNOTATIONS.githubProjectSlug} annotation`);
    return {
      key: gh.slug,
      load: async () => ({
        repository: gh.slug,
        commits: (
          await this.#upstreams.github.listCommits(gh.owner, gh.repo, {
            since: this.#since(),
            perPage: 100,
          })
        ).map(({ fullMessage: _, ...commit }) => commit),
      }),
    };
  }

  #build(entity: Entity): Plan<BuildSection> {
    const limit = this.#settings.listLimit;
    const job = entity.metadata.annotations?.[ANNOTATIONS.jenkinsJobFullName];
    if (job) {
      // The community plugin's `<instance>:<job>` form names the instance.
      const [instance, jobName] = job.includes(':')
        ? job.split(':', 2)
        : [undefined, job];
      return {
        key: `jenkins:${job}`,
        load: () =>
          this.#upstreams.jenkins.get(instance).getBuilds(jobName, { limit }),
      };
    }
    const gh = slugOf(entity, ANNOTATIONS.githubProjectSlug);
    if (!gh) {
      missing(
        `No ${ANNOTATIONS.jenkinsJobFullName} or ${ANNOTATIONS.githubProjectSlug} annotation`,
      );
    }
    return {
      key: `actions:${gh.slug}`,
      load: () =>
        this.#upstreams.github.listWorkflowRuns(gh.owner, gh.repo, {
          perPage: limit,
        }),
    };
  }

  #image(ref: string, entity: Entity): Plan<ImageSection> {
    const arn = entity.metadata.annotations?.[ANNOTATIONS.ecrRepositoryArn];
    if (!arn) missing(`No ${ANNOTATIONS.ecrRepositoryArn} annotation`);
    const expected = ownerTagValue(
      entity.metadata.name,
      entity.metadata.namespace ?? 'default',
    );
    return {
      key: arn,
      load: async () => {
        const ecr = this.#upstreams.ecr;
        // The owner check runs beside the images call, not before it.
        const [owner, images] = await Promise.all([
          this.#ownership.get(`${ref}|ecr|${arn}`, () => ecr.getOwnerTag(arn)),
          ecr.listImages(arn, { limit: this.#settings.listLimit }),
        ]);
        if (owner.state === 'error') {
          throw new SectionLoadError({
            kind: 'upstream',
            message: owner.error!.message,
          });
        }
        if (owner.data !== undefined && owner.data !== expected) {
          forbidden(
            `${ANNOTATIONS.ecrRepositoryArn} names ${images.repositoryName}, whose ${OWNER_TAG} tag says it belongs to ${owner.data}, not ${expected}`,
          );
        }
        return images;
      },
    };
  }

  #sync(entity: Entity): Plan<SyncSection> {
    const a = entity.metadata.annotations ?? {};
    const instanceName = a[ANNOTATIONS.argocdInstance];
    const appName = a[ANNOTATIONS.argocdAppName];
    const selector = a[ANNOTATIONS.argocdAppSelector];
    if (!appName && !selector) {
      missing(
        `No ${ANNOTATIONS.argocdAppName} or ${ANNOTATIONS.argocdAppSelector} annotation`,
      );
    }
    if (appName && !APP_NAME.test(appName)) {
      missing(`${ANNOTATIONS.argocdAppName} is not an application name`);
    }
    if (!appName && selector && !SELECTOR.test(selector)) {
      missing(`${ANNOTATIONS.argocdAppSelector} is not a label selector`);
    }
    if (!this.#upstreams.argocd.has(instanceName)) {
      missing(`No Argo CD instance named '${instanceName}' in argocd config`);
    }
    const label = ownerLabelValue(
      entity.metadata.name,
      entity.metadata.namespace ?? 'default',
    );
    return {
      key: `${instanceName ?? ''}:${appName ?? selector}`,
      load: async () => {
        const client = this.#upstreams.argocd.get(instanceName);
        const apps = appName
          ? [await client.getApplication(appName)]
          : await client.listApplications({ selector });
        for (const app of apps) {
          const owner = app.metadata.labels?.[OWNER_TAG];
          if (owner !== undefined && owner !== label) {
            forbidden(
              `Argo CD application ${app.metadata.name} belongs to ${owner}, not ${label}`,
            );
          }
        }
        const order = this.#settings.environments;
        const rank = (e: string) =>
          order.indexOf(e) === -1 ? order.length : order.indexOf(e);
        const environments = apps
          .map(app => this.#environmentSync(client, app))
          .sort((x, y) => rank(x.environment) - rank(y.environment));
        return { environments };
      },
    };
  }

  #environmentSync(
    client: ReturnType<DeliveryUpstreams['argocd']['get']>,
    app: ArgoApplication,
  ): EnvironmentSync {
    const st = app.status ?? {};
    const health = HEALTH.find(h => h === st.health?.status) ?? 'Unknown';
    const sync: SyncStatus =
      st.sync?.status === 'Synced' || st.sync?.status === 'OutOfSync'
        ? st.sync.status
        : 'Unknown';
    const name = app.metadata.name ?? '';
    const history = (st.history ?? [])
      .filter(h => h.revision && h.deployedAt)
      .map(h => ({
        id: Number(h.id ?? 0),
        revision: h.revision!,
        deployStartedAt: h.deployStartedAt,
        deployedAt: h.deployedAt!,
      }))
      .sort((x, y) => y.id - x.id)
      .slice(0, this.#settings.historyLimit);
    const op = st.operationState;
    return {
      environment: environmentOf(app),
      instance: client.name,
      appName: name,
      appUrl: client.applicationUrl(name, app.metadata.namespace),
      syncStatus: sync,
      healthStatus: health,
      healthMessage: st.health?.message,
      healthSince: st.health?.lastTransitionTime,
      revision: st.sync?.revision,
      images: st.summary?.images ?? [],
      operation: op?.phase
        ? {
            phase: op.phase,
            message: op.message,
            startedAt: op.startedAt,
            finishedAt: op.finishedAt,
          }
        : undefined,
      history,
    };
  }

  #gitops(entity: Entity): Plan<GitOpsSection> {
    const hc = this.#upstreams.helmCharts;
    const path =
      entity.metadata.annotations?.[ANNOTATIONS.chartPath] ??
      `charts/${entity.metadata.name}`;
    if (!/^charts\/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(path)) {
      missing(`${ANNOTATIONS.chartPath} must be charts/<name> (got '${path}')`);
    }
    const name = path.slice('charts/'.length);
    return {
      key: `${hc.owner}/${hc.repo}:${path}`,
      load: async () => {
        const github = this.#upstreams.github;
        // The chart's own history, and the branch's newest commits (shared
        // by every entity, one load per TTL) to place Argo CD's revisions.
        const [commits, branch] = await Promise.all([
          github.listCommits(hc.owner, hc.repo, {
            sha: hc.branch,
            path,
            since: this.#since(),
            perPage: 100,
          }),
          this.#cache.get(`|helm-charts-branch|${hc.owner}/${hc.repo}`, () =>
            github.listCommits(hc.owner, hc.repo, {
              sha: hc.branch,
              perPage: 100,
            }),
          ),
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
        };
      },
    };
  }

  #since() {
    return new Date(this.#now() - DORA_DAYS * 86400_000).toISOString();
  }
}

/** A change is on its way: a build, a sync or a rollout is not finished. */
function inMotion(status: DeliveryStatus): boolean {
  const building = status.build.data?.builds.some(
    b => b.status === 'running' || b.status === 'queued',
  );
  const deploying = status.sync.data?.environments.some(
    e =>
      e.syncStatus === 'OutOfSync' ||
      e.healthStatus === 'Progressing' ||
      e.operation?.phase === 'Running',
  );
  // The newest commit built but not yet healthy (and nothing failed).
  const newest = status.timeline[0];
  const walking =
    newest !== undefined &&
    newest.hops.built.state === 'done' &&
    newest.hops.healthy.state !== 'done' &&
    !Object.values(newest.hops).some(h => h.state === 'failed') &&
    Date.parse(newest.commit.committedAt) >
      Date.parse(status.generatedAt) - 3600_000;
  return Boolean(building || deploying || walking);
}

/** Fills each image's `environments` from the applications' running images. */
function withEnvironments(
  image: ImageSection,
  sync: SyncSection,
): ImageSection {
  return {
    ...image,
    images: image.images.map(img => ({
      ...img,
      environments: sync.environments
        .filter(env =>
          env.images.some(
            running =>
              img.tags.some(t => running === `${image.repositoryUri}:${t}`) ||
              running.endsWith(`@${img.digest}`),
          ),
        )
        .map(env => env.environment),
    })),
  };
}
