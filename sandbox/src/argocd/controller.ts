/*
 * The application controller: compares each Application's desired state (its
 * chart rendered from git) with what the sandbox last "applied", keeps
 * `status` up to date, runs automated and requested syncs (self-heal
 * included), and takes health from the runtime model (runtime.ts: pods
 * readying on the clock, canary steps, analysis, the sandbox ECR's images)
 * as Argo CD assesses it (health.ts). There are no clusters: "live" state is
 * what the application's last successful sync applied to its destination
 * cluster (see clusters.ts), so applications deploying the same objects to
 * different clusters never see each other's.
 *
 * Every pass, sync and resource action runs through one queue, so API
 * handlers and the background loop never interleave their changes.
 */

import crypto from 'node:crypto';
import { GitReader } from '../git';
import { StateFile } from '../state';
import { destinationServer, liveOf } from './clusters';
import { grpcError, GrpcCode } from './errors';
import { applicationHealth, resourceHealth } from './health';
import {
  ecrRepositoryOf,
  DesiredState,
  RenderError,
  renderDesired,
  RenderedResource,
} from './render';
import {
  deploymentActions,
  LuaError,
  LuaObject,
  rolloutActions,
  runDeploymentAction,
  runRolloutAction,
  UnknownActionError,
} from './rolloutLua';
import {
  advance,
  applyWorkload,
  EventView,
  followPatchedWorkload,
  ImageBehaviour,
  LiveObject,
  liveObjects,
  RuntimeContext,
  runtimeEvents,
  uidFor,
  wake,
} from './runtime';
import {
  ARGOCD_NAMESPACE,
  ArgoState,
  bumpVersion,
  k8sTime,
  LiveState,
  Scenarios,
  StoredApp,
} from './store';
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
  /** A selective sync (self-heal): only these resources. */
  resources?: Array<{ group: string; kind: string; name: string }>;
  /** Self-heal attempts so far, this one included. */
  autoHealAttemptsCount?: number;
}

/** Identifies one live object of an application, as the resource APIs do. */
export interface ResourceQuery {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  version?: string;
}

/** What a drift scenario changed out of band. */
export interface DriftResult {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  field: string;
  from: unknown;
  to: unknown;
}

const DEFAULT_HISTORY_LIMIT = 10;
const MAX_APP_EVENTS = 20;
/** Argo CD's default self-heal back-off: 2 s, times 3 per attempt, at most 5 min. */
const SELF_HEAL_BACKOFF_MS = 2000;
const SELF_HEAL_BACKOFF_MAX_MS = 300_000;

/** The scenario key of an image: `<ECR repository>:<tag>`. */
export function imageKey(image: string): string {
  const { repository, tag } = ecrRepositoryOf(image);
  return `${repository}:${tag}`;
}

/** Argo CD's error for an object the application's tree does not have. */
export function notInApp(q: ResourceQuery, app: string) {
  return grpcError(
    GrpcCode.InvalidArgument,
    `${q.kind} ${q.group} ${q.name} not found as part of application ${app}`,
  );
}

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

  #scenarios(s: ArgoState): Scenarios {
    return s.scenarios ?? { images: {}, load: {} };
  }

  /** What the runtime model reads for one application now. */
  #context(s: ArgoState, stored: StoredApp, hpaStep: boolean): RuntimeContext {
    const scenarios = this.#scenarios(s);
    const name = stored.app.metadata.name ?? '';
    return {
      now: this.#now.getTime(),
      progressingMs: this.deps.progressingMs,
      appUid: stored.app.metadata.uid ?? name,
      hasImage: image => {
        const { repository, tag } = ecrRepositoryOf(image);
        return this.deps.images.hasImage(repository, tag);
      },
      behaviour: image => scenarios.images[imageKey(image)] ?? 'healthy',
      load: !!scenarios.load[name],
      hpaStep,
    };
  }

  /** Moves the application's runtime up to now; true when it changed. */
  #advance(s: ArgoState, stored: StoredApp, hpaStep: boolean): boolean {
    const live = liveOf(s, stored);
    if (!live) return false;
    const ctx = this.#context(s, stored, hpaStep);
    if (!live.runtime) {
      // A state file from before the runtime model: pods since the last sync.
      live.runtime = applyWorkload(undefined, live.resources, live.syncedAt, {
        ...ctx,
        now: live.syncedAt,
      });
      if (!live.runtime) return false;
    }
    return advance(live.runtime, live.resources, ctx);
  }

  /**
   * The application's live objects now (managed ones and, with `children`,
   * what their controllers created), moved up to now first.
   */
  liveView(
    name: string,
    children = true,
  ): { objects: LiveObject[]; events: EventView[] } | undefined {
    const stored = this.deps.state.data.apps[name];
    if (!stored) return undefined;
    const s = this.deps.state.data;
    const live = liveOf(s, stored);
    if (!live) return { objects: [], events: [] };
    if (this.#advance(s, stored, false)) this.deps.state.save();
    const ctx = this.#context(s, stored, false);
    const objects = liveObjects(
      live.runtime,
      live.resources,
      { createdAt: live.createdAt },
      ctx,
      { children, versions: true },
    );
    return { objects, events: runtimeEvents(live.runtime, objects, ctx) };
  }

  /** Events about the Application itself, as Argo CD lists them. */
  appEvents(name: string): EventView[] {
    const stored = this.deps.state.data.apps[name];
    if (!stored) return [];
    const uid = stored.app.metadata.uid ?? '';
    return (stored.events ?? []).map(e => {
      const eventName = `${name}.${crypto
        .createHash('sha256')
        .update(`${e.seq}\0${e.reason}\0${e.message}`)
        .digest('hex')
        .slice(0, 16)}`;
      return {
        metadata: {
          name: eventName,
          namespace: ARGOCD_NAMESPACE,
          uid: uidFor(uid, 'Event', eventName),
          resourceVersion: String(e.seq),
          creationTimestamp: k8sTime(e.first),
        },
        involvedObject: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          name,
          namespace: ARGOCD_NAMESPACE,
          uid,
        },
        reason: e.reason,
        message: e.message,
        source: { component: e.component },
        firstTimestamp: k8sTime(e.first),
        lastTimestamp: k8sTime(e.last),
        count: e.count,
        type: e.type,
        reportingComponent: e.component,
        reportingInstance: '',
      };
    });
  }

  #appEvent(
    stored: StoredApp,
    at: Date,
    reason: string,
    message: string,
    component = 'argocd-application-controller',
    type: 'Normal' | 'Warning' = 'Normal',
  ) {
    const events = (stored.events ??= []);
    const seq = (events[events.length - 1]?.seq ?? 0) + 1;
    const t = at.getTime();
    events.push({
      type,
      reason,
      message,
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      name: stored.app.metadata.name ?? '',
      component,
      first: t,
      last: t,
      count: 1,
      seq,
    });
    if (events.length > MAX_APP_EVENTS) {
      events.splice(0, events.length - MAX_APP_EVENTS);
    }
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
    this.deps.state.update(s => {
      this.#advance(s, s.apps[name], allowAutoSync);
      this.#writeStatus(s, s.apps[name], desired, error);
    });

    const app = stored.app;
    if (
      !allowAutoSync ||
      !desired ||
      !isAutomated(app) ||
      app.status?.sync?.status !== 'OutOfSync'
    ) {
      return;
    }
    const automated = app.spec.syncPolicy?.automated;
    const outOfSync = (app.status.resources ?? []).filter(
      r => r.status !== 'Synced',
    );
    // Argo CD leaves extra resources alone when it may not prune them.
    if (!automated?.prune && outOfSync.every(r => r.requiresPruning)) return;
    const base = {
      revision: desired.revision,
      prune: automated?.prune ?? false,
      syncOptions: app.spec.syncPolicy?.syncOptions,
      initiatedBy: { automated: true },
    };
    if (!this.#alreadyAttempted(stored, desired)) {
      this.#appEvent(
        stored,
        this.#now,
        'OperationStarted',
        `Initiated automated sync to '${desired.revision}'`,
      );
      await this.#sync(name, base);
      await this.#reconcile(name, false);
      return;
    }
    // The same revision synced already: only self-heal puts drift back.
    const op = app.status.operationState;
    if (!automated?.selfHeal || op?.phase !== 'Succeeded') return;
    const attempts = Number(op.operation.sync?.autoHealAttemptsCount ?? 0);
    const finishedAt = Date.parse(op.finishedAt ?? '') || 0;
    const delay = attempts
      ? Math.min(
          SELF_HEAL_BACKOFF_MS * 3 ** (attempts - 1),
          SELF_HEAL_BACKOFF_MAX_MS,
        )
      : 0;
    if (this.#now.getTime() - finishedAt < delay) return;
    this.#appEvent(
      stored,
      this.#now,
      'OperationStarted',
      `Initiated automated sync to '${desired.revision}'`,
    );
    await this.#sync(name, {
      ...base,
      resources: outOfSync
        .filter(r => !r.requiresPruning)
        .map(r => ({ group: r.group, kind: r.kind, name: r.name })),
      autoHealAttemptsCount: attempts + 1,
    });
    await this.#reconcile(name, false);
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

  /** Images the sandbox ECR does not have (what used to be the whole health story). */
  #missingImage(live: LiveState): string | undefined {
    return live.images.find(image => {
      const { repository, tag } = ecrRepositoryOf(image);
      return !this.deps.images.hasImage(repository, tag);
    });
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

    // Health from the live objects, as Argo CD assesses each kind.
    const objects = live
      ? liveObjects(
          live.runtime,
          live.resources,
          { createdAt: live.createdAt },
          this.#context(s, stored, false),
          { children: false, versions: false },
        )
      : [];
    const liveHealth = new Map(
      objects.map(o => [resourceKey(o), resourceHealth(o.object)]),
    );
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
      if (liveR) rh = liveHealth.get(key) as HealthStatus | undefined;
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
      const rh = liveHealth.get(resourceKey(r)) as HealthStatus | undefined;
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

    let health = applicationHealth(
      resources.map(r => ({
        ...r,
        live: liveByKey.has(resourceKey(r)),
      })),
    ) as HealthStatus;
    if (!live) health = { status: 'Missing' };
    const missing = live && this.#missingImage(live);
    if (missing && health.status === 'Degraded') {
      // Kept from the sandbox's first health model: the cause, plainly.
      health = { status: 'Degraded', message: `image ${missing} not found` };
    }
    const lastTransitionTime =
      prev.health?.status === health.status && prev.health.lastTransitionTime
        ? prev.health.lastTransitionTime
        : nowIso;
    status.health = { ...health, lastTransitionTime };

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
        ...(req.resources ? { resources: req.resources } : {}),
        ...(req.autoHealAttemptsCount
          ? { autoHealAttemptsCount: req.autoHealAttemptsCount }
          : {}),
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
      const selected = req.resources
        ? new Set(req.resources.map(r => `${r.group}/${r.kind}/${r.name}`))
        : undefined;
      const isSelected = (r: RenderedResource) =>
        !selected || selected.has(`${r.group}/${r.kind}/${r.name}`);
      const results: ResourceResult[] = desired.resources
        .filter(isSelected)
        .map(r => {
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
            ...((r.kind === 'Deployment' || r.kind === 'Rollout') &&
            desired!.images.length
              ? { images: [...desired!.images] }
              : {}),
          };
        });
      const desiredKeys = new Set(desired.resources.map(resourceKey));
      const extras = (prevLive?.resources ?? []).filter(
        r => !desiredKeys.has(resourceKey(r)),
      );
      for (const r of extras) {
        if (!isSelected(r)) continue;
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
        const resources = [...desired.resources, ...kept];
        const live: LiveState = {
          server: destinationServer(s, app),
          revision: desired.revision,
          source: desired.source,
          digest: kept.length
            ? `${desired.digest}+${kept.length}`
            : desired.digest,
          images: desired.images,
          resources,
          syncedAt: finishedAt.getTime(),
          progressingUntil: imagesChanged
            ? finishedAt.getTime() + this.deps.progressingMs
            : prevLive?.progressingUntil ?? 0,
          createdAt: prevLive?.createdAt ?? finishedAt.getTime(),
        };
        const runtime = applyWorkload(
          prevLive?.runtime,
          resources,
          finishedAt.getTime(),
          this.#context(s, stored, false),
        );
        if (runtime) live.runtime = runtime;
        stored.live = live;
        // A selective sync (self-heal) is not a deployment: no history entry.
        if (!req.resources) {
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
        this.#appEvent(
          stored,
          finishedAt,
          'OperationCompleted',
          `Sync operation to ${desired.revision} succeeded`,
        );
      }
      bumpVersion(s, app);
    });
  }

  /** The live object a resource query names, or Argo CD's error. */
  #find(name: string, q: ResourceQuery): LiveObject {
    const view = this.liveView(name);
    const found = view?.objects.find(
      o =>
        o.group === q.group &&
        o.kind === q.kind &&
        o.namespace === q.namespace &&
        o.name === q.name,
    );
    if (!found) throw notInApp(q, name);
    return found;
  }

  /** GetResource: the live object, with its status. */
  getResource(name: string, q: ResourceQuery): LuaObject {
    const found = this.#find(name, q);
    const obj = structuredClone(found.object);
    if (q.version && obj.apiVersion) {
      obj.apiVersion = found.group ? `${found.group}/${q.version}` : q.version;
    }
    return obj;
  }

  /** ListResourceActions: what the built-in discovery scripts offer. */
  listActions(name: string, q: ResourceQuery) {
    const found = this.#find(name, q);
    if (found.group === 'argoproj.io' && found.kind === 'Rollout') {
      return rolloutActions(found.object);
    }
    if (found.group === 'apps' && found.kind === 'Deployment') {
      return deploymentActions(found.object);
    }
    return [];
  }

  /**
   * RunResourceAction: runs the action's script on the live object (the
   * Lua port), applies the result and lets the workload's controller react.
   * As in Argo CD, an action the discovery script marks disabled is run all
   * the same; a name without a script is refused.
   */
  runAction(
    name: string,
    q: ResourceQuery,
    action: string,
    params: Record<string, string>,
    user: string,
  ): Promise<void> {
    return this.#serial(async () => {
      const found = this.#find(name, q);
      const now = this.#now;
      let after: LuaObject;
      try {
        if (found.group === 'argoproj.io' && found.kind === 'Rollout') {
          after = runRolloutAction(action, found.object, now);
        } else if (found.group === 'apps' && found.kind === 'Deployment') {
          after = runDeploymentAction(action, found.object, now, params);
        } else {
          throw new UnknownActionError();
        }
      } catch (e) {
        if (e instanceof UnknownActionError) {
          throw grpcError(
            GrpcCode.Unknown,
            `error getting Lua resource action: ${e.message}`,
          );
        }
        if (e instanceof LuaError) {
          throw grpcError(
            GrpcCode.Unknown,
            `error executing Lua resource action: ${e.message}`,
          );
        }
        throw e;
      }
      this.deps.state.update(s => {
        const stored = s.apps[name];
        const live = stored && liveOf(s, stored);
        if (!stored || !live) return;
        const ctx = this.#context(s, stored, false);
        if (live.runtime) {
          followPatchedWorkload(
            live.runtime,
            live.resources,
            found.object,
            after,
            ctx,
          );
        }
        // spec.replicas is in the chart's manifest: scaling by hand is drift.
        const replicas = after.spec?.replicas;
        const applied = live.resources.find(
          r => r.kind === found.kind && r.name === found.name,
        );
        const appliedSpec = applied?.manifest.spec as
          | { replicas?: number }
          | undefined;
        if (
          action === 'scale' &&
          applied &&
          appliedSpec?.replicas !== undefined &&
          replicas !== appliedSpec.replicas
        ) {
          applied.manifest = structuredClone(applied.manifest);
          (applied.manifest.spec as { replicas?: number }).replicas = replicas;
          live.digest = `${live.digest}~scaled`;
          if (live.runtime) {
            applyWorkload(live.runtime, live.resources, now.getTime(), ctx);
          }
        }
        const ref = `${found.group}/${found.kind}/${found.name}`;
        this.#appEvent(
          stored,
          now,
          'ResourceActionRan',
          `${user} ran action ${action} on resource ${ref}`,
          'argocd-server',
        );
      });
      await this.#reconcile(name, false);
    });
  }

  /**
   * The drift scenario: changes a live object out of band, as `kubectl
   * scale` (the workload's replicas, when the chart sets them) or `kubectl
   * edit` (the Service's type) would. The app goes OutOfSync at once;
   * automated self-heal puts it back at a later pass.
   */
  drift(name: string): Promise<DriftResult | undefined> {
    return this.#serial(async () => {
      const result = this.deps.state.update(s => {
        const stored = s.apps[name];
        const live = stored && liveOf(s, stored);
        if (!stored || !live) return undefined;
        const workload = live.resources.find(
          r => r.kind === 'Deployment' || r.kind === 'Rollout',
        );
        const replicas = (workload?.manifest.spec as { replicas?: number })
          ?.replicas;
        const service = live.resources.find(
          r => r.kind === 'Service' && r.name === workload?.name,
        );
        const target = replicas !== undefined ? workload : service;
        if (!target) return undefined;
        target.manifest = structuredClone(target.manifest);
        const spec = (target.manifest.spec ??= {}) as Record<string, unknown>;
        let out: DriftResult;
        if (target === workload) {
          spec.replicas = (replicas ?? 1) + 1;
          out = {
            ...pick(target),
            field: 'spec.replicas',
            from: replicas,
            to: spec.replicas,
          };
        } else {
          const from = spec.type ?? 'ClusterIP';
          spec.type = from === 'NodePort' ? 'ClusterIP' : 'NodePort';
          out = { ...pick(target), field: 'spec.type', from, to: spec.type };
        }
        live.digest = `${live.digest}~drift`;
        if (live.runtime) {
          applyWorkload(
            live.runtime,
            live.resources,
            this.#now.getTime(),
            this.#context(s, stored, false),
          );
        }
        return out;
      });
      if (result) await this.#reconcile(name, false);
      return result;
    });
  }

  /** Sets what an image does when it runs ('healthy' clears it). */
  setImageBehaviour(image: string, behaviour: ImageBehaviour) {
    this.deps.state.update(s => {
      const scenarios = (s.scenarios ??= { images: {}, load: {} });
      const key = imageKey(image);
      if (behaviour === 'healthy') delete scenarios.images[key];
      else scenarios.images[key] = behaviour;
      for (const stored of Object.values(s.apps)) {
        const rt = stored.live?.runtime;
        if (rt) wake(rt);
      }
    });
  }

  /** Puts an application's pods under load (its HPA scales up) or takes it off. */
  setLoad(name: string, load: boolean) {
    this.deps.state.update(s => {
      const scenarios = (s.scenarios ??= { images: {}, load: {} });
      if (load) scenarios.load[name] = true;
      else delete scenarios.load[name];
    });
  }

  /** The scenarios in force. */
  scenarios(): Scenarios {
    return structuredClone(this.#scenarios(this.deps.state.data));
  }
}

function pick(r: RenderedResource) {
  return { group: r.group, kind: r.kind, namespace: r.namespace, name: r.name };
}
