import {
  deliveryStatusChannel,
  isInMotion,
  type DeliveryStatus,
} from '@internal/backstage-plugin-delivery-common';
import type { SignalApi } from '@backstage/plugin-signals-react';
import type { DeliveryApi } from '../api';

/** Poll interval while a change is on its way (a hop running or pending, a build running). */
export const ACTIVE_POLL_MS = 5_000;
/** Poll interval when nothing is moving. */
export const IDLE_POLL_MS = 15_000;

/** What the cards of one entity page share. @public */
export interface StatusSnapshot {
  status?: DeliveryStatus;
  /** The last request's failure; cleared by the next success. */
  error?: Error;
  /** True while a request is in flight. */
  loading: boolean;
  /** When `status` arrived (epoch ms). */
  receivedAt?: number;
}

interface Entry {
  snapshot: StatusSnapshot;
  inFlight?: Promise<void>;
  listeners: Set<() => void>;
  timer?: ReturnType<typeof setTimeout>;
  /** The entity's signals channel, while something is subscribed. */
  signal?: { unsubscribe(): void };
  /** A change was signalled while a request was in flight: ask again after it. */
  changed?: boolean;
}

/**
 * One entity page's status, shared by every card and the Delivery tab: one
 * request per refresh however many components subscribe, concurrent
 * refreshes join the request in flight, and polling runs only while
 * something is subscribed. With Backstage's signals, the backend's word
 * that the entity changed (a push, a promote, a rollback) refreshes it at
 * once; polling stays as the fallback.
 */
export class DeliveryStatusStore {
  readonly #api: DeliveryApi;
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #signals?: SignalApi;

  constructor(
    api: DeliveryApi,
    options: { now?: () => number; signals?: SignalApi } = {},
  ) {
    this.#api = api;
    this.#now = options.now ?? Date.now;
    this.#signals = options.signals;
  }

  getSnapshot(entityRef: string): StatusSnapshot {
    return this.#entry(entityRef).snapshot;
  }

  /**
   * Subscribes to an entity's status. The first subscriber fetches unless a
   * recent answer is at hand; the last one to leave stops the polling (the
   * answer is kept for the next mount, e.g. switching to the Delivery tab).
   */
  subscribe(entityRef: string, listener: () => void): () => void {
    const entry = this.#entry(entityRef);
    entry.listeners.add(listener);
    if (entry.listeners.size === 1) {
      entry.signal = this.#signals?.subscribe(
        deliveryStatusChannel(entityRef),
        () => this.#changed(entityRef),
      );
      const age = entry.snapshot.receivedAt
        ? this.#now() - entry.snapshot.receivedAt
        : Infinity;
      const interval = this.#interval(entry);
      if (age >= interval || entry.snapshot.error) {
        this.refresh(entityRef);
      } else if (!entry.inFlight) {
        this.#schedule(entityRef, entry, interval - age);
      }
    }
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0) {
        clearTimeout(entry.timer);
        entry.timer = undefined;
        entry.signal?.unsubscribe();
        entry.signal = undefined;
      }
    };
  }

  /** Fetches now, or joins the request already in flight. */
  refresh(entityRef: string): Promise<void> {
    const entry = this.#entry(entityRef);
    if (entry.inFlight) {
      return entry.inFlight;
    }
    clearTimeout(entry.timer);
    entry.timer = undefined;
    this.#set(entry, { ...entry.snapshot, loading: true });
    entry.inFlight = this.#api.getStatus(entityRef).then(
      status => {
        this.#set(entry, {
          status,
          loading: false,
          receivedAt: this.#now(),
        });
      },
      (error: unknown) => {
        this.#set(entry, {
          ...entry.snapshot,
          loading: false,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      },
    );
    return entry.inFlight.finally(() => {
      entry.inFlight = undefined;
      if (entry.listeners.size === 0) return;
      if (entry.changed) {
        entry.changed = false;
        this.refresh(entityRef);
      } else {
        this.#schedule(entityRef, entry, this.#interval(entry));
      }
    });
  }

  /**
   * The backend signalled a change: fetch now, or, when a request is in
   * flight (it may have been answered before the change), once it ends.
   */
  #changed(entityRef: string) {
    const entry = this.#entry(entityRef);
    if (entry.inFlight) {
      entry.changed = true;
      return;
    }
    this.refresh(entityRef);
  }

  #interval(entry: Entry): number {
    const status = entry.snapshot.status;
    return status && isInMotion(status) ? ACTIVE_POLL_MS : IDLE_POLL_MS;
  }

  #schedule(entityRef: string, entry: Entry, delayMs: number) {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.refresh(entityRef);
    }, delayMs);
  }

  #set(entry: Entry, snapshot: StatusSnapshot) {
    entry.snapshot = snapshot;
    entry.listeners.forEach(listener => listener());
  }

  #entry(entityRef: string): Entry {
    let entry = this.#entries.get(entityRef);
    if (!entry) {
      entry = { snapshot: { loading: false }, listeners: new Set() };
      this.#entries.set(entityRef, entry);
    }
    return entry;
  }
}
