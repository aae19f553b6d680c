import type { Knex } from 'knex';

/**
 * What every record of the delivery history shares: the plugin's database
 * (SQLite in development, PostgreSQL in production, shared by every
 * replica), its clock and the retention.
 */
export interface HistoryStore {
  db: Knex;
  now: () => number;
  retentionMs: number;
}

/** Rows per insert: SQLite bounds the variables of one statement. */
export const BATCH = 50;
export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export const iso = (t: string) => new Date(t).toISOString();

/** The oldest time the history keeps (ISO 8601): now less the retention. */
export function retentionStart(store: HistoryStore): string {
  return new Date(store.now() - store.retentionMs).toISOString();
}
