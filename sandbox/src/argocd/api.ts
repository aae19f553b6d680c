/*
 * Argo CD's REST API (the grpc-gateway paths of specs/argocd-v3.6.0-swagger.json)
 * for sessions, version, applications and projects. Operation names are the
 * swagger operationIds prefixed with `argocd:`.
 */

import crypto from 'node:crypto';
import http from 'node:http';
import { GitReader } from '../git';
import { Ctx, Router, sendJson } from '../http';
import { StateFile } from '../state';
import { Claims, Sessions } from './auth';
import { Controller, isAutomated } from './controller';
import { grpcError, GrpcCode, permissionDenied } from './errors';
import { normalizeRepoUrl } from './repoUrl';
import {
  DesiredState,
  primarySource,
  RenderError,
  renderDesired,
} from './render';
import {
  ARGOCD_NAMESPACE,
  ArgoState,
  bumpVersion,
  k8sTime,
  StoredApp,
} from './store';
import { managedResources, resourceTree } from './tree';
import { Application, AppProject, ObjectMeta } from './types';
import {
  checkObjectName,
  parseLabelSelector,
  sourcesOf,
  validateApplication,
} from './validate';

/** The Argo CD version the sandbox claims to be. */
export const ARGOCD_VERSION = 'v3.6.0+sandbox';

/** Operations that need no session (as in Argo CD's auth exemptions). */
export const PUBLIC_OPERATIONS = new Set([
  'argocd:SessionService_Create',
  'argocd:SessionService_Delete',
  'argocd:SessionService_GetUserInfo',
  'argocd:VersionService_Version',
]);

/** What the API handlers work with. */
export interface ApiDeps {
  state: StateFile<ArgoState>;
  sessions: Sessions;
  controller: Controller;
  git: GitReader;
  clock: () => Date;
  admin: { username: string; password: string };
  /** Ask the controller loop to look at an app soon (no-op when stopped). */
  nudge(name: string): void;
  /** The claims the authenticator attached to a request. */
  claimsOf(req: http.IncomingMessage): Claims | undefined;
}

/** Drops Go zero values so two specs compare the way reflect.DeepEqual on decoded structs would. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canonical) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  if (v === false || v === 0 || v === '' || v === null) return undefined;
  return v;
}

const same = (a: unknown, b: unknown) =>
  JSON.stringify(canonical(a) ?? null) === JSON.stringify(canonical(b) ?? null);

const emptyMap = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length ? m : undefined;

function sameMeta(a: ObjectMeta, b: ObjectMeta) {
  return (
    same(emptyMap(a.labels), emptyMap(b.labels)) &&
    same(emptyMap(a.annotations), emptyMap(b.annotations)) &&
    same(a.finalizers, b.finalizers)
  );
}

function queryAll(url: URL, ...names: string[]): string[] {
  return names
    .flatMap(n => url.searchParams.getAll(n))
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean);
}

function isTrue(v: string | null) {
  return v === 'true' || v === '1';
}

/** Reads the body as JSON; a missing body is an error for methods that need one. */
async function bodyOf<T>(ctx: Ctx): Promise<T> {
  try {
    const b = await ctx.json<T>();
    if (b === null || typeof b !== 'object' || Array.isArray(b))
      throw new Error('not an object');
    return b;
  } catch {
    throw grpcError(
      GrpcCode.InvalidArgument,
      'invalid character in request body: expected a JSON object',
    );
  }
}

/** BareRepos (and other readers) can optionally list refs, for revision tags. */
interface RefLister {
  parseUrl(url: string): { owner: string; repo: string } | undefined;
  refs(owner: string, repo: string): Promise<Record<string, string>>;
}

function canListRefs(git: GitReader): git is GitReader & RefLister {
  const g = git as Partial<RefLister>;
  return typeof g.parseUrl === 'function' && typeof g.refs === 'function';
}

/** The Argo CD REST API on top of the state and the controller. */
export class ArgoApi {
  readonly router = new Router();

  constructor(private readonly d: ApiDeps) {
    const r = this.router;
    const op = (id: string) => `argocd:${id}`;
    r.add('POST', '/api/v1/session', op('SessionService_Create'), c =>
      this.createSession(c),
    );
    r.add('DELETE', '/api/v1/session', op('SessionService_Delete'), c =>
      this.deleteSession(c),
    );
    r.add(
      'GET',
      '/api/v1/session/userinfo',
      op('SessionService_GetUserInfo'),
      c => this.userInfo(c),
    );
    r.add('GET', '/api/version', op('VersionService_Version'), c =>
      this.version(c),
    );

    r.add('GET', '/api/v1/applications', op('ApplicationService_List'), c =>
      this.listApps(c),
    );
    r.add('POST', '/api/v1/applications', op('ApplicationService_Create'), c =>
      this.createApp(c),
    );
    r.add(
      'GET',
      '/api/v1/applications/:name',
      op('ApplicationService_Get'),
      c => this.getApp(c),
    );
    r.add(
      'PUT',
      '/api/v1/applications/:name',
      op('ApplicationService_Update'),
      c => this.updateApp(c),
    );
    r.add(
      'DELETE',
      '/api/v1/applications/:name',
      op('ApplicationService_Delete'),
      c => this.deleteApp(c),
    );
    r.add(
      'GET',
      '/api/v1/applications/:name/resource-tree',
      op('ApplicationService_ResourceTree'),
      c => this.tree(c),
    );
    r.add(
      'GET',
      '/api/v1/applications/:name/managed-resources',
      op('ApplicationService_ManagedResources'),
      c => this.managed(c),
    );
    r.add(
      'POST',
      '/api/v1/applications/:name/sync',
      op('ApplicationService_Sync'),
      c => this.sync(c),
    );
    r.add(
      'POST',
      '/api/v1/applications/:name/rollback',
      op('ApplicationService_Rollback'),
      c => this.rollback(c),
    );
    r.add(
      'DELETE',
      '/api/v1/applications/:name/operation',
      op('ApplicationService_TerminateOperation'),
      c => this.terminate(c),
    );
    r.add(
      'GET',
      '/api/v1/applications/:name/revisions/:revision/metadata',
      op('ApplicationService_RevisionMetadata'),
      c => this.revisionMetadata(c),
    );

    r.add('GET', '/api/v1/projects', op('ProjectService_List'), c =>
      this.listProjects(c),
    );
    r.add('POST', '/api/v1/projects', op('ProjectService_Create'), c =>
      this.createProject(c),
    );
    r.add('GET', '/api/v1/projects/:name', op('ProjectService_Get'), c =>
      this.getProject(c),
    );
    r.add('PUT', '/api/v1/projects/:name', op('ProjectService_Update'), c =>
      this.updateProject(c),
    );
    r.add('DELETE', '/api/v1/projects/:name', op('ProjectService_Delete'), c =>
      this.deleteProject(c),
    );
  }

  // ---- sessions and version ----

  private async createSession(ctx: Ctx) {
    const body = await bodyOf<{
      username?: string;
      password?: string;
      token?: string;
    }>(ctx);
    let token: string;
    if (body.token && !body.username) {
      this.d.sessions.verify(body.token);
      token = body.token;
    } else if (
      body.username === this.d.admin.username &&
      body.password === this.d.admin.password
    ) {
      token = this.d.sessions.issue(body.username);
    } else {
      throw grpcError(GrpcCode.Unauthenticated, 'Invalid username or password');
    }
    sendJson(
      ctx.res,
      200,
      { token },
      {
        'set-cookie': `argocd.token=${token}; path=/; SameSite=lax; httpOnly`,
      },
    );
  }

  private deleteSession(ctx: Ctx) {
    this.d.sessions.revoke(Sessions.tokenOf(ctx.req));
    sendJson(
      ctx.res,
      200,
      { token: '' },
      { 'set-cookie': 'argocd.token=; path=/; Max-Age=0' },
    );
  }

  private optionalClaims(ctx: Ctx): Claims | undefined {
    try {
      return this.d.sessions.verify(Sessions.tokenOf(ctx.req));
    } catch {
      return undefined;
    }
  }

  private userInfo(ctx: Ctx) {
    const claims = this.optionalClaims(ctx);
    sendJson(
      ctx.res,
      200,
      claims
        ? { loggedIn: true, username: claims.sub, iss: 'argocd', groups: [] }
        : { loggedIn: false },
    );
  }

  private version(ctx: Ctx) {
    if (!this.optionalClaims(ctx)) {
      sendJson(ctx.res, 200, { Version: ARGOCD_VERSION });
      return;
    }
    sendJson(ctx.res, 200, {
      Version: ARGOCD_VERSION,
      BuildDate: '2026-01-01T00:00:00Z',
      GitCommit: '0000000000000000000000000000000000000000',
      GitTag: 'v3.6.0',
      GitTreeState: 'clean',
      GoVersion: 'go1.24.0',
      Compiler: 'gc',
      Platform: `${process.platform}/${process.arch}`,
      KustomizeVersion: 'v5.6.0',
      HelmVersion: 'v3.17.0',
      KubectlVersion: 'v0.32.0',
      JsonnetVersion: 'v0.20.0',
    });
  }

  // ---- applications ----

  private user(ctx: Ctx): string {
    return this.d.claimsOf(ctx.req)?.sub ?? 'admin';
  }

  /**
   * The stored app, or Argo CD v3's answers for a missing one: 404 when the
   * caller named a project (so RBAC could be checked first), else 403.
   */
  private findApp(ctx: Ctx, name: string): StoredApp {
    const stored = this.d.state.data.apps[name];
    const ns = ctx.url.searchParams.get('appNamespace');
    if (stored && (!ns || ns === ARGOCD_NAMESPACE)) return stored;
    if (queryAll(ctx.url, 'project').length) {
      throw grpcError(
        GrpcCode.NotFound,
        `applications.argoproj.io "${name}" not found`,
      );
    }
    throw permissionDenied();
  }

  private view(stored: StoredApp): Application {
    return structuredClone(stored.app);
  }

  private listApps(ctx: Ctx) {
    const url = ctx.url;
    const name = url.searchParams.get('name');
    const projects = queryAll(url, 'projects', 'project');
    const selector = url.searchParams.get('selector');
    const matches = selector ? parseLabelSelector(selector) : undefined;
    const repo = url.searchParams.get('repo');
    const ns = url.searchParams.get('appNamespace');
    const items = Object.values(this.d.state.data.apps)
      .map(s => s.app)
      .filter(a => !name || a.metadata.name === name)
      .filter(
        a => !projects.length || projects.includes(a.spec.project || 'default'),
      )
      .filter(a => !matches || matches(a.metadata.labels ?? {}))
      .filter(
        a =>
          !repo ||
          sourcesOf(a).some(
            s => normalizeRepoUrl(s.repoURL ?? '') === normalizeRepoUrl(repo),
          ),
      )
      .filter(() => !ns || ns === ARGOCD_NAMESPACE)
      .sort((a, b) =>
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
      )
      .map(a => structuredClone(a));
    if (url.searchParams.get('refresh')) {
      for (const a of items) this.d.nudge(a.metadata.name as string);
    }
    sendJson(ctx.res, 200, {
      metadata: { resourceVersion: String(this.d.state.data.resourceVersion) },
      items,
    });
  }

  private async getApp(ctx: Ctx) {
    const name = ctx.params.name;
    this.findApp(ctx, name);
    const refresh = ctx.url.searchParams.get('refresh');
    if (refresh === 'normal' || refresh === 'hard') {
      await this.d.controller.reconcileApp(name);
    }
    sendJson(ctx.res, 200, this.view(this.findApp(ctx, name)));
  }

  /** Fills defaults the API server or Kubernetes would, and checks the namespace. */
  private normalizeApp(input: Application): Application {
    const app = structuredClone(input);
    app.metadata ??= {};
    app.spec ??= {};
    if (app.metadata.namespace && app.metadata.namespace !== ARGOCD_NAMESPACE) {
      throw grpcError(
        GrpcCode.InvalidArgument,
        `namespace '${app.metadata.namespace}' is not permitted`,
      );
    }
    app.spec.project ||= 'default';
    return app;
  }

  /** Argo CD's `validate=true` check: the source must render. */
  private async checkRenders(app: Application, validate: boolean) {
    if (!validate) return;
    try {
      await renderDesired(this.d.git, app);
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      const where = primarySource(app)?.path ?? primarySource(app)?.chart ?? '';
      const desc = e.message.replace(/^.*desc = /, '');
      throw grpcError(
        GrpcCode.InvalidArgument,
        `application spec for ${app.metadata.name} is invalid: InvalidSpecError: Unable to generate manifests in ${where}: rpc error: code = Unknown desc = ${desc}`,
      );
    }
  }

  /**
   * Creates (or with `upsert`, updates) an application. Shared by the API and
   * the seed. Returns the stored application.
   */
  async upsertApp(
    input: Application,
    opts: { upsert: boolean; validate: boolean },
  ): Promise<Application> {
    const app = this.normalizeApp(input);
    const name = app.metadata.name as string;
    validateApplication(
      app,
      this.d.state.data.projects[app.spec.project as string],
    );
    const existing = this.d.state.data.apps[name];
    if (existing) {
      if (
        same(existing.app.spec, app.spec) &&
        sameMeta(existing.app.metadata, app.metadata)
      ) {
        return structuredClone(existing.app);
      }
      if (!opts.upsert) {
        throw grpcError(
          GrpcCode.InvalidArgument,
          'existing application spec is different, use upsert flag to force update',
        );
      }
      await this.checkRenders(app, opts.validate);
      return this.replaceApp(name, app);
    }
    await this.checkRenders(app, opts.validate);
    if (this.d.state.data.apps[name]) {
      throw grpcError(
        GrpcCode.AlreadyExists,
        `applications.argoproj.io "${name}" already exists`,
      );
    }
    const now = k8sTime(this.d.clock());
    const created = this.d.state.update(s => {
      const meta: ObjectMeta = {
        name,
        namespace: ARGOCD_NAMESPACE,
        uid: crypto.randomUUID(),
        generation: 1,
        creationTimestamp: now,
        ...(emptyMap(app.metadata.labels)
          ? { labels: app.metadata.labels }
          : {}),
        ...(emptyMap(app.metadata.annotations)
          ? { annotations: app.metadata.annotations }
          : {}),
        ...(app.metadata.finalizers?.length
          ? { finalizers: app.metadata.finalizers }
          : {}),
      };
      const stored: StoredApp = {
        app: {
          metadata: meta,
          spec: app.spec,
          status: {
            sync: { status: 'Unknown', comparedTo: { destination: {} } },
            health: { status: 'Unknown' },
            summary: {},
          },
        },
      };
      bumpVersion(s, stored.app);
      s.apps[name] = stored;
      return structuredClone(stored.app);
    });
    this.d.nudge(name);
    return created;
  }

  /** Replaces spec, labels, annotations and finalizers, as Argo CD's update does. */
  private replaceApp(name: string, app: Application): Application {
    const updated = this.d.state.update(s => {
      const stored = s.apps[name];
      const specChanged = !same(stored.app.spec, app.spec);
      stored.app.spec = app.spec;
      const meta = stored.app.metadata;
      for (const key of ['labels', 'annotations'] as const) {
        if (emptyMap(app.metadata[key])) meta[key] = app.metadata[key];
        else delete meta[key];
      }
      if (app.metadata.finalizers?.length)
        meta.finalizers = app.metadata.finalizers;
      else delete meta.finalizers;
      if (specChanged) meta.generation = (meta.generation ?? 1) + 1;
      bumpVersion(s, stored.app);
      return structuredClone(stored.app);
    });
    this.d.nudge(name);
    return updated;
  }

  private async createApp(ctx: Ctx) {
    const body = await bodyOf<Application>(ctx);
    const app = await this.upsertApp(body, {
      upsert: isTrue(ctx.url.searchParams.get('upsert')),
      validate: ctx.url.searchParams.get('validate') !== 'false',
    });
    sendJson(ctx.res, 200, app);
  }

  private async updateApp(ctx: Ctx) {
    const name = ctx.params.name;
    const body = await bodyOf<Application>(ctx);
    this.findApp(ctx, name);
    const app = this.normalizeApp({
      ...body,
      metadata: { ...(body.metadata ?? {}), name },
    });
    validateApplication(
      app,
      this.d.state.data.projects[app.spec.project as string],
    );
    await this.checkRenders(
      app,
      ctx.url.searchParams.get('validate') !== 'false',
    );
    this.findApp(ctx, name);
    sendJson(ctx.res, 200, this.replaceApp(name, app));
  }

  private deleteApp(ctx: Ctx) {
    const name = ctx.params.name;
    this.findApp(ctx, name);
    this.d.state.update(s => {
      delete s.apps[name];
      s.resourceVersion += 1;
    });
    sendJson(ctx.res, 200, {});
  }

  private tree(ctx: Ctx) {
    sendJson(ctx.res, 200, resourceTree(this.findApp(ctx, ctx.params.name)));
  }

  private async managed(ctx: Ctx) {
    const stored = this.findApp(ctx, ctx.params.name);
    let desired: DesiredState | undefined;
    try {
      desired = await renderDesired(this.d.git, stored.app);
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
    }
    sendJson(ctx.res, 200, managedResources(stored, desired));
  }

  private async sync(ctx: Ctx) {
    const name = ctx.params.name;
    const stored = this.findApp(ctx, name);
    const body = await bodyOf<{
      revision?: string;
      prune?: boolean;
      dryRun?: boolean;
      syncOptions?: { items?: string[] };
    }>(ctx);
    const source = primarySource(stored.app);
    const target = source?.targetRevision || 'HEAD';
    if (
      isAutomated(stored.app) &&
      !body.dryRun &&
      body.revision &&
      body.revision !== target
    ) {
      throw grpcError(
        GrpcCode.FailedPrecondition,
        `Cannot sync to ${body.revision}: auto-sync currently set to ${
          source?.targetRevision ?? ''
        }`,
      );
    }
    await this.d.controller.sync(name, {
      revision: body.revision || undefined,
      prune: !!body.prune,
      dryRun: !!body.dryRun,
      syncOptions: body.syncOptions?.items,
      initiatedBy: { username: this.user(ctx) },
    });
    sendJson(ctx.res, 200, this.view(this.findApp(ctx, name)));
  }

  private async rollback(ctx: Ctx) {
    const name = ctx.params.name;
    const stored = this.findApp(ctx, name);
    const body = await bodyOf<{
      id?: number | string;
      dryRun?: boolean;
      prune?: boolean;
    }>(ctx);
    if (isAutomated(stored.app)) {
      throw grpcError(
        GrpcCode.FailedPrecondition,
        'rollback cannot be initiated when auto-sync is enabled',
      );
    }
    const id = Number(body.id ?? 0);
    const entry = (stored.app.status?.history ?? []).find(h => h.id === id);
    if (!entry) {
      throw grpcError(
        GrpcCode.InvalidArgument,
        `application ${name} does not have deployment with id ${body.id ?? 0}`,
      );
    }
    await this.d.controller.sync(name, {
      revision: entry.revision,
      source: entry.source,
      prune: !!body.prune,
      dryRun: !!body.dryRun,
      initiatedBy: { username: this.user(ctx) },
    });
    sendJson(ctx.res, 200, this.view(this.findApp(ctx, name)));
  }

  private terminate(ctx: Ctx) {
    this.findApp(ctx, ctx.params.name);
    // Sandbox syncs finish before the sync request returns.
    throw grpcError(
      GrpcCode.InvalidArgument,
      'Unable to terminate operation. No operation is in progress',
    );
  }

  private async revisionMetadata(ctx: Ctx) {
    const stored = this.findApp(ctx, ctx.params.name);
    const idx = Number(ctx.url.searchParams.get('sourceIndex') ?? '0');
    const sources = sourcesOf(stored.app);
    const source = stored.app.spec.sources?.length
      ? sources[idx]
      : primarySource(stored.app);
    if (!source?.repoURL) {
      throw grpcError(
        GrpcCode.InvalidArgument,
        `source index ${idx} not found`,
      );
    }
    const revision = ctx.params.revision;
    const sha =
      (await this.d.git.resolve(source.repoURL, revision)) ?? revision;
    const commit = /^[0-9a-f]{4,40}$/i.test(sha)
      ? await this.d.git.commit(source.repoURL, sha)
      : undefined;
    if (!commit) {
      throw grpcError(
        GrpcCode.Unknown,
        `rpc error: code = Unknown desc = unable to resolve git revision ${revision}: revision not found`,
      );
    }
    const tags: string[] = [];
    if (canListRefs(this.d.git)) {
      const repo = this.d.git.parseUrl(source.repoURL);
      if (repo) {
        for (const [ref, target] of Object.entries(
          await this.d.git.refs(repo.owner, repo.repo),
        )) {
          if (ref.startsWith('refs/tags/') && target === commit.sha)
            tags.push(ref.slice('refs/tags/'.length));
        }
      }
    }
    sendJson(ctx.res, 200, {
      author: `${commit.author} <${commit.email}>`,
      date: k8sTime(new Date(commit.date)),
      message: commit.message,
      ...(tags.length ? { tags } : {}),
    });
  }

  // ---- projects ----

  private findProject(name: string): AppProject {
    const p = this.d.state.data.projects[name];
    if (!p)
      throw grpcError(
        GrpcCode.NotFound,
        `appprojects.argoproj.io "${name}" not found`,
      );
    return p;
  }

  private listProjects(ctx: Ctx) {
    const name = ctx.url.searchParams.get('name');
    const items = Object.values(this.d.state.data.projects)
      .filter(p => !name || p.metadata.name === name)
      .sort((a, b) =>
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
      );
    sendJson(ctx.res, 200, {
      metadata: { resourceVersion: String(this.d.state.data.resourceVersion) },
      items: structuredClone(items),
    });
  }

  private getProject(ctx: Ctx) {
    sendJson(ctx.res, 200, structuredClone(this.findProject(ctx.params.name)));
  }

  /** Creates or (with upsert) updates a project; shared with the seed. */
  upsertProject(input: AppProject, upsert: boolean): AppProject {
    const project = structuredClone(input);
    project.metadata ??= {};
    project.spec ??= {};
    checkObjectName('AppProject', project.metadata.name);
    const name = project.metadata.name as string;
    const existing = this.d.state.data.projects[name];
    if (existing) {
      if (
        same(existing.spec, project.spec) &&
        sameMeta(existing.metadata, project.metadata)
      ) {
        return structuredClone(existing);
      }
      if (!upsert) {
        throw grpcError(
          GrpcCode.InvalidArgument,
          'existing project spec is different, use upsert flag to force update',
        );
      }
      return this.replaceProject(name, project);
    }
    const now = k8sTime(this.d.clock());
    return this.d.state.update(s => {
      const created: AppProject = {
        metadata: {
          name,
          namespace: ARGOCD_NAMESPACE,
          uid: crypto.randomUUID(),
          generation: 1,
          creationTimestamp: now,
          ...(emptyMap(project.metadata.labels)
            ? { labels: project.metadata.labels }
            : {}),
          ...(emptyMap(project.metadata.annotations)
            ? { annotations: project.metadata.annotations }
            : {}),
          ...(project.metadata.finalizers?.length
            ? { finalizers: project.metadata.finalizers }
            : {}),
        },
        spec: project.spec,
        status: {},
      };
      bumpVersion(s, created);
      s.projects[name] = created;
      return structuredClone(created);
    });
  }

  private replaceProject(name: string, project: AppProject): AppProject {
    return this.d.state.update(s => {
      const p = s.projects[name];
      if (!same(p.spec, project.spec))
        p.metadata.generation = (p.metadata.generation ?? 1) + 1;
      p.spec = project.spec;
      for (const key of ['labels', 'annotations'] as const) {
        if (emptyMap(project.metadata[key]))
          p.metadata[key] = project.metadata[key];
        else delete p.metadata[key];
      }
      if (project.metadata.finalizers?.length)
        p.metadata.finalizers = project.metadata.finalizers;
      else delete p.metadata.finalizers;
      bumpVersion(s, p);
      return structuredClone(p);
    });
  }

  private async createProject(ctx: Ctx) {
    const body = await bodyOf<{ project?: AppProject; upsert?: boolean }>(ctx);
    if (!body.project)
      throw grpcError(GrpcCode.InvalidArgument, 'project is required');
    sendJson(ctx.res, 200, this.upsertProject(body.project, !!body.upsert));
  }

  private async updateProject(ctx: Ctx) {
    const name = ctx.params.name;
    const body = await bodyOf<{ project?: AppProject }>(ctx);
    if (!body.project)
      throw grpcError(GrpcCode.InvalidArgument, 'project is required');
    this.findProject(name);
    const project = structuredClone(body.project);
    project.metadata = { ...(project.metadata ?? {}), name };
    project.spec ??= {};
    sendJson(ctx.res, 200, this.replaceProject(name, project));
  }

  private deleteProject(ctx: Ctx) {
    const name = ctx.params.name;
    this.findProject(name);
    const using = Object.values(this.d.state.data.apps).filter(
      a => (a.app.spec.project || 'default') === name,
    );
    if (using.length) {
      throw grpcError(
        GrpcCode.FailedPrecondition,
        `project is referenced by ${using.length} applications`,
      );
    }
    this.d.state.update(s => {
      delete s.projects[name];
      s.resourceVersion += 1;
    });
    sendJson(ctx.res, 200, {});
  }
}
