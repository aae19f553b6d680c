/*
 * Argo CD's ApplicationService views of what an application deploys: the
 * resource tree (live objects and their children), the managed resources
 * (live against desired state, rendered from git), one live object
 * (GetResource), its resource actions (list and run, v1 and v2) and the
 * Kubernetes events of the application or of one of its objects.
 */

import { Ctx, Router, sendJson } from '../http';
import { ApiDeps, bodyOf, findApp, op, userOf } from './apiCommon';
import { liveOf } from './clusters';
import { ResourceQuery } from './controller';
import { grpcError, GrpcCode } from './errors';
import { DesiredState, RenderError, renderDesired } from './render';
import { managedResources, resourceTree } from './tree';

/** Registers the tree, managed resources, resource, actions and events routes. */
export function appResourceRoutes(r: Router, d: ApiDeps) {
  r.add(
    'GET',
    '/api/v1/applications/:name/resource-tree',
    op('ApplicationService_ResourceTree'),
    c => tree(d, c),
  );
  r.add(
    'GET',
    '/api/v1/applications/:name/managed-resources',
    op('ApplicationService_ManagedResources'),
    c => managed(d, c),
  );
  r.add(
    'GET',
    '/api/v1/applications/:name/resource',
    op('ApplicationService_GetResource'),
    c => getResource(d, c),
  );
  r.add(
    'GET',
    '/api/v1/applications/:name/resource/actions',
    op('ApplicationService_ListResourceActions'),
    c => listActions(d, c),
  );
  r.add(
    'POST',
    '/api/v1/applications/:name/resource/actions',
    op('ApplicationService_RunResourceAction'),
    c => runAction(d, c),
  );
  r.add(
    'POST',
    '/api/v1/applications/:name/resource/actions/v2',
    op('ApplicationService_RunResourceActionV2'),
    c => runActionV2(d, c),
  );
  r.add(
    'GET',
    '/api/v1/applications/:name/events',
    op('ApplicationService_ListResourceEvents'),
    c => events(d, c),
  );
}

function tree(d: ApiDeps, ctx: Ctx) {
  const stored = findApp(d, ctx, ctx.params.name);
  const view = d.controller.liveView(ctx.params.name);
  sendJson(
    ctx.res,
    200,
    resourceTree(
      view?.objects ?? [],
      stored.app.status?.summary?.externalURLs ?? [],
    ),
  );
}

async function managed(d: ApiDeps, ctx: Ctx) {
  const stored = findApp(d, ctx, ctx.params.name);
  let desired: DesiredState | undefined;
  try {
    desired = await renderDesired(d.git, stored.app);
  } catch (e) {
    if (!(e instanceof RenderError)) throw e;
  }
  sendJson(
    ctx.res,
    200,
    managedResources(liveOf(d.state.data, stored), desired),
  );
}

/** The object an ApplicationResourceRequest names (query parameters). */
function queryOf(ctx: Ctx): ResourceQuery {
  const q = ctx.url.searchParams;
  return {
    group: q.get('group') ?? '',
    kind: q.get('kind') ?? '',
    namespace: q.get('namespace') ?? '',
    name: q.get('resourceName') ?? '',
    version: q.get('version') ?? undefined,
  };
}

function getResource(d: ApiDeps, ctx: Ctx) {
  findApp(d, ctx, ctx.params.name);
  const obj = d.controller.getResource(ctx.params.name, queryOf(ctx));
  sendJson(ctx.res, 200, { manifest: JSON.stringify(obj) });
}

function listActions(d: ApiDeps, ctx: Ctx) {
  findApp(d, ctx, ctx.params.name);
  const actions = d.controller.listActions(ctx.params.name, queryOf(ctx));
  sendJson(ctx.res, 200, { actions });
}

async function runAction(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  findApp(d, ctx, name);
  // The deprecated v1 takes the action's name as the whole body, a JSON string.
  let action: unknown;
  try {
    action = await ctx.json();
  } catch {
    action = undefined;
  }
  if (typeof action !== 'string') {
    throw grpcError(
      GrpcCode.InvalidArgument,
      'invalid request body: expected the action name as a JSON string',
    );
  }
  await d.controller.runAction(name, queryOf(ctx), action, {}, userOf(d, ctx));
  sendJson(ctx.res, 200, {});
}

async function runActionV2(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  findApp(d, ctx, name);
  const body = await bodyOf<{
    name?: string;
    namespace?: string;
    resourceName?: string;
    version?: string;
    group?: string;
    kind?: string;
    action?: string;
    resourceActionParameters?: Array<{ name?: string; value?: string }>;
  }>(ctx);
  if (body.name && body.name !== name) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `application name in the body (${body.name}) does not match the path (${name})`,
    );
  }
  const params: Record<string, string> = {};
  for (const p of body.resourceActionParameters ?? []) {
    if (p.name) params[p.name] = p.value ?? '';
  }
  await d.controller.runAction(
    name,
    {
      group: body.group ?? '',
      kind: body.kind ?? '',
      namespace: body.namespace ?? '',
      name: body.resourceName ?? '',
      version: body.version,
    },
    body.action ?? '',
    params,
    userOf(d, ctx),
  );
  sendJson(ctx.res, 200, {});
}

function events(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  findApp(d, ctx, name);
  const q = ctx.url.searchParams;
  const resourceName = q.get('resourceName') ?? '';
  const resourceUID = q.get('resourceUID') ?? '';
  const resourceNamespace = q.get('resourceNamespace') ?? '';
  if (!resourceName && !resourceUID) {
    // The Application's own events, in Argo CD's namespace.
    sendJson(ctx.res, 200, {
      metadata: {},
      items: d.controller.appEvents(name),
    });
    return;
  }
  const view = d.controller.liveView(name);
  const found = view?.objects.some(
    o =>
      o.uid === resourceUID &&
      o.name === resourceName &&
      o.namespace === resourceNamespace,
  );
  if (!found) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `${resourceName} not found as part of application ${name}`,
    );
  }
  const items = (view?.events ?? []).filter(
    e =>
      e.involvedObject.name === resourceName &&
      e.involvedObject.uid === resourceUID &&
      e.involvedObject.namespace === resourceNamespace,
  );
  sendJson(ctx.res, 200, { metadata: {}, items });
}
