import { randomUUID } from 'node:crypto';
import type { CacheService } from '@backstage/backend-plugin-api';
import type { JsonValue } from '@backstage/types';
import type {
  Section,
  SectionError,
} from '@internal/backstage-plugin-delivery-common';
import type { LoadLeases } from './loadLeases';

/** How often a replica waiting on another's load looks for its answer. */
const LEASE_POLL_MS = 50;

/** Settings of a {@link SectionCache}. */
export interface SectionCacheOptions {
  /** How long a good answer is served without asking the upstream again. */
  ttlMs: number;
  /** How long a failure is remembered before the upstream is asked again. */
  failureTtlMs: number;
  /** How long a good answer may be served as stale while its upstream fails. */
  staleMaxMs: number;
  /** Most entries kept in this process when there is no shared store; the least recently used go first. */
  maxEntries: number;
  /**
   * Where answers live: the plugin's `coreServices.cache` (memory in dev,
   * Redis or Valkey in production), shared by every replica, so that they
   * share answers and invalidations. Default: this process only.
   */
  store?: CacheService;
  /**
   * Prefix of this cache's keys in the store, so caches sharing one store
   * (the sections and the ownership answers) neither read nor invalidate
   * each other's. Default 'sections'.
   */
  name?: string;
  /**
   * The scopes a key belongs to: invalidating a scope forgets every key in
   * it, on every replica. Default: the key's entity (`entity:<ref>`).
   */
  scopesOf?: (key: CacheKey) => string[];
  /**
   * Leases on loads across replicas (the plugin's database): on a miss,
   * the replica holding the lease loads and the others wait up to
   * `leaseMs` for its answer in the store, so N replicas cost the upstream
   * one load per TTL, not N. Default: none (each replica loads on a miss).
   */
  leases?: LoadLeases;
  /** How long a lease lasts, and a waiter waits: the upstream timeout and a margin. */
  leaseMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * What a cached answer is about. Compared field by field: nothing splits a
 * key string to learn which entity or repository an entry belongs to.
 */
export interface CacheKey {
  /** The entity the answer belongs to; absent for answers every entity shares. */
  entityRef?: string;
  /** The section (`source`, `build`, `image`, `sync`, `gitops`) or shared answer. */
  section: string;
  /** The upstream resource read: a repository, a job, an ARN, an application, a chart. */
  resource: string;
}

/** An answer as stored (JSON, in the shared store). */
interface Stored {
  value?: JsonValue;
  fetchedAt?: number;
  /** After a failure: when the upstream may be asked again. */
  retryAfter: number;
  failure?: SectionError;
}

/** The least a store offers: CacheService's get, set with a TTL, delete. */
type Store = Pick<CacheService, 'get' | 'set' | 'delete'>;

/** A store in this process, bounded by entry count (least recently used go first). */
class ProcessStore implements Store {
  readonly #entries = new Map<string, { value: JsonValue; until: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    this.#entries.delete(key);
    if (e.until <= this.now()) return undefined;
    this.#entries.set(key, e);
    return e.value as T;
  }

  async set(key: string, value: JsonValue, options?: { ttl?: unknown }) {
    const ttl = typeof options?.ttl === 'number' ? options.ttl : 3600_000;
    this.#entries.delete(key);
    this.#entries.set(key, { value, until: this.now() + ttl });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) return;
      this.#entries.delete(oldest);
    }
  }

  async delete(key: string) {
    this.#entries.delete(key);
  }
}

/**
 * A load's failure, already phrased for the page: the one error type of
 * the status. Anything else a load throws becomes one through
 * {@link SectionLoadError.from}, once.
 */
export class SectionLoadError extends Error {
  constructor(readonly sectionError: Omit<SectionError, 'since'>) {
    super(sectionError.message);
    this.name = 'SectionLoadError';
  }

  /**
   * `e` as a SectionLoadError: kept when it is one, else an upstream
   * failure (not-found for a NotFoundError) whose message names `upstream`.
   */
  static from(e: unknown, upstream?: string): SectionLoadError {
    if (e instanceof SectionLoadError) return e;
    const err = e as Error | undefined;
    const message = String(err?.message ?? e);
    return new SectionLoadError({
      kind: err?.name === 'NotFoundError' ? 'not-found' : 'upstream',
      message: upstream ? `${upstream}: ${message}` : message,
    });
  }
}

const serialize = (k: CacheKey) =>
  JSON.stringify([k.entityRef ?? null, k.section, k.resource]);

/**
 * Per-key cache of the sections of the delivery status. For one key it
 * makes at most one upstream load per TTL in a process, however many
 * requests arrive: concurrent requests share the load in flight, later
 * ones get the stored answer. Answers live in the store (the plugin's
 * `coreServices.cache`), so every replica serves what one loaded, and an
 * invalidation (a new generation of a scope, in the store) is seen by every
 * replica at its next read. When a load fails, the last good answer is
 * served marked `stale` (for up to `staleMaxMs`) with the failure and since
 * when it has been failing; the failure itself is remembered for
 * `failureTtlMs` so an outage does not turn every page view into another
 * upstream call.
 */
export class SectionCache {
  readonly #o: SectionCacheOptions;
  readonly #store: Store;
  readonly #name: string;
  readonly #inflight = new Map<string, Promise<Section<unknown>>>();
  #loads = 0;

  constructor(options: SectionCacheOptions) {
    this.#o = options;
    this.#name = options.name ?? 'sections';
    this.#store =
      options.store ?? new ProcessStore(options.maxEntries, () => this.#now());
  }

  /** Upstream loads started by this process so far (for tests and benches). */
  get loads(): number {
    return this.#loads;
  }

  /** Forgets every entry of an entity, on every replica. */
  invalidate(entityRef: string): Promise<void> {
    return this.invalidateScope(`entity:${entityRef}`);
  }

  /** Forgets every entry of a scope (see `scopesOf`), on every replica. */
  async invalidateScope(scope: string): Promise<void> {
    // A new generation: keys of the old one are not read again and expire.
    await this.#store.set(`${this.#name}:gen:${scope}`, randomUUID(), {
      ttl: this.#entryTtl() * 2,
    });
  }

  /**
   * The section for `key`, loading it with `load` when the cache cannot
   * answer. `ttlMs` overrides the TTL for this read: a good answer older
   * than it is loaded again (a shorter TTL while a change is in motion).
   */
  get<T>(
    key: CacheKey,
    load: () => Promise<T>,
    options: { ttlMs?: number } = {},
  ): Promise<Section<T>> {
    const local = serialize(key);
    const running = this.#inflight.get(local);
    if (running) return running as Promise<Section<T>>;
    const answer = this.#read(
      key,
      load,
      options.ttlMs ?? this.#o.ttlMs,
    ).finally(() => this.#inflight.delete(local));
    this.#inflight.set(local, answer);
    return answer;
  }

  async #read<T>(
    key: CacheKey,
    load: () => Promise<T>,
    ttlMs: number,
  ): Promise<Section<T>> {
    const id = `${this.#name}:entry:${await this.#generations(key)}:${serialize(
      key,
    )}`;
    const stored = await this.#store.get<Stored & JsonValue>(id);
    if (stored && this.#fresh(stored, ttlMs)) {
      return this.#answer<T>(stored, this.#now());
    }
    const leases = this.#o.leases;
    if (!leases) return this.#load(id, stored, load);
    const leaseMs = this.#o.leaseMs ?? 15_000;
    // A lease failure (the database away) must not cost the page: load.
    const mine = await leases.acquire(id, leaseMs).catch(() => true);
    if (!mine) {
      const theirs = await this.#awaitLoad<T>(id, ttlMs, leaseMs);
      if (theirs) return theirs;
      // Their load did not land within the lease: load here.
    }
    try {
      return await this.#load(id, stored, load);
    } finally {
      if (mine) await leases.release(id).catch(() => {});
    }
  }

  #fresh(stored: Stored, ttlMs: number): boolean {
    const now = this.#now();
    return stored.failure
      ? now < stored.retryAfter
      : stored.fetchedAt !== undefined && now - stored.fetchedAt < ttlMs;
  }

  /** Another replica's answer for `id`, once it is in the store. */
  async #awaitLoad<T>(
    id: string,
    ttlMs: number,
    leaseMs: number,
  ): Promise<Section<T> | undefined> {
    const deadline = Date.now() + leaseMs;
    while (Date.now() < deadline) {
      await new Promise(r => setTimeout(r, LEASE_POLL_MS));
      const stored = await this.#store.get<Stored & JsonValue>(id);
      if (stored && this.#fresh(stored, ttlMs)) {
        return this.#answer<T>(stored, this.#now());
      }
    }
    return undefined;
  }

  /** The generations of the key's scopes, as one string. */
  async #generations(key: CacheKey): Promise<string> {
    const scopes =
      this.#o.scopesOf?.(key) ??
      (key.entityRef ? [`entity:${key.entityRef}`] : []);
    const gens = await Promise.all(
      scopes.map(s => this.#store.get<string>(`${this.#name}:gen:${s}`)),
    );
    return gens.map(g => g ?? '0').join('.');
  }

  async #load<T>(
    id: string,
    before: Stored | undefined,
    load: () => Promise<T>,
  ): Promise<Section<T>> {
    this.#loads++;
    let stored: Stored;
    try {
      const value = (await load()) as unknown as JsonValue;
      stored = { value, fetchedAt: this.#now(), retryAfter: 0 };
    } catch (e) {
      const now = this.#now();
      stored = {
        ...(before?.fetchedAt !== undefined
          ? { value: before.value, fetchedAt: before.fetchedAt }
          : {}),
        failure: {
          ...SectionLoadError.from(e).sectionError,
          since: before?.failure?.since ?? new Date(now).toISOString(),
        },
        retryAfter: now + this.#o.failureTtlMs,
      };
    }
    // JSON only: an undefined field is left out.
    await this.#store.set(id, JSON.parse(JSON.stringify(stored)), {
      ttl: this.#entryTtl(),
    });
    return this.#answer<T>(stored, this.#now());
  }

  /** How long the store keeps an answer: as long as it may be served. */
  #entryTtl() {
    const { ttlMs, failureTtlMs, staleMaxMs } = this.#o;
    return Math.max(ttlMs, failureTtlMs, staleMaxMs) + 60_000;
  }

  #answer<T>(entry: Stored, now: number): Section<T> {
    const fetchedAt =
      entry.fetchedAt === undefined
        ? undefined
        : new Date(entry.fetchedAt).toISOString();
    if (!entry.failure) {
      return { state: 'ok', data: entry.value as T, fetchedAt };
    }
    const usable =
      entry.fetchedAt !== undefined &&
      now - entry.fetchedAt <= this.#o.staleMaxMs &&
      entry.failure.kind === 'upstream';
    if (usable) {
      return {
        state: 'stale',
        data: entry.value as T,
        fetchedAt,
        error: entry.failure,
      };
    }
    return { state: 'error', error: entry.failure };
  }

  #now() {
    return (this.#o.now ?? Date.now)();
  }
}
