/*
 * The application controller: compares each Application's desired state (its
 * chart rendered from git) with what the sandbox last "applied", keeps
 * `status` up to date, runs automated and requested syncs, and derives health
 * from a rollout timer and the sandbox ECR's images. There are no clusters:
 * "live" state is what the application's last successful sync applied to
 * its destination cluster (see clusters.ts), so applications deploying the
 * same objects to different clusters never see each other's.
 *
 * Every pass and every sync runs through one queue, so API handlers and the
 * background loop never interleave their changes.
 */

import { GitReader } from '../git';
import { StateFile } from '../state';
import { destinationServer, liveOf } from './clusters';
import {
  ecrRepositoryOf,
  DesiredState,
  RenderError,
  renderDesired,
  RenderedResource,
} from './render';
import { ArgoState, bumpVersion, k8sTime, LiveState, StoredApp } from './store';
import {
  Application,
  ApplicationCondition,
  ApplicationSource,
  HealthStatus,
  Operation,
  OperationState,
  ResourceResult,
  ResourceStatus,
  RevisionHistory,
} from './types';

/** What the controller needs from its surroundings. */
export interface ControllerDeps {
  state: StateFile<ArgoState>;
  git: GitReader;
  images: { hasImage(repositoryName: string, tag: string): boolean };
  clock: () => Date;
  progressingMs: number;
  onError?: (err: unknown) => void;
}

/** A sync as requested through the API (or by automation). */
export interface SyncRequest {
  revision?: string;
  source?: ApplicationSource;
  prune?: boolean;
  dryRun?: boolean;
  syncOptions?: string[];
  initiatedBy: { username?: string; automated?: boolean };
}

const DEFAULT_HISTORY_LIMIT = 10;

/** True when `spec.syncPolicy.automated` is set and not switched off. */
export function isAutomated(app: Application): boolean {
  const automated = app.spec.syncPolicy?.automated;
  return !!automated && automated.enabled !== false;
}

const resourceKey = (r: {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}) => `${r.group}/${r.kind}/${r.namespace}/${r.name}`;

/** Drives status and syncs for every application in the state. */
export class Controller {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ControllerDeps) {}

  /** Runs `fn` after everything queued before it. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** One pass over all applications, in name order. */
  reconcileAll(filter?: (app: Application) => boolean): Promise<void> {
    return this.#serial(async () => {
      const names = Object.keys(this.deps.state.data.apps).sort();
      for (const name of names) {
        const stored = this.deps.state.data.apps[name];
        if (!stored || (filter && !filter(stored.app))) continue;
        try {
          await this.#reconcile(name, true);
        } catch (e) {
          this.deps.onError?.(e);
        }
      }
    });
  }

  /** Reconciles one application now (refresh). */
  reconcileApp(name: string): Promise<void> {
    return this.#serial(() => this.#reconcile(name, true));
  }

  /** Runs a sync operation to completion, then reconciles the app. */
  sync(name: string, req: SyncRequest): Promise<void> {
    return this.#serial(async () => {
      await this.#sync(name, req);
      await this.#reconcile(name, false);
    });
  }

  get #now() {
    return this.deps.clock();
  }

  async #compare(
    app: Application,
  ): Promise<{ desired?: DesiredState; error?: string }> {
    try {
      return { desired: await renderDesired(this.deps.git, app) };
    } catch (e) {
      if (e instanceof RenderError) return { error: e.message };
      throw e;
    }
  }

  async #reconcile(name: string, allowAutoSync: boolean): Promise<void> {
    const before = this.deps.state.data.apps[name];
    if (!before) return;
    const specBefore = JSON.stringify(before.app.spec);
    const { desired, error } = await this.#compare(before.app);
    const stored = this.deps.state.data.apps[name];
    // The app was deleted or edited while git was read; the next pass covers it.
    if (!stored || JSON.stringify(stored.app.spec) !== specBefore) return;
    this.deps.state.update(s =>
      this.#writeStatus(s, s.apps[name], desired, error),
    );

    const app = stored.app;
    if (
      allowAutoSync &&
      desired &&
      isAutomated(app) &&
      app.status?.sync?.status === 'OutOfSync' &&
      !this.#alreadyAttempted(stored, desired)
    ) {
      await this.#sync(name, {
        revision: desired.revision,
        prune: app.spec.syncPolicy?.automated?.prune ?? false,
        syncOptions: app.spec.syncPolicy?.syncOptions,
        initiatedBy: { automated: true },
      });
      await this.#reconcile(name, false);
    }
  }

  /** Argo CD does not auto-sync the same revision twice. */
  #alreadyAttempted(stored: StoredApp, desired: DesiredState): boolean {
    const op = stored.app.status?.operationState;
    if (!op?.syncResult) return false;
    return (
      op.syncResult.revision === desired.revision &&
      JSON.stringify(op.syncResult.source ?? {}) ===
        JSON.stringify(desired.source)
    );
  }

  #health(live: LiveState | undefined, now: number): HealthStatus {
    if (!live) return { status: 'Missing' };
    if (now < live.progressingUntil) {
      const deployment = live.resources.find(r => r.kind === 'Deployment');
      const spec = (deployment?.manifest.spec ?? {}) as { replicas?: number };
      const replicas = spec.replicas ?? 1;
      return {
        status: 'Progressing',
        message: `Waiting for rollout to finish: 0 of ${replicas} updated replicas are available...`,
      };
    }
    for (const image of live.images) {
      const { repository, tag } = ecrRepositoryOf(image);
      if (!this.deps.images.hasImage(repository, tag)) {
        return { status: 'Degraded', message: `image ${image} not found` };
      }
    }
    return { status: 'Healthy' };
  }

  #resourceHealth(
    r: RenderedResource,
    appHealth: HealthStatus,
  ): HealthStatus | undefined {
    switch (r.kind) {
      case 'Deployment':
        return appHealth.message
          ? { status: appHealth.status, message: appHealth.message }
          : { status: appHealth.status };
      case 'Service':
      case 'HorizontalPodAutoscaler':
      case 'Ingress':
        return { status: 'Healthy' };
      default:
        return undefined;
    }
  }

  #writeStatus(
    s: ArgoState,
    stored: StoredApp,
    desired: DesiredState | undefined,
    error: string | undefined,
  ) {
    const app = stored.app;
    const now = this.#now;
    const nowIso = k8sTime(now);
    const prev = app.status ?? {};
    const status = { ...prev };
    const live = liveOf(s, stored);

    const source = desired?.source ?? app.spec.source ?? app.spec.sources?.[0];
    let syncStatus: 'Synced' | 'OutOfSync' | 'Unknown';
    if (!desired) syncStatus = 'Unknown';
    else if (
      live &&
      live.digest === desired.digest &&
      live.resources.length === desired.resources.length
    ) {
      syncStatus = 'Synced';
    } else syncStatus = 'OutOfSync';
    status.sync = {
      status: syncStatus,
      ...(desired ? { revision: desired.revision } : {}),
      comparedTo: {
        ...(source ? { source } : {}),
        destination: app.spec.destination ?? {},
      },
    };

    const conditions: ApplicationCondition[] = (prev.conditions ?? []).filter(
      c => c.type !== 'ComparisonError',
    );
    if (error) {
      const old = prev.conditions?.find(
        c => c.type === 'ComparisonError' && c.message === error,
      );
      conditions.push({
        type: 'ComparisonError',
        message: error,
        lastTransitionTime: old?.lastTransitionTime ?? nowIso,
      });
    }
    if (conditions.length) status.conditions = conditions;
    else delete status.conditions;

    const health = this.#health(live, now.getTime());
    const lastTransitionTime =
      prev.health?.status === health.status && prev.health.lastTransitionTime
        ? prev.health.lastTransitionTime
        : nowIso;
    status.health = { ...health, lastTransitionTime };

    const liveByKey = new Map(
      (live?.resources ?? []).map(r => [resourceKey(r), r]),
    );
    const resources: ResourceStatus[] = [];
    const seen = new Set<string>();
    for (const r of desired?.resources ?? live?.resources ?? []) {
      const key = resourceKey(r);
      seen.add(key);
      const liveR = liveByKey.get(key);
      const inSync =
        !!liveR &&
        JSON.stringify(liveR.manifest) === JSON.stringify(r.manifest);
      let rh: HealthStatus | undefined;
      if (liveR) rh = this.#resourceHealth(liveR, health);
      else if (r.kind !== 'ServiceAccount') rh = { status: 'Missing' };
      let resourceSync: ResourceStatus['status'] = 'Unknown';
      if (desired) resourceSync = inSync ? 'Synced' : 'OutOfSync';
      resources.push({
        group: r.group,
        version: r.version,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        status: resourceSync,
        ...(rh ? { health: rh } : {}),
      });
    }
    for (const r of live?.resources ?? []) {
      if (seen.has(resourceKey(r))) continue;
      const rh = this.#resourceHealth(r, health);
      resources.push({
        group: r.group,
        version: r.version,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        status: 'OutOfSync',
        requiresPruning: true,
        ...(rh ? { health: rh } : {}),
      });
    }
    status.resources = resources;
    status.summary = {
      ...(live?.images.length ? { images: [...live.images] } : {}),
      ...(live && desired?.externalURLs.length
        ? { externalURLs: [...desired.externalURLs] }
        : {}),
    };
    status.sourceType = 'Helm';
    status.controllerNamespace = 'argocd';
    status.reconciledAt = nowIso;
    app.status = status;
    bumpVersion(s, app);
  }

  async #sync(name: string, req: SyncRequest): Promise<void> {
    const before = this.deps.state.data.apps[name];
    if (!before) return;
    const startedAt = this.#now;
    const operation: Operation = {
      sync: {
        ...(req.revision ? { revision: req.revision } : {}),
        ...(req.prune ? { prune: true } : {}),
        ...(req.dryRun ? { dryRun: true } : {}),
        ...(req.source ? { source: req.source } : {}),
        ...(req.syncOptions?.length ? { syncOptions: req.syncOptions } : {}),
      },
      initiatedBy: req.initiatedBy,
      ...(req.initiatedBy.automated ? { retry: { limit: 5 } } : {}),
    };
    let desired: DesiredState | undefined;
    let error: string | undefined;
    try {
      desired = await renderDesired(this.deps.git, before.app, {
        revision: req.revision,
        source: req.source,
      });
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      error = e.message;
    }
    const finishedAt = this.#now;
    this.deps.state.update(s => {
      const stored = s.apps[name];
      if (!stored) return;
      const app = stored.app;
      app.status ??= {};
      if (!desired) {
        app.status.operationState = {
          operation,
          phase: 'Error',
          message: `ComparisonError: ${error}`,
          startedAt: k8sTime(startedAt),
          finishedAt: k8sTime(finishedAt),
        };
        bumpVersion(s, app);
        return;
      }
      const prevLive = liveOf(s, stored);
      const prevByKey = new Map(
        (prevLive?.resources ?? []).map(r => [resourceKey(r), r]),
      );
      const results: ResourceResult[] = desired.resources.map(r => {
        const prevR = prevByKey.get(resourceKey(r));
        let verb = 'created';
        if (prevR) {
          verb =
            JSON.stringify(prevR.manifest) === JSON.stringify(r.manifest)
              ? 'unchanged'
              : 'configured';
        }
        const kindRef = `${r.kind.toLowerCase()}${
          r.group ? `.${r.group}` : ''
        }/${r.name}`;
        return {
          group: r.group,
          version: r.version,
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          status: 'Synced',
          message: `${kindRef} ${verb}${req.dryRun ? ' (dry run)' : ''}`,
          hookPhase: 'Running',
          syncPhase: 'Sync',
          ...(r.kind === 'Deployment' && desired!.images.length
            ? { images: [...desired!.images] }
            : {}),
        };
      });
      const desiredKeys = new Set(desired.resources.map(resourceKey));
      const extras = (prevLive?.resources ?? []).filter(
        r => !desiredKeys.has(resourceKey(r)),
      );
      for (const r of extras) {
        const kindRef = `${r.kind.toLowerCase()}${
          r.group ? `.${r.group}` : ''
        }/${r.name}`;
        results.push({
          group: r.group,
          version: r.version,
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          status: req.prune ? 'Pruned' : 'PruneSkipped',
          message: req.prune
            ? `${kindRef} pruned`
            : 'ignored (requires pruning)',
          hookPhase: 'Running',
          syncPhase: 'Sync',
        });
      }
      const state: OperationState = {
        operation,
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: k8sTime(startedAt),
        finishedAt: k8sTime(finishedAt),
        syncResult: {
          revision: desired.revision,
          source: desired.source,
          resources: results,
        },
      };
      app.status.operationState = state;
      if (!req.dryRun) {
        const imagesChanged =
          !prevLive ||
          JSON.stringify(prevLive.images) !== JSON.stringify(desired.images);
        const kept = req.prune ? [] : extras;
        const live: LiveState = {
          server: destinationServer(s, app),
          revision: desired.revision,
          source: desired.source,
          digest: kept.length
            ? `${desired.digest}+${kept.length}`
            : desired.digest,
          images: desired.images,
          resources: [...desired.resources, ...kept],
          syncedAt: finishedAt.getTime(),
          progressingUntil: imagesChanged
            ? finishedAt.getTime() + this.deps.progressingMs
            : prevLive?.progressingUntil ?? 0,
          createdAt: prevLive?.createdAt ?? finishedAt.getTime(),
        };
        stored.live = live;
        const history = app.status.history ?? [];
        const entry: RevisionHistory = {
          id: history.length ? history[history.length - 1].id + 1 : 0,
          revision: desired.revision,
          source: desired.source,
          deployStartedAt: k8sTime(startedAt),
          deployedAt: k8sTime(finishedAt),
          initiatedBy: req.initiatedBy,
        };
        const limit = app.spec.revisionHistoryLimit ?? DEFAULT_HISTORY_LIMIT;
        app.status.history = [...history, entry].slice(
          Math.max(0, history.length + 1 - limit),
        );
        if (limit <= 0) app.status.history = [];
      }
      bumpVersion(s, app);
    });
  }
}
