/*
 * Readable failures. A scaffolder step that fails for good shows its error
 * in the task log as `String(err.stack)`; the clients' errors (AWS SDK
 * ServiceExceptions, Octokit RequestErrors, Argo CD answers) carry stacks
 * through node_modules and details meant for operators. Here a failure is
 * classified once: which upstream, which operation, what it answered, how
 * many attempts the retry budget spent, and what the user can do about it.
 * The task log gets one line; the backend log gets everything.
 */

import {
  AuthenticationError,
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { JsonObject } from '@backstage/types';

/**
 * A failed upstream call, as the task log names it:
 * `<upstream> <operation> failed: <answer> (after <attempts> attempts)`.
 *
 * @public
 */
export interface UpstreamFailure {
  /** `AWS ECR`, `GitHub`, `Argo CD 'main'`. */
  upstream: string;
  /** `CreateRepository`, `POST /repos/acme/orders/git/trees`, `ApplicationService_Create`. */
  operation: string;
  /** The HTTP status, when there was an answer. */
  status?: number;
  /** The upstream's error code (`ThrottlingException`). */
  code?: string;
  /** The upstream's own words, one line, without query strings or credentials. */
  detail?: string;
  /** How many times the call was sent (the retry budget spent). */
  attempts?: number;
}

/** Where a client records what it knows about a failed call. */
const CALL = Symbol.for('slipway.upstreamCall');

/**
 * Records on an error which upstream call failed (the clients call this
 * where they know the service and operation), and returns the error. The
 * record is not enumerable: it never reaches serialized errors.
 *
 * @public
 */
export function markUpstreamCall<E>(
  error: E,
  call: Partial<UpstreamFailure> & { upstream: string; operation: string },
): E {
  if (error && typeof error === 'object' && !(CALL in error)) {
    Object.defineProperty(error, CALL, { value: call, enumerable: false });
  }
  return error;
}

/**
 * Attaches the client error a Slipway error was made from as its `cause`
 * (without the "; caused by" text Backstage's constructors would add to the
 * message), so the failure can still be classified. Returns `error`.
 *
 * @public
 */
export function withCause<E extends Error>(error: E, cause: unknown): E {
  if (cause !== undefined && (error as { cause?: unknown }).cause === undefined)
    Object.defineProperty(error, 'cause', {
      value: cause,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  return error;
}

/** An AWS SDK v3 ServiceException, as far as classification needs it. */
interface SdkError {
  name: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** An Octokit RequestError, as far as classification needs it. */
interface OctokitError {
  status: number;
  message?: string;
  request: {
    method?: string;
    url?: string;
    request?: { retryCount?: number };
  };
  response?: { data?: { message?: string } };
}

function isSdkError(e: unknown): e is SdkError {
  const x = e as SdkError;
  return !!x && typeof x === 'object' && !!x.$metadata && !!x.$fault;
}

function isOctokitError(e: unknown): e is OctokitError {
  const x = e as OctokitError;
  return (
    !!x &&
    typeof x === 'object' &&
    typeof x.status === 'number' &&
    !!x.request &&
    typeof x.request.url === 'string'
  );
}

/** The error and its causes, outermost first (at most 8). */
function chainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let e: unknown = error;
    e && typeof e === 'object' && chain.length < 8 && !chain.includes(e);
    e = (e as { cause?: unknown }).cause
  ) {
    chain.push(e);
  }
  return chain;
}

/** Query strings, credentials in text, and line breaks removed; capped. */
export function cleanDetail(text: string, max = 300): string {
  const one = text
    .replace(/(https?:\/\/[^\s?#]+)[?#]\S*/g, '$1')
    .replace(
      /\b(authorization|token|password|secret|x-amz-security-token)(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi,
      '$1$2***',
    )
    .replace(/\bBearer\s+\S+/gi, 'Bearer ***')
    // Octokit ends its messages with a link to GitHub's documentation.
    .replace(/\s+-\s+https:\/\/docs\.github\.com\S*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** A request URL's path: no query string, no GitHub Enterprise API prefix, decoded. */
function pathOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split(/[?#]/)[0];
  }
  path = path.replace(/^\/api\/v3(?=\/)/, '');
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * What a failure says about the upstream call behind it: the record a
 * client left (see {@link markUpstreamCall}) on the error or one of its
 * causes, completed from the AWS SDK or Octokit error found in the chain.
 * Undefined for Slipway's own errors (its checks and refusals).
 *
 * @public
 */
export function upstreamFailureOf(error: unknown): UpstreamFailure | undefined {
  const chain = chainOf(error);
  const marked = chain
    .map(e => (e as { [CALL]?: UpstreamFailure })[CALL])
    .find(Boolean);
  const sdk = chain.find(isSdkError);
  const octokit = chain.find(isOctokitError);

  let raw: Partial<UpstreamFailure> = {};
  if (sdk) {
    raw = {
      upstream: 'AWS',
      operation: 'call',
      status: sdk.$metadata?.httpStatusCode,
      code: sdk.name,
      detail: sdk.message ? cleanDetail(sdk.message) : undefined,
      attempts: sdk.$metadata?.attempts,
    };
  } else if (octokit) {
    const retries = octokit.request.request?.retryCount;
    raw = {
      upstream: 'GitHub',
      operation: `${(octokit.request.method ?? 'GET').toUpperCase()} ${pathOf(
        octokit.request.url ?? '',
      )}`,
      status: octokit.status,
      detail: cleanDetail(
        octokit.response?.data?.message ?? octokit.message ?? '',
      ),
      attempts: retries === undefined ? undefined : retries + 1,
    };
  }
  if (!marked && !raw.upstream) return undefined;
  const merged = { ...raw, ...definedOnly(marked ?? {}) } as UpstreamFailure;
  if (merged.detail) merged.detail = cleanDetail(merged.detail);
  return merged;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** Error codes and statuses a later attempt may get past. */
function isTransient(f: UpstreamFailure): boolean {
  if (
    f.code &&
    /Throttl|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalFailure|Timeout/i.test(
      f.code,
    )
  )
    return true;
  return f.status === undefined || f.status === 429 || f.status >= 500;
}

type Kind =
  | 'transient'
  | 'credentials'
  | 'denied'
  | 'missing'
  | 'conflict'
  | 'input'
  | 'other';

function kindOf(f: UpstreamFailure): Kind {
  const code = f.code ?? '';
  if (/AccessDenied|Unauthorized(Operation)?$/i.test(code)) return 'denied';
  if (
    /InvalidClientTokenId|UnrecognizedClient|ExpiredToken|InvalidSignature|SignatureDoesNotMatch/i.test(
      code,
    )
  )
    return 'credentials';
  if (isTransient(f)) return 'transient';
  if (f.status === 401) return 'credentials';
  if (f.status === 403) return 'denied';
  if (f.status === 404 || /NotFound|NoSuchEntity/.test(code)) return 'missing';
  if (
    f.status === 409 ||
    f.status === 422 ||
    /AlreadyExists|Conflict/.test(code)
  )
    return 'conflict';
  if (f.status === 400) return 'input';
  return 'other';
}

const ADVICE: Record<Kind, string> = {
  transient: 'Retry the task: it resumes at this step.',
  credentials:
    "Slipway's credentials were refused: ask the portal's administrators to check them, then Retry the task.",
  denied:
    "Slipway's account may not do this: ask the portal's administrators to grant it, then Retry the task.",
  missing:
    'Check that it exists and that Slipway can see it, then Retry the task.',
  conflict:
    'Resolve the conflict (or decommission the service), then Retry the task.',
  input: 'Correct the values and start a new run.',
  other:
    "Retry the task: it resumes at this step; if it fails again, ask the portal's administrators (the backend log has the details).",
};

const CLASS_OF_KIND: Partial<
  Record<Kind, new (message: string) => CustomErrorBase>
> = {
  transient: ServiceUnavailableError,
  credentials: AuthenticationError,
  denied: NotAllowedError,
  missing: NotFoundError,
  conflict: ConflictError,
  input: InputError,
};

/** The one line the task log shows for a failed upstream call. */
export function formatUpstreamFailure(f: UpstreamFailure): string {
  const answer =
    f.code && f.detail && f.detail !== f.code
      ? `${f.code}: ${f.detail}`
      : f.code ??
        (f.status
          ? `HTTP ${f.status}${
              f.detail && f.detail !== `HTTP ${f.status}` ? `: ${f.detail}` : ''
            }`
          : f.detail || 'no answer');
  const attempts =
    f.attempts && f.attempts > 1 ? ` (after ${f.attempts} attempts)` : '';
  return `${f.upstream} ${f.operation} failed: ${answer.replace(
    /\.$/,
    '',
  )}${attempts}. ${ADVICE[kindOf(f)]}`;
}

/** Backstage's error classes, by name: a readable failure keeps its class. */
const BACKSTAGE_ERRORS: Record<string, new (message: string) => Error> = {
  InputError,
  AuthenticationError,
  NotAllowedError,
  NotFoundError,
  ConflictError,
  ServiceUnavailableError,
};

/** A message whose every line is a sentence for the task log: no stack frames. */
function readableLines(message: string): string {
  return message
    .split('\n')
    .filter(l => !/^\s+at\s/.test(l))
    .join('\n')
    .trim();
}

/**
 * The error a failed step rethrows, for the task log: the same Backstage
 * error class (InputError stays InputError, NotAllowedError stays
 * NotAllowedError), a message naming the upstream, the operation and what
 * to do, and a stack that is only `<name>: <message>`.
 *
 * - A failed upstream call: `AWS ECR CreateRepository failed:
 *   ThrottlingException: Rate exceeded (after 8 attempts). Retry the task:
 *   it resumes at this step.` A client error that is not a Backstage error
 *   becomes the Backstage class of its kind (ServiceUnavailableError for
 *   throttling and 5xx, NotAllowedError for 403...).
 * - Slipway's own errors (its checks and refusals) keep their message.
 * - Anything else: `<action> failed: <first line>. ...` with what to do.
 *
 * @public
 */
export function readableFailure(
  error: unknown,
  context: { action: string; taskId?: string },
): Error {
  const e = (error ?? {}) as { name?: string; message?: string };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const upstream = upstreamFailureOf(error);
  let Class: new (message: string) => Error = BACKSTAGE_ERRORS[name] ?? Error;
  let message: string;
  if (upstream) {
    message = formatUpstreamFailure(upstream);
    if (!BACKSTAGE_ERRORS[name])
      Class = CLASS_OF_KIND[kindOf(upstream)] ?? Error;
  } else if (BACKSTAGE_ERRORS[name]) {
    message = readableLines(String(e.message ?? ''));
  } else {
    const first = cleanDetail(String(e.message ?? error).split('\n')[0]);
    message = `${context.action} failed: ${first.replace(
      /\.$/,
      '',
    )}. ${ADVICE.other.replace(
      'the backend log has the details',
      `the backend log has the details${
        context.taskId ? ` under task ${context.taskId}` : ''
      }`,
    )}`;
  }
  const out = new Class(message);
  if (
    out.name === 'Error' &&
    name !== 'Error' &&
    !upstream &&
    BACKSTAGE_ERRORS[name]
  )
    out.name = name;
  Object.defineProperty(out, 'stack', {
    value: `${out.name}: ${out.message}`,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return out;
}

/**
 * Everything about a failure, for the backend log: each error of the cause
 * chain (name, message, stack), the upstream call and its request id;
 * never request headers, bodies or credentials.
 *
 * @public
 */
export function failureDetails(error: unknown): JsonObject {
  const chain = chainOf(error).map(e => {
    const x = e as Error & SdkError & Partial<OctokitError>;
    const entry: JsonObject = {
      name: String(x.name ?? 'Error'),
      message: cleanDetail(String(x.message ?? ''), 2000),
    };
    if (typeof x.stack === 'string') entry.stack = x.stack;
    if (isSdkError(x)) {
      const m = x.$metadata as Record<string, unknown>;
      entry.aws = definedOnly({
        httpStatusCode: m.httpStatusCode as number | undefined,
        requestId: m.requestId as string | undefined,
        attempts: m.attempts as number | undefined,
        totalRetryDelay: m.totalRetryDelay as number | undefined,
      }) as JsonObject;
    }
    if (isOctokitError(x)) {
      entry.github = {
        status: x.status,
        method: x.request.method ?? 'GET',
        path: pathOf(x.request.url ?? ''),
      };
    }
    return entry;
  });
  const upstream = upstreamFailureOf(error);
  return {
    ...(upstream ? { upstream: definedOnly(upstream) as JsonObject } : {}),
    errors: chain.length ? chain : [{ message: String(error) }],
  };
}
