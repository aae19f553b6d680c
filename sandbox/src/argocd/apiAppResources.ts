/*
 * Argo CD's ApplicationService views of what an application deploys: the
 * resource tree (live objects and their children) and the managed resources
 * (live against desired state, rendered from git).
 */

import { Ctx, Router, sendJson } from '../http';
import { ApiDeps, findApp, op } from './apiCommon';
import { liveOf } from './clusters';
import { DesiredState, RenderError, renderDesired } from './render';
import { managedResources, resourceTree } from './tree';

/** Registers the resource-tree and managed-resources routes. */
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
}

function tree(d: ApiDeps, ctx: Ctx) {
  const stored = findApp(d, ctx, ctx.params.name);
  sendJson(ctx.res, 200, resourceTree(stored, liveOf(d.state.data, stored)));
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
