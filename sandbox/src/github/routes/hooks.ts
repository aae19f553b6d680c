/*
 * Stands in for GitHub's webhooks API: a repository's webhooks and an
 * organization's (which hear the events of every repository of the org).
 * Hooks post to loopback URLs only; deliveries are in ../webhooks.ts.
 */

import { HttpError, Router, sendJson } from '../../http';
import { HookInput, orgHooksOf } from '../store';
import { API, orgOr404, repoOr404, RouteContext } from './context';

/** A webhook's settings from a REST body (`config`, `events`, `active`). */
function hookInputOf(b: any): HookInput {
  return {
    url: b?.config?.url,
    contentType: b?.config?.content_type,
    secret: b?.config?.secret,
    insecureSsl: b?.config?.insecure_ssl,
    events: b?.events,
    active: b?.active,
  };
}

export function registerHookRoutes(router: Router, g: RouteContext) {
  const { store, shapes } = g;

  // A repository's webhooks
  router.add(
    'POST',
    `${API}/repos/:owner/:repo/hooks`,
    'repos/create-webhook',
    async ctx => {
      const r = repoOr404(store, ctx);
      const hook = store.addHook(() => r.hooks, hookInputOf(await ctx.json()));
      sendJson(ctx.res, 201, shapes.hook(r, hook));
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/hooks`,
    'repos/list-webhooks',
    ctx => {
      const r = repoOr404(store, ctx);
      sendJson(
        ctx.res,
        200,
        r.hooks.map(h => shapes.hook(r, h)),
      );
    },
  );
  router.add(
    'DELETE',
    `${API}/repos/:owner/:repo/hooks/:id`,
    'repos/delete-webhook',
    ctx => {
      const r = repoOr404(store, ctx);
      if (!store.removeHook(() => r.hooks, ctx.params.id))
        throw new HttpError(404, 'Not Found');
      ctx.res.writeHead(204).end();
    },
  );

  // An organization's webhooks
  router.add(
    'POST',
    `${API}/orgs/:org/hooks`,
    'orgs/create-webhook',
    async ctx => {
      const org = orgOr404(store, ctx);
      const b = await ctx.json();
      if (b.name !== 'web') {
        throw new HttpError(422, "Validation Failed: name must be 'web'");
      }
      const hook = store.addHook(s => orgHooksOf(s, org), hookInputOf(b));
      sendJson(ctx.res, 201, shapes.orgHook(org, hook));
    },
  );
  router.add('GET', `${API}/orgs/:org/hooks`, 'orgs/list-webhooks', ctx => {
    const org = orgOr404(store, ctx);
    sendJson(
      ctx.res,
      200,
      store.listOrgWebhooks(org.login).map(h => shapes.orgHook(org, h)),
    );
  });
  router.add(
    'GET',
    `${API}/orgs/:org/hooks/:hook_id`,
    'orgs/get-webhook',
    ctx => {
      const org = orgOr404(store, ctx);
      const hook = store
        .listOrgWebhooks(org.login)
        .find(h => String(h.id) === ctx.params.hook_id);
      if (!hook) throw new HttpError(404, 'Not Found');
      sendJson(ctx.res, 200, shapes.orgHook(org, hook));
    },
  );
  router.add(
    'DELETE',
    `${API}/orgs/:org/hooks/:hook_id`,
    'orgs/delete-webhook',
    ctx => {
      const org = orgOr404(store, ctx);
      if (!store.removeHook(s => orgHooksOf(s, org), ctx.params.hook_id))
        throw new HttpError(404, 'Not Found');
      ctx.res.writeHead(204).end();
    },
  );
}
