/*
 * The sandbox's Argo CD: the REST API of Argo CD v3.6 (as published in
 * specs/argocd-v3.6.0-swagger.json) plus a small application controller that
 * renders helm chart paths from git and "deploys" them to imaginary
 * clusters: in-cluster and those registered with ensureCluster, where a
 * runtime model (runtime.ts) runs their Deployments or Argo Rollouts
 * canaries on the injected clock. Clients talk to it with only the base URL
 * and token changed.
 */

import http from 'node:http';
import { FaultInjector } from '../faults';
import { GitReader } from '../git';
import { Ctx, HttpError, UpstreamSpec } from '../http';
import { StateFile } from '../state';
import { ArgoApi, PUBLIC_OPERATIONS } from './api';
import { Claims, Sessions } from './auth';
import { Controller, DriftResult } from './controller';
import { renderArgoError } from './errors';
import { normalizeRepoUrl } from './repoUrl';
import { ImageBehaviour } from './runtime';
import { ArgoState, initialState, Scenarios } from './store';
import { Application, AppProject, AppProjectSpec } from './types';

export type { Application, AppProject } from './types';
export type { ImageBehaviour } from './runtime';
export type { Scenarios } from './store';
export type { DriftResult } from './controller';

/** The behaviours an image can be given (see setImageBehaviour). */
export const IMAGE_BEHAVIOURS: ImageBehaviour[] = [
  'healthy',
  'crashloop',
  'fails-analysis',
];
export { ARGOCD_VERSION } from './api';

/** How to build the Argo CD emulation. */
export interface ArgoCdOptions {
  /** Folder for argocd.json (apps, projects, sessions). */
  dataDir: string;
  faults: FaultInjector;
  /** Where applications' sources are read from. */
  git: GitReader;
  /** The sandbox ECR, to decide whether a deployed image can be pulled. */
  images: { hasImage(repositoryName: string, tag: string): boolean };
  /** The local admin account. Default admin / 'slipway-sandbox'. */
  admin?: { username: string; password: string };
  /** How long a fresh rollout stays Progressing. Default 3000 ms. */
  progressingMs?: number;
  /** Controller loop period. Default 2000 ms; 0 reconciles only on demand. */
  reconcileIntervalMs?: number;
  clock?: () => Date;
  /** Receives unexpected errors from handlers and the loop. */
  onError?: (err: unknown) => void;
}

/** The Argo CD upstream: an UpstreamSpec plus controller and seeding hooks. */
export interface ArgoCdUpstream extends UpstreamSpec {
  /**
   * Starts the controller: a first pass at once, then one every
   * `reconcileIntervalMs` (if > 0), and passes soon after nudges.
   */
  start(): void;
  /** Stops the loop and cancels scheduled passes. */
  stop(): void;
  /** One reconcile pass over every application; resolves when done. */
  reconcileNow(): Promise<void>;
  /** Webhook-style nudge: reconcile the apps sourced from `repoUrl` soon. */
  onGitPush(repoUrl: string): void;
  /** A valid bearer token for `subject` (default the admin user). */
  issueToken(subject?: string): string;
  /**
   * Creates the project when missing. With `spec`, an existing project's
   * spec is replaced. Without, a new project permits every repo and
   * destination, like `default`.
   */
  ensureProject(name: string, spec?: object): void;
  /**
   * Registers a destination cluster, like a cluster secret does (`argocd
   * cluster add`), or renames the one registered with that server URL.
   * in-cluster (https://kubernetes.default.svc) is always known.
   */
  ensureCluster(name: string, server: string): void;
  /**
   * Creates or updates an application like POST /api/v1/applications?upsert=true,
   * but without the manifest check (`validate=false`) unless asked, so seeds
   * can register apps before their charts are pushed.
   */
  upsertApplication(
    app: object,
    options?: { validate?: boolean },
  ): Promise<Application>;
  /** Runs `fn` with the state written once, at its end (seeding many applications). */
  batch<R>(fn: () => Promise<R>): Promise<R>;
  /**
   * What the image `<repository>:<tag>` does when it runs (repository: the
   * ECR repository name, or the whole URI): `crashloop` (its containers
   * exit 1 and restart with back-off), `fails-analysis` (a canary's
   * AnalysisRun fails and the Rollout aborts) or `healthy` (the default;
   * clears the others).
   */
  setImageBehaviour(
    repository: string,
    tag: string,
    behaviour: ImageBehaviour,
  ): void;
  /** Puts the application's pods under CPU load (its HPA scales up), or takes it off. */
  setLoad(appName: string, load: boolean): void;
  /**
   * Changes one live object of the application out of band (see
   * Controller.drift); undefined when nothing of it is live. The app shows
   * OutOfSync at once; automated self-heal puts it back at a later pass.
   */
  drift(appName: string): Promise<DriftResult | undefined>;
  /** The scenarios in force. */
  scenarios(): Scenarios;
  /** Whether Argo CD has an application of that name. */
  hasApplication(appName: string): boolean;
}

/** Builds the Argo CD emulation. Call `start()` to run the controller loop. */
export function createArgoCdUpstream(o: ArgoCdOptions): ArgoCdUpstream {
  const clock = o.clock ?? (() => new Date());
  const state = new StateFile<ArgoState>(o.dataDir, 'argocd', () =>
    initialState(clock()),
  );
  // State files written before clusters were registered load with none.
  state.data.clusters ??= {};
  const sessions = new Sessions(state, clock);
  const controller = new Controller({
    state,
    git: o.git,
    images: o.images,
    clock,
    progressingMs: o.progressingMs ?? 3000,
    onError: o.onError,
  });
  const admin = o.admin ?? { username: 'admin', password: 'slipway-sandbox' };
  const interval = o.reconcileIntervalMs ?? 2000;
  const claims = new WeakMap<http.IncomingMessage, Claims>();

  let running = false;
  let loop: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  const pending = new Set<string>();

  const runPending = () => {
    soon = undefined;
    const names = new Set(pending);
    pending.clear();
    controller
      .reconcileAll(app => names.has(app.metadata.name as string))
      .catch(e => o.onError?.(e));
  };
  const nudge = (name: string) => {
    if (!running) return;
    pending.add(name);
    soon ??= setTimeout(runPending, 50);
  };
  const nudgeAll = () => {
    for (const name of Object.keys(state.data.apps)) nudge(name);
  };

  const api = new ArgoApi({
    state,
    sessions,
    controller,
    git: o.git,
    clock,
    admin,
    nudge,
    claimsOf: req => claims.get(req),
  });

  return {
    upstream: 'argocd',
    faults: o.faults,
    resolve(req, url) {
      return api.router.match(req.method ?? 'GET', url.pathname);
    },
    renderError(ctx: Ctx, err: HttpError) {
      renderArgoError(ctx, err);
    },
    authenticate(ctx: Ctx, operation: string) {
      if (PUBLIC_OPERATIONS.has(operation)) return;
      claims.set(ctx.req, sessions.verify(Sessions.tokenOf(ctx.req)));
    },
    onError: o.onError,

    start() {
      if (running) return;
      running = true;
      if (interval <= 0) {
        // On-demand mode still takes one first look at every app.
        loop = setTimeout(() => {
          controller.reconcileAll().catch(e => o.onError?.(e));
        }, 0);
      } else {
        const tick = () => {
          controller
            .reconcileAll()
            .catch(e => o.onError?.(e))
            .finally(() => {
              if (running) loop = setTimeout(tick, interval);
            });
        };
        loop = setTimeout(tick, 0);
      }
    },
    stop() {
      running = false;
      if (loop) clearTimeout(loop);
      if (soon) clearTimeout(soon);
      loop = undefined;
      soon = undefined;
      pending.clear();
    },
    reconcileNow() {
      return controller.reconcileAll();
    },
    onGitPush(repoUrl: string) {
      const wanted = normalizeRepoUrl(repoUrl);
      for (const stored of Object.values(state.data.apps)) {
        const sources =
          stored.app.spec.sources ??
          (stored.app.spec.source ? [stored.app.spec.source] : []);
        if (sources.some(s => normalizeRepoUrl(s.repoURL ?? '') === wanted)) {
          nudge(stored.app.metadata.name as string);
        }
      }
    },
    issueToken(subject = admin.username) {
      return sessions.issue(subject);
    },
    ensureProject(name: string, spec?: object) {
      const existing = state.data.projects[name];
      if (existing && !spec) return;
      const project: AppProject = {
        metadata: { ...(existing?.metadata ?? {}), name },
        spec: (spec as AppProjectSpec) ?? {
          sourceRepos: ['*'],
          destinations: [{ server: '*', namespace: '*' }],
          clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        },
      };
      api.upsertProject(project, true);
    },
    ensureCluster(name: string, server: string) {
      api.ensureCluster({ name, server });
    },
    upsertApplication(app: object, options?: { validate?: boolean }) {
      return api.upsertApp(app as Application, {
        upsert: true,
        validate: options?.validate ?? false,
      });
    },
    batch: fn => state.batch(fn),
    setImageBehaviour(repository, tag, behaviour) {
      controller.setImageBehaviour(`${repository}:${tag}`, behaviour);
      nudgeAll();
    },
    setLoad(appName, load) {
      controller.setLoad(appName, load);
      nudge(appName);
    },
    drift: appName => controller.drift(appName),
    scenarios: () => controller.scenarios(),
    hasApplication: appName => !!state.data.apps[appName],
  };
}
