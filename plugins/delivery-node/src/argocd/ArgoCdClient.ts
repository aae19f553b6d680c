import {
  AuthenticationError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ArgoApplication,
  ArgoApplicationTree,
  ArgoEvent,
  ArgoResourceAction,
  ArgoResourceRef,
  ArgoRevisionMetadata,
} from './types';
import { argoError, isGone, operationOf } from './argoErrors';
import { markUpstreamCall } from '../retry/failures';
import { jitteredDelay, noteRetry } from '../retry/progress';

/** One Argo CD instance, as configured under argocd.appLocatorMethods. @public */
export interface ArgoCdInstanceConfig {
  name: string;
  /** Base URL of the Argo CD server (API and UI), no trailing slash. */
  url: string;
  /** An API token (used as is). */
  token?: string;
  /** A local account, exchanged for a session token on first use. */
  username?: string;
  password?: string;
}

/** How to build an {@link ArgoCdClient}. @public */
export interface ArgoCdClientOptions {
  instance: ArgoCdInstanceConfig;
  fetch?: typeof fetch;
  /** How long a session token that is not a JWT is reused. Default 600 s. */
  sessionTtlSeconds?: number;
  /** Each request is aborted after this long. Default 15 000 ms. */
  timeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

type Query = Record<string, string | boolean | undefined>;

/** Seconds before a JWT's `exp` when a cached token is dropped. */
const EXPIRY_SKEW_SECONDS = 60;
/** Most sends of one request on 429 and 502-504 (the budget per call). */
const RETRY_ATTEMPTS = 4;

/**
 * A client for one Argo CD instance's REST API (v3). Session tokens are
 * fetched once and reused until they expire (a JWT's `exp`, else a
 * configured TTL); a 401 drops the cached token and retries once. Errors
 * come back as @backstage/errors classes naming the instance and the
 * application, never carrying a credential.
 *
 * @public
 */
export class ArgoCdClient {
  readonly name: string;
  readonly url: string;
  readonly #instance: ArgoCdInstanceConfig;
  readonly #baseFetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #session?: { token: string; expiresAt: number };
  #login?: Promise<string>;

  constructor(options: ArgoCdClientOptions) {
    const { instance } = options;
    if (!instance.token && !(instance.username && instance.password)) {
      throw new InputError(
        `Argo CD instance '${instance.name}' needs a token, or a username and password`,
      );
    }
    this.#instance = instance;
    this.name = instance.name;
    this.url = instance.url.replace(/\/+$/, '');
    this.#baseFetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#ttlMs = (options.sessionTtlSeconds ?? 600) * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The Argo CD UI page of an application. */
  applicationUrl(name: string, appNamespace = 'argocd'): string {
    return `${this.url}/applications/${encodeURIComponent(
      appNamespace,
    )}/${encodeURIComponent(name)}`;
  }

  async getApplication(
    name: string,
    options: { refresh?: 'normal' | 'hard' } = {},
  ): Promise<ArgoApplication> {
    return this.#request('GET', `/api/v1/applications/${enc(name)}`, {
      app: name,
      query: { refresh: options.refresh },
    });
  }

  /** The application, or undefined when Argo CD says it does not exist. */
  async findApplication(name: string): Promise<ArgoApplication | undefined> {
    try {
      return await this.getApplication(name);
    } catch (e) {
      if ((e as Error).name === 'NotFoundError') return undefined;
      throw e;
    }
  }

  async createApplication(
    app: ArgoApplication,
    options: { upsert?: boolean; validate?: boolean } = {},
  ): Promise<ArgoApplication> {
    return this.#request('POST', '/api/v1/applications', {
      app: app.metadata.name,
      body: app,
      query: { upsert: options.upsert ?? false, validate: options.validate },
    });
  }

  async updateApplication(
    app: ArgoApplication,
    options: { validate?: boolean } = {},
  ): Promise<ArgoApplication> {
    const name = app.metadata.name ?? '';
    return this.#request('PUT', `/api/v1/applications/${enc(name)}`, {
      app: name,
      body: app,
      query: { validate: options.validate },
    });
  }

  async deleteApplication(
    name: string,
    options: { cascade?: boolean } = {},
  ): Promise<void> {
    await this.#request('DELETE', `/api/v1/applications/${enc(name)}`, {
      app: name,
      query: { cascade: options.cascade ?? true },
    });
  }

  async listApplications(
    options: { selector?: string; project?: string } = {},
  ): Promise<ArgoApplication[]> {
    const list = await this.#request<{ items?: ArgoApplication[] | null }>(
      'GET',
      '/api/v1/applications',
      { query: { selector: options.selector, projects: options.project } },
    );
    return list.items ?? [];
  }

  async getResourceTree(name: string): Promise<ArgoApplicationTree> {
    return this.#request(
      'GET',
      `/api/v1/applications/${enc(name)}/resource-tree`,
      { app: name },
    );
  }

  /**
   * One live object of the application, with its status, as Argo CD's
   * cache holds it (GetResource). Undefined when the application does not
   * hold it (any more).
   */
  async getResource<T = Record<string, unknown>>(
    name: string,
    ref: ArgoResourceRef,
  ): Promise<T | undefined> {
    try {
      const res = await this.#request<{ manifest?: string }>(
        'GET',
        `/api/v1/applications/${enc(name)}/resource`,
        { app: name, query: resourceQuery(ref) },
      );
      return res.manifest ? (JSON.parse(res.manifest) as T) : undefined;
    } catch (e) {
      if (isGone(e)) return undefined;
      throw e;
    }
  }

  /** The actions Argo CD offers on one object, enabled or not (ListResourceActions). */
  async listResourceActions(
    name: string,
    ref: ArgoResourceRef,
  ): Promise<ArgoResourceAction[]> {
    const res = await this.#request<{ actions?: ArgoResourceAction[] | null }>(
      'GET',
      `/api/v1/applications/${enc(name)}/resource/actions`,
      { app: name, query: resourceQuery(ref) },
    );
    return res.actions ?? [];
  }

  /**
   * Runs a resource action (Argo CD's Lua for the object's kind, e.g. a
   * Rollout's resume or abort) with the client's own token
   * (RunResourceActionV2). Never repeated on a transient answer: the
   * caller decides whether to try again.
   */
  async runResourceAction(
    name: string,
    ref: ArgoResourceRef,
    action: string,
  ): Promise<void> {
    await this.#request(
      'POST',
      `/api/v1/applications/${enc(name)}/resource/actions/v2`,
      {
        app: name,
        body: {
          name,
          namespace: ref.namespace,
          resourceName: ref.name,
          version: ref.version,
          group: ref.group,
          kind: ref.kind,
          action,
        },
      },
    );
  }

  /**
   * Kubernetes events (ListResourceEvents): the application's own, or one
   * object's (Argo CD finds it by name, namespace and uid); none when the
   * object is gone.
   */
  async listEvents(
    name: string,
    options: {
      resourceName?: string;
      resourceNamespace?: string;
      resourceUID?: string;
    } = {},
  ): Promise<ArgoEvent[]> {
    try {
      const list = await this.#request<{ items?: ArgoEvent[] | null }>(
        'GET',
        `/api/v1/applications/${enc(name)}/events`,
        { app: name, query: { ...options } },
      );
      return list.items ?? [];
    } catch (e) {
      // The object went between the tree and this read (a pod replaced).
      if (options.resourceName && isGone(e)) return [];
      throw e;
    }
  }

  async getRevisionMetadata(
    name: string,
    revision: string,
  ): Promise<ArgoRevisionMetadata> {
    return this.#request(
      'GET',
      `/api/v1/applications/${enc(name)}/revisions/${enc(revision)}/metadata`,
      { app: name },
    );
  }

  async sync(
    name: string,
    options: { revision?: string; prune?: boolean; dryRun?: boolean } = {},
  ): Promise<ArgoApplication> {
    return this.#request('POST', `/api/v1/applications/${enc(name)}/sync`, {
      app: name,
      body: { name, ...options },
    });
  }

  async #token(): Promise<string> {
    if (this.#instance.token) return this.#instance.token;
    if (this.#session && this.#session.expiresAt > this.#now()) {
      return this.#session.token;
    }
    // Concurrent callers share one login.
    this.#login ??= this.#createSession().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  /**
   * One HTTP request, aborted after the client's timeout (and when the
   * caller's signal aborts); a timeout is a ServiceUnavailableError.
   */
  async #fetch(url: string | URL, init: RequestInit): Promise<Response> {
    const signal = AbortSignal.any(
      [AbortSignal.timeout(this.#timeoutMs), init.signal].filter(
        (x): x is AbortSignal => !!x,
      ),
    );
    try {
      return await this.#baseFetch(url, { ...init, signal });
    } catch (e) {
      if ((e as Error)?.name === 'TimeoutError') {
        throw new ServiceUnavailableError(
          `Argo CD '${this.name}' did not answer within ${
            this.#timeoutMs / 1000
          } s`,
        );
      }
      throw e;
    }
  }

  async #createSession(): Promise<string> {
    const res = await this.#fetch(`${this.url}/api/v1/session`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        username: this.#instance.username,
        password: this.#instance.password,
      }),
    });
    if (!res.ok) {
      const error = await this.#error(res, 'signing in', undefined);
      throw markUpstreamCall(error, {
        upstream: `Argo CD '${this.name}'`,
        operation: 'SessionService_Create',
        status: res.status,
        detail: error.message.replace(/^Argo CD '[^']*': /, ''),
      });
    }
    const { token } = (await res.json()) as { token?: string };
    if (!token) {
      throw new AuthenticationError(
        `Argo CD '${this.name}' answered the sign-in without a token`,
      );
    }
    this.#session = { token, expiresAt: this.#expiry(token) };
    return token;
  }

  /** When to stop reusing a token: its JWT `exp` (minus a minute), else now + TTL. */
  #expiry(token: string): number {
    const parts = token.split('.');
    if (parts.length === 3) {
      try {
        const claims = JSON.parse(
          Buffer.from(parts[1], 'base64url').toString('utf8'),
        );
        if (typeof claims.exp === 'number') {
          return (claims.exp - EXPIRY_SKEW_SECONDS) * 1000;
        }
      } catch {
        // not a JWT after all
      }
    }
    return this.#now() + this.#ttlMs;
  }

  /**
   * Sends a request, again on 429 and 502-504 (and a dropped connection) with
   * full-jitter backoff, at most RETRY_ATTEMPTS times, for the methods that
   * are safe to repeat (GET, PUT, DELETE; POST creates are repeated by the
   * step, whose own checks make them safe). Each retry is a progress line.
   */
  async #sendWithRetries(
    method: string,
    url: URL,
    send: () => Promise<Response>,
    sent: { attempts: number } = { attempts: 0 },
  ): Promise<Response> {
    const repeatable = method !== 'POST';
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      let failure: unknown;
      sent.attempts += 1;
      try {
        res = await send();
      } catch (e) {
        failure = e;
      }
      // A timeout has waited long enough: it fails now (the step's Retry
      // may try again); a dropped connection is tried again.
      const timedOut = failure instanceof ServiceUnavailableError;
      const transient = res
        ? [429, 502, 503, 504].includes(res.status)
        : !timedOut;
      if (!transient || !repeatable || attempt >= RETRY_ATTEMPTS) {
        if (res) return res;
        throw failure;
      }
      await res?.body?.cancel();
      noteRetry(
        `Argo CD '${this.name}' ${method} ${url.pathname} ${
          res ? `answered ${res.status}` : 'did not answer'
        }, retrying ${attempt}/${RETRY_ATTEMPTS - 1}`,
      );
      await new Promise(r =>
        setTimeout(r, jitteredDelay(attempt, { baseMs: 200, capMs: 3000 })),
      );
    }
  }

  async #request<T>(
    method: string,
    path: string,
    opts: { app?: string; body?: unknown; query?: Query },
  ): Promise<T> {
    const url = new URL(`${this.url}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const sent = { attempts: 0 };
    const call = {
      upstream: `Argo CD '${this.name}'`,
      operation: operationOf(method, path),
    };
    const send = async (token: string) =>
      this.#sendWithRetries(
        method,
        url,
        () =>
          this.#fetch(url, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(opts.body ? { 'content-type': 'application/json' } : {}),
            },
            body: opts.body ? JSON.stringify(opts.body) : undefined,
          }),
        sent,
      );
    let res: Response;
    try {
      res = await send(await this.#token());
      if (res.status === 401 && !this.#instance.token) {
        // The session expired or was revoked early: sign in again, once.
        await res.body?.cancel();
        this.#session = undefined;
        res = await send(await this.#token());
      }
    } catch (e) {
      // No answer (a timeout, or a connection dropped on every attempt).
      throw markUpstreamCall(e, { ...call, attempts: sent.attempts });
    }
    if (!res.ok) {
      const error = await this.#error(
        res,
        `${method} ${url.pathname}`,
        opts.app,
      );
      throw markUpstreamCall(error, {
        ...call,
        status: res.status,
        attempts: sent.attempts,
        detail: error.message.replace(/^Argo CD '[^']*': /, ''),
      });
    }
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  #error(res: Response, what: string, app: string | undefined) {
    return argoError(res, {
      instance: this.name,
      what,
      app,
      secrets: [
        this.#instance.password,
        this.#instance.token,
        this.#session?.token,
      ],
    });
  }
}

function resourceQuery(ref: ArgoResourceRef): Query {
  return {
    namespace: ref.namespace,
    resourceName: ref.name,
    version: ref.version,
    group: ref.group,
    kind: ref.kind,
  };
}

function enc(v: string) {
  return encodeURIComponent(v);
}
