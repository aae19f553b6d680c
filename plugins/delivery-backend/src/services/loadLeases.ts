import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

const TABLE = 'delivery_load_leases';

/**
 * Who loads a cached answer from its upstream now, across replicas: the
 * one that acquires the lease loads; the others wait for its answer in the
 * shared cache. A lease ends when released or after its time, so a replica
 * that dies while loading holds nobody up for longer than that.
 */
export interface LoadLeases {
  /** True when this replica now holds the lease on `key` for `ms`. */
  acquire(key: string, ms: number): Promise<boolean>;
  release(key: string): Promise<void>;
}

const idOf = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Leases in the plugin's database (a primary key makes acquiring atomic on
 * SQLite and PostgreSQL alike); the table comes with the plugin's
 * migrations.
 */
export class DatabaseLoadLeases implements LoadLeases {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(key: string, ms: number): Promise<boolean> {
    const id = idOf(key);
    const now = this.now();
    await this.db(TABLE).where('id', id).andWhere('until', '<=', now).delete();
    const inserted = await this.db(TABLE)
      .insert({ id, until: now + ms })
      .onConflict('id')
      .ignore()
      .returning('id');
    return inserted.length === 1;
  }

  async release(key: string): Promise<void> {
    await this.db(TABLE).where('id', idOf(key)).delete();
  }
}
