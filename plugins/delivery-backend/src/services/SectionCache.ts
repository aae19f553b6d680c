import type {
  Section,
  SectionError,
} from '@internal/backstage-plugin-delivery-common';

/** Settings of a {@link SectionCache}. */
export interface SectionCacheOptions {
  /** How long a good answer is served without asking the upstream again. */
  ttlMs: number;
  /** How long a failure is remembered before the upstream is asked again. */
  failureTtlMs: number;
  /** How long a good answer may be served as stale while its upstream fails. */
  staleMaxMs: number;
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
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

interface Entry {
  key: CacheKey;
  value?: unknown;
  fetchedAt?: number;
  /** After a failure: when the upstream may be asked again. */
  retryAfter: number;
  failure?: SectionError;
  inflight?: Promise<Section<unknown>>;
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
 * makes at most one upstream load per TTL, however many requests arrive:
 * concurrent requests share the load in flight, later ones get the cached
 * answer. When a load fails, the last good answer is served marked `stale`
 * (for up to `staleMaxMs`) with the failure and since when it has been
 * failing; the failure itself is remembered for `failureTtlMs` so an outage
 * does not turn every page view into another upstream call.
 */
export class SectionCache {
  readonly #o: SectionCacheOptions;
  readonly #entries = new Map<string, Entry>();
  #loads = 0;

  constructor(options: SectionCacheOptions) {
    this.#o = options;
  }

  /** Upstream loads started so far (for tests and benches). */
  get loads(): number {
    return this.#loads;
  }

  /** Forgets every entry of an entity. */
  invalidate(entityRef: string): void {
    this.invalidateWhere(key => key.entityRef === entityRef);
  }

  /** The keys cached now. */
  keys(): CacheKey[] {
    return [...this.#entries.values()].map(e => e.key);
  }

  /** Forgets every entry whose key matches; returns the keys forgotten. */
  invalidateWhere(matches: (key: CacheKey) => boolean): CacheKey[] {
    const gone: CacheKey[] = [];
    for (const [id, entry] of [...this.#entries]) {
      if (matches(entry.key)) {
        this.#entries.delete(id);
        gone.push(entry.key);
      }
    }
    return gone;
  }

  /**
   * The section for `key`, loading it with `load` when the cache cannot
   * answer. `ttlMs` overrides the TTL for this read: a good answer older
   * than it is loaded again (a shorter TTL while a change is in motion).
   */
  async get<T>(
    key: CacheKey,
    load: () => Promise<T>,
    options: { ttlMs?: number } = {},
  ): Promise<Section<T>> {
    const now = this.#now();
    const id = serialize(key);
    const entry = this.#entries.get(id);
    if (entry) {
      // Least recently used order: re-insert on every use.
      this.#entries.delete(id);
      this.#entries.set(id, entry);
      if (entry.inflight) return entry.inflight as Promise<Section<T>>;
      const fresh = entry.failure
        ? now < entry.retryAfter
        : entry.fetchedAt !== undefined &&
          now - entry.fetchedAt < (options.ttlMs ?? this.#o.ttlMs);
      if (fresh) return this.#answer<T>(entry, now);
    }
    const current: Entry = entry ?? { key, retryAfter: 0 };
    const inflight = this.#load(current, load);
    current.inflight = inflight;
    this.#entries.set(id, current);
    this.#evict();
    return inflight;
  }

  async #load<T>(entry: Entry, load: () => Promise<T>): Promise<Section<T>> {
    this.#loads++;
    try {
      const value = await load();
      const now = this.#now();
      entry.value = value;
      entry.fetchedAt = now;
      entry.failure = undefined;
    } catch (e) {
      const now = this.#now();
      entry.failure = {
        ...SectionLoadError.from(e).sectionError,
        since: entry.failure?.since ?? new Date(now).toISOString(),
      };
      entry.retryAfter = now + this.#o.failureTtlMs;
    } finally {
      entry.inflight = undefined;
    }
    return this.#answer<T>(entry, this.#now());
  }

  #answer<T>(entry: Entry, now: number): Section<T> {
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

  #evict() {
    while (this.#entries.size > this.#o.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) return;
      this.#entries.delete(oldest);
    }
  }

  #now() {
    return (this.#o.now ?? Date.now)();
  }
}
