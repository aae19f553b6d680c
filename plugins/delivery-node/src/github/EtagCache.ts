/** One remembered answer: its ETag and the parsed body. */
export interface EtagEntry {
  etag: string;
  data: unknown;
}

/**
 * A bounded least-recently-used map from request URL to the last answer
 * and its ETag, for conditional requests. A Map keeps insertion order, so
 * the first key is the least recently used one.
 */
export class EtagCache {
  readonly #max: number;
  readonly #entries = new Map<string, EtagEntry>();

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new Error(
        `The ETag cache needs a positive integer size (got ${maxEntries})`,
      );
    }
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `key`, marked as just used. */
  get(key: string): EtagEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: EtagEntry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
