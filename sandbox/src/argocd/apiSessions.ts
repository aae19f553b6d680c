/*
 * Argo CD's SessionService (log in with the local admin account or an
 * existing token, log out, who am I) and VersionService, which answers
 * anonymous callers with the version only.
 */

import { Ctx, Router, sendJson } from '../http';
import { Claims, Sessions } from './auth';
import { ApiDeps, bodyOf, op } from './apiCommon';
import { grpcError, GrpcCode } from './errors';

/** The Argo CD version the sandbox claims to be. */
export const ARGOCD_VERSION = 'v3.6.0+sandbox';

/** Registers the session and version routes. */
export function sessionRoutes(r: Router, d: ApiDeps) {
  r.add('POST', '/api/v1/session', op('SessionService_Create'), c =>
    createSession(d, c),
  );
  r.add('DELETE', '/api/v1/session', op('SessionService_Delete'), c =>
    deleteSession(d, c),
  );
  r.add(
    'GET',
    '/api/v1/session/userinfo',
    op('SessionService_GetUserInfo'),
    c => userInfo(d, c),
  );
  r.add('GET', '/api/version', op('VersionService_Version'), c =>
    version(d, c),
  );
}

async function createSession(d: ApiDeps, ctx: Ctx) {
  const body = await bodyOf<{
    username?: string;
    password?: string;
    token?: string;
  }>(ctx);
  let token: string;
  if (body.token && !body.username) {
    d.sessions.verify(body.token);
    token = body.token;
  } else if (
    body.username === d.admin.username &&
    body.password === d.admin.password
  ) {
    token = d.sessions.issue(body.username);
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

function deleteSession(d: ApiDeps, ctx: Ctx) {
  d.sessions.revoke(Sessions.tokenOf(ctx.req));
  sendJson(
    ctx.res,
    200,
    { token: '' },
    { 'set-cookie': 'argocd.token=; path=/; Max-Age=0' },
  );
}

/** The caller's claims when it sent a valid token (these routes need none). */
function optionalClaims(d: ApiDeps, ctx: Ctx): Claims | undefined {
  try {
    return d.sessions.verify(Sessions.tokenOf(ctx.req));
  } catch {
    return undefined;
  }
}

function userInfo(d: ApiDeps, ctx: Ctx) {
  const claims = optionalClaims(d, ctx);
  sendJson(
    ctx.res,
    200,
    claims
      ? { loggedIn: true, username: claims.sub, iss: 'argocd', groups: [] }
      : { loggedIn: false },
  );
}

function version(d: ApiDeps, ctx: Ctx) {
  if (!optionalClaims(d, ctx)) {
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
