/*
 * Sessions: Argo CD issues HS256 JWTs from POST /api/v1/session and accepts
 * them as `Authorization: Bearer` or the `argocd.token` cookie. The sandbox
 * signs its tokens with a per-data-folder key and also remembers each one,
 * so DELETE /api/v1/session can revoke it.
 */

import crypto from 'node:crypto';
import http from 'node:http';
import { StateFile } from '../state';
import { grpcError, GrpcCode } from './errors';
import { ArgoState } from './store';

const TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** Who a valid token belongs to. */
export interface Claims {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
}

const b64 = (v: unknown) =>
  Buffer.from(JSON.stringify(v)).toString('base64url');

function sign(secret: string, data: string) {
  return crypto.createHmac('sha256', secret).update(data).digest('base64url');
}

/** Issues and checks session tokens. */
export class Sessions {
  constructor(
    private readonly state: StateFile<ArgoState>,
    private readonly clock: () => Date,
  ) {}

  issue(subject: string): string {
    const iat = Math.floor(this.clock().getTime() / 1000);
    const claims: Claims = {
      iss: 'argocd',
      sub: subject,
      jti: crypto.randomUUID(),
      iat,
      exp: iat + TOKEN_TTL_SECONDS,
    };
    const data = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
      ...claims,
      nbf: iat,
    })}`;
    const token = `${data}.${sign(this.state.data.secret, data)}`;
    this.state.update(s => {
      // Forget expired tokens while we are here.
      for (const [jti, t] of Object.entries(s.tokens)) {
        if (t.exp < iat) delete s.tokens[jti];
      }
      s.tokens[claims.jti] = { sub: subject, iat, exp: claims.exp };
    });
    return token;
  }

  /** The token a request carries (bearer header first, then the cookie). */
  static tokenOf(req: http.IncomingMessage): string | undefined {
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (m) return m[1].trim();
    }
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [k, ...rest] = part.trim().split('=');
      if (k === 'argocd.token' && rest.length)
        return decodeURIComponent(rest.join('='));
    }
    return undefined;
  }

  /** The claims of a valid token; throws Unauthenticated otherwise. */
  verify(token: string | undefined): Claims {
    if (!token)
      throw grpcError(GrpcCode.Unauthenticated, 'no session information');
    const invalid = (why: string) =>
      grpcError(GrpcCode.Unauthenticated, `invalid session: ${why}`);
    const parts = token.split('.');
    if (parts.length !== 3)
      throw invalid('token contains an invalid number of segments');
    const expected = sign(this.state.data.secret, `${parts[0]}.${parts[1]}`);
    const a = Buffer.from(parts[2]);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
      throw invalid('token signature is invalid: signature is invalid');
    }
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw invalid('token is malformed');
    }
    const now = Math.floor(this.clock().getTime() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < now) {
      throw invalid('token has invalid claims: token is expired');
    }
    if (!this.state.data.tokens[claims.jti]) throw invalid('token is revoked');
    return claims;
  }

  revoke(token: string | undefined) {
    if (!token) return;
    try {
      const claims = this.verify(token);
      this.state.update(s => {
        delete s.tokens[claims.jti];
      });
    } catch {
      // revoking an invalid token is a no-op, as in Argo CD
    }
  }
}
