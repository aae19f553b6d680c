/*
 * Stands in for GitHub's users and organizations API: the authenticated
 * user, a user by login, and an organization.
 */

import { HttpError, Router, sendJson } from '../../http';
import { API, orgOr404, RouteContext } from './context';

export function registerAccountRoutes(router: Router, g: RouteContext) {
  const { store, shapes } = g;

  router.add('GET', `${API}/user`, 'users/get-authenticated', ctx => {
    sendJson(ctx.res, 200, shapes.publicUser(store.ensureUser(g.login(ctx))));
  });
  router.add('GET', `${API}/users/:username`, 'users/get-by-username', ctx => {
    const u = store.state.data.users[ctx.params.username.toLowerCase()];
    if (!u) throw new HttpError(404, 'Not Found');
    sendJson(ctx.res, 200, shapes.publicUser(u));
  });
  router.add('GET', `${API}/orgs/:org`, 'orgs/get', ctx => {
    sendJson(ctx.res, 200, shapes.org(orgOr404(store, ctx)));
  });
}
