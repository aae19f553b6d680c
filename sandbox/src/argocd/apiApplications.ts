/*
 * Argo CD's ApplicationService for the applications themselves: list (with
 * Argo CD's filters), get (optionally refreshing), create or upsert with the
 * `validate` render check, update and delete. The seed creates applications
 * through upsertApp as well.
 */

import { Ctx, Router, sendJson } from '../http';
import {
  ApiDeps,
  bodyOf,
  createdMeta,
  findApp,
  isTrue,
  op,
  queryAll,
  replaceMetaFields,
  same,
  sameMeta,
  viewOf,
} from './apiCommon';
import { knownClusters } from './clusters';
import { grpcError, GrpcCode } from './errors';
import { primarySource, RenderError, renderDesired } from './render';
import { normalizeRepoUrl } from './repoUrl';
import { ARGOCD_NAMESPACE, bumpVersion, k8sTime, StoredApp } from './store';
import { Application } from './types';
import { parseLabelSelector, sourcesOf, validateApplication } from './validate';

/** Registers list, create, get, update and delete of applications. */
export function applicationRoutes(r: Router, d: ApiDeps) {
  r.add('GET', '/api/v1/applications', op('ApplicationService_List'), c =>
    listApps(d, c),
  );
  r.add('POST', '/api/v1/applications', op('ApplicationService_Create'), c =>
    createApp(d, c),
  );
  r.add('GET', '/api/v1/applications/:name', op('ApplicationService_Get'), c =>
    getApp(d, c),
  );
  r.add(
    'PUT',
    '/api/v1/applications/:name',
    op('ApplicationService_Update'),
    c => updateApp(d, c),
  );
  r.add(
    'DELETE',
    '/api/v1/applications/:name',
    op('ApplicationService_Delete'),
    c => deleteApp(d, c),
  );
}

function listApps(d: ApiDeps, ctx: Ctx) {
  const url = ctx.url;
  const name = url.searchParams.get('name');
  const projects = queryAll(url, 'projects', 'project');
  const selector = url.searchParams.get('selector');
  const matches = selector ? parseLabelSelector(selector) : undefined;
  const repo = url.searchParams.get('repo');
  const ns = url.searchParams.get('appNamespace');
  const items = Object.values(d.state.data.apps)
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
    for (const a of items) d.nudge(a.metadata.name as string);
  }
  sendJson(ctx.res, 200, {
    metadata: { resourceVersion: String(d.state.data.resourceVersion) },
    items,
  });
}

async function getApp(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  findApp(d, ctx, name);
  const refresh = ctx.url.searchParams.get('refresh');
  if (refresh === 'normal' || refresh === 'hard') {
    await d.controller.reconcileApp(name);
  }
  sendJson(ctx.res, 200, viewOf(findApp(d, ctx, name)));
}

/** Fills defaults the API server or Kubernetes would, and checks the namespace. */
function normalizeApp(input: Application): Application {
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
async function checkRenders(d: ApiDeps, app: Application, validate: boolean) {
  if (!validate) return;
  try {
    await renderDesired(d.git, app);
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
export async function upsertApp(
  d: ApiDeps,
  input: Application,
  opts: { upsert: boolean; validate: boolean },
): Promise<Application> {
  const app = normalizeApp(input);
  const name = app.metadata.name as string;
  validateApplication(
    app,
    d.state.data.projects[app.spec.project as string],
    knownClusters(d.state.data),
  );
  const existing = d.state.data.apps[name];
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
    await checkRenders(d, app, opts.validate);
    return replaceApp(d, name, app);
  }
  await checkRenders(d, app, opts.validate);
  if (d.state.data.apps[name]) {
    throw grpcError(
      GrpcCode.AlreadyExists,
      `applications.argoproj.io "${name}" already exists`,
    );
  }
  const now = k8sTime(d.clock());
  const created = d.state.update(s => {
    const stored: StoredApp = {
      app: {
        metadata: createdMeta(name, app.metadata, now),
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
  d.nudge(name);
  return created;
}

/** Replaces spec, labels, annotations and finalizers, as Argo CD's update does. */
function replaceApp(d: ApiDeps, name: string, app: Application): Application {
  const updated = d.state.update(s => {
    const stored = s.apps[name];
    const specChanged = !same(stored.app.spec, app.spec);
    stored.app.spec = app.spec;
    const meta = stored.app.metadata;
    replaceMetaFields(meta, app.metadata);
    if (specChanged) meta.generation = (meta.generation ?? 1) + 1;
    bumpVersion(s, stored.app);
    return structuredClone(stored.app);
  });
  d.nudge(name);
  return updated;
}

async function createApp(d: ApiDeps, ctx: Ctx) {
  const body = await bodyOf<Application>(ctx);
  const app = await upsertApp(d, body, {
    upsert: isTrue(ctx.url.searchParams.get('upsert')),
    validate: ctx.url.searchParams.get('validate') !== 'false',
  });
  sendJson(ctx.res, 200, app);
}

async function updateApp(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  const body = await bodyOf<Application>(ctx);
  findApp(d, ctx, name);
  const app = normalizeApp({
    ...body,
    metadata: { ...(body.metadata ?? {}), name },
  });
  validateApplication(
    app,
    d.state.data.projects[app.spec.project as string],
    knownClusters(d.state.data),
  );
  await checkRenders(d, app, ctx.url.searchParams.get('validate') !== 'false');
  findApp(d, ctx, name);
  sendJson(ctx.res, 200, replaceApp(d, name, app));
}

function deleteApp(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  findApp(d, ctx, name);
  d.state.update(s => {
    delete s.apps[name];
    s.resourceVersion += 1;
  });
  sendJson(ctx.res, 200, {});
}
