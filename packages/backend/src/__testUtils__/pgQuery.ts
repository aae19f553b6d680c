/*
 * Reads a test PostgreSQL server directly (node-postgres, this backend's
 * own driver), for tests that check what the backends wrote: one
 * connection per query, closed after it.
 */

import type { TestPostgres } from './postgres';

/** The part of node-postgres' Client used here (the package has no types). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

type PgClientConstructor = new (config: {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}) => PgClient;

/** The database a plugin gets with Backstage's default `pluginDivisionMode`. */
export function pluginDatabase(pluginId: string): string {
  return `backstage_plugin_${pluginId}`;
}

/** The rows `sql` returns in `database` of `pg`. */
export async function pgQuery<R = Record<string, unknown>>(
  pg: TestPostgres,
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as { Client: PgClientConstructor };
  const client = new Client({
    host: pg.host,
    port: pg.port,
    user: pg.user,
    password: pg.password,
    database,
  });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}
