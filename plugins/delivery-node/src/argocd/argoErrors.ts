/*
 * Argo CD's answers as errors: each failed request becomes one of
 * @backstage/errors' classes naming the instance and the application,
 * never a credential; and the operation id each request is counted under.
 */

import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/** Argo CD's error body (grpc-gateway's runtimeError). */
interface RuntimeError {
  error?: string;
  code?: number;
  message?: string;
}

/**
 * The error for a failed answer: gRPC codes and HTTP statuses mapped to
 * @backstage/errors, the credentials in `secrets` redacted.
 */
export async function argoError(
  res: Response,
  opts: {
    instance: string;
    what: string;
    app: string | undefined;
    secrets: Array<string | undefined>;
  },
): Promise<Error> {
  const { app, what } = opts;
  let body: RuntimeError = {};
  try {
    body = (await res.json()) as RuntimeError;
  } catch {
    // not JSON; the status says enough
  }
  const detail = redact(
    body.message || body.error || res.statusText || `HTTP ${res.status}`,
    opts.secrets,
  );
  const subject = app ? `application '${app}'` : what;
  const message = `Argo CD '${opts.instance}': ${subject}: ${detail}`;
  // gRPC codes: 5 NotFound, 6 AlreadyExists, 7 PermissionDenied, 16 Unauthenticated.
  if (res.status === 404 || body.code === 5) return new NotFoundError(message);
  if (res.status === 403 || body.code === 7) {
    // Argo CD v3 answers "permission denied" for an application that does
    // not exist (so names cannot be probed); for Slipway that is not found.
    if (app && /permission denied/i.test(detail)) {
      return new NotFoundError(
        `Argo CD '${opts.instance}': application '${app}' not found (or not visible to Slipway's account)`,
      );
    }
    return new NotAllowedError(message);
  }
  if (res.status === 401 || body.code === 16)
    return new AuthenticationError(message);
  if (res.status === 409 || body.code === 6) return new ConflictError(message);
  if (
    res.status === 400 &&
    /existing application spec is different/i.test(detail)
  )
    return new ConflictError(message);
  if (res.status === 400) return new InputError(message);
  if (res.status === 429 || res.status >= 500)
    return new ServiceUnavailableError(message);
  return new Error(message);
}

/** The operation id of Argo CD's API description for a request. */
export function operationOf(method: string, path: string): string {
  const rest = path.replace(/^\/api\/v1\//, '');
  if (rest === 'session') return 'SessionService_Create';
  if (rest === 'applications')
    return method === 'POST'
      ? 'ApplicationService_Create'
      : 'ApplicationService_List';
  if (rest.endsWith('/resource-tree')) return 'ApplicationService_ResourceTree';
  if (rest.endsWith('/resource/actions/v2'))
    return 'ApplicationService_RunResourceActionV2';
  if (rest.endsWith('/resource/actions'))
    return 'ApplicationService_ListResourceActions';
  if (rest.endsWith('/resource')) return 'ApplicationService_GetResource';
  if (rest.endsWith('/events')) return 'ApplicationService_ListResourceEvents';
  if (/\/revisions\/[^/]+\/metadata$/.test(rest))
    return 'ApplicationService_RevisionMetadata';
  if (rest.endsWith('/sync')) return 'ApplicationService_Sync';
  const verb: Record<string, string> = {
    GET: 'Get',
    PUT: 'Update',
    DELETE: 'Delete',
  };
  return `ApplicationService_${verb[method] ?? method}`;
}

/**
 * Argo CD says an object is not (any more) part of the application: 404,
 * or 400 (code 3) "<name> not found as part of application <app>".
 */
export function isGone(e: unknown): boolean {
  const { name, message } = e as Error;
  return (
    name === 'NotFoundError' ||
    (name === 'InputError' && /not found as part of application/.test(message))
  );
}

function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
