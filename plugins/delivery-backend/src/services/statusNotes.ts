/*
 * What the delivery status's replicas share besides the cached answers:
 * the scopes an answer belongs to (for invalidation), and the notes a push
 * webhook needs (which entities show which repository, which have a change
 * in motion).
 */

import type { CacheService } from '@backstage/backend-plugin-api';
import type { JsonValue } from '@backstage/types';
import { BRANCH_SECTION, PULLS_SECTION } from './sections';
import type { CacheKey } from './SectionCache';

/** How long a note lasts unless written again: a day. */
const NOTE_TTL_MS = 86400_000;
/**
 * How often a replica writes again a note it wrote already: a shared store
 * that lost it (a Redis failover without persistence, an eviction) has it
 * back within this, not only when it expires.
 */
const REWRITE_MS = 5 * 60_000;

/** helm-charts' scope: chart histories, the branch list and Argo CD sections. */
export const CHARTS_SCOPE = 'helm-charts';
/** The open pull requests of helm-charts (a promotion may add one). */
export const PULLS_SCOPE = 'helm-charts-pulls';

/** The scopes a cached section belongs to (SectionCache's invalidation). */
export function scopesOf(key: CacheKey): string[] {
  const scopes = key.entityRef ? [`entity:${key.entityRef}`] : [];
  if (
    [BRANCH_SECTION, PULLS_SECTION, 'gitops', 'sync', 'runtime'].includes(
      key.section,
    )
  ) {
    scopes.push(CHARTS_SCOPE);
  }
  if (key.section === PULLS_SECTION) scopes.push(PULLS_SCOPE);
  return scopes;
}

/**
 * What replicas tell each other through the store: which entities show
 * which app repository (so a push webhook, delivered to one replica, finds
 * them), the entities shown lately, and which have a change in motion. In
 * this process only when there is no shared store.
 */
export class NoteStore {
  readonly #store?: CacheService;
  readonly #local = new Map<string, JsonValue>();
  /** Notes this process wrote lately: not written again every view. */
  readonly #written = new Map<string, number>();

  constructor(
    store: CacheService | undefined,
    private readonly maxEntities: number,
    private readonly now: () => number,
  ) {
    this.#store = store?.withOptions({ defaultTtl: NOTE_TTL_MS });
  }

  async #get<T extends JsonValue>(key: string): Promise<T | undefined> {
    return this.#store
      ? this.#store.get<T>(key)
      : (this.#local.get(key) as T | undefined);
  }

  async #set(key: string, value: JsonValue): Promise<void> {
    if (this.#store) await this.#store.set(key, value);
    else this.#local.set(key, value);
  }

  /** Adds `ref` to the list under `key` (most recent last, bounded). */
  async #add(key: string, ref: string): Promise<void> {
    const id = `${key} ${ref}`;
    const at = this.#written.get(id);
    if (at !== undefined && this.now() - at < REWRITE_MS) return;
    const list = ((await this.#get<string[]>(key)) ?? []).filter(
      r => r !== ref,
    );
    await this.#set(key, [...list, ref].slice(-this.maxEntities));
    this.#written.set(id, this.now());
    if (this.#written.size > this.maxEntities * 4) this.#written.clear();
  }

  async addReader(repository: string, ref: string): Promise<void> {
    await this.#add(`readers:${repository.toLowerCase()}`, ref);
    await this.#add('entities', ref);
  }

  async readersOf(repository: string): Promise<string[]> {
    return (await this.#get<string[]>(`readers:${repository}`)) ?? [];
  }

  async entities(): Promise<string[]> {
    return (await this.#get<string[]>('entities')) ?? [];
  }

  async isMoving(ref: string): Promise<boolean> {
    return (await this.#get<boolean>(`moving:${ref}`)) === true;
  }

  async setMoving(ref: string, moving: boolean): Promise<void> {
    await this.#set(`moving:${ref}`, moving);
  }
}
