/*
 * The portal as N replicas: the sandbox on free ports, one PostgreSQL
 * server and one Redis server, and this backend started N times as
 * processes from source (app-config.yaml pointed at the sandbox, as
 * devPortal.ts does), each on a port and `backend.baseUrl` of its own,
 * sharing the database (`backend.database`, a database per plugin as in
 * production) and the cache (`backend.cache.store: redis`), as replicas
 * behind one Service do.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Sandbox,
  SandboxOptions,
  sandboxAppConfig,
  startSandbox,
} from '@internal/sandbox';
import { BackendProcess } from './backendProcess';
import { freePort, LoopbackResponse, request } from './net';
import { pgQuery, pluginDatabase } from './pgQuery';
import { startTestPostgres, TestPostgres } from './postgres';
import { startTestRedis, TestRedis } from './redis';

/** One backend process of the portal. */
export interface Replica {
  /** 'A', 'B', ... */
  name: string;
  baseUrl: string;
  backend: BackendProcess;
}

export interface ReplicaPortal {
  sb: Sandbox;
  pg: TestPostgres;
  redis: TestRedis;
  replicas: Replica[];
  /** A Backstage token for an example user, signed in on `replica`. */
  signIn(replica: Replica, user: string): Promise<string>;
  /** One request to `replica` with `token` as the bearer. */
  api(
    replica: Replica,
    token: string,
    method: string,
    p: string,
    body?: unknown,
  ): Promise<LoopbackResponse>;
  /** Waits until `replica`'s catalog serves `ref` (`kind/namespace/name`). */
  entity(replica: Replica, ref: string): Promise<LoopbackResponse>;
  /** Rows of `sql` in a plugin's database (`backstage_plugin_<pluginId>`). */
  query<R = Record<string, unknown>>(
    pluginId: string,
    sql: string,
    params?: unknown[],
  ): Promise<R[]>;
  /** Stops every replica, then the sandbox, Redis and PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * Starts the sandbox, PostgreSQL, Redis and `count` replicas, one after
 * the other (the first runs every plugin's migrations, as the first pod of
 * a rollout does); `config` is merged over app-config.yaml on every
 * replica.
 */
export async function startReplicaPortal(
  options: {
    count?: number;
    sandbox?: Partial<SandboxOptions>;
    config?: Record<string, unknown>;
  } = {},
): Promise<ReplicaPortal> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-replicas-'));
  const services: Array<{ stop(): Promise<void> }> = [];
  const backends: BackendProcess[] = [];
  let sandbox: Sandbox | undefined;
  const stopAll = async () => {
    await Promise.all(backends.map(b => b.stop().catch(() => {})));
    for (const s of services.reverse()) await s.stop().catch(() => {});
    // An Argo CD pass in flight when the sandbox stopped still writes its
    // state file (recreating the folder): passes run one at a time, so
    // one more waits for it.
    await sandbox?.argocd.reconcileNow().catch(() => {});
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    // Started together; each is stopped at the end once it has started.
    const up = async <T extends { stop(): Promise<void> }>(p: Promise<T>) => {
      const started = await p;
      services.push(started);
      return started;
    };
    const [pgUp, redisUp, sbUp] = await Promise.allSettled([
      up(startTestPostgres()),
      up(startTestRedis()),
      up(
        startSandbox({
          dataDir: path.join(workDir, 'sandbox'),
          ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
          ...options.sandbox,
        }),
      ),
    ]);
    for (const r of [pgUp, redisUp, sbUp]) {
      if (r.status === 'rejected') throw r.reason;
    }
    const pg = (pgUp as PromiseFulfilledResult<TestPostgres>).value;
    const redis = (redisUp as PromiseFulfilledResult<TestRedis>).value;
    const sb = (sbUp as PromiseFulfilledResult<Sandbox>).value;
    sandbox = sb;

    // What every replica shares: upstreams, database, cache.
    const shared = path.join(workDir, 'app-config.shared.yaml');
    fs.writeFileSync(
      shared,
      JSON.stringify({
        ...sandboxAppConfig(sb),
        // As devPortal.ts: a read the sandbox's faults failed is retried soon.
        catalog: { processingInterval: { seconds: 5 } },
        backend: {
          database: {
            client: 'pg',
            connection: {
              host: pg.host,
              port: pg.port,
              user: pg.user,
              password: pg.password,
            },
          },
          cache: { store: 'redis', connection: redis.url },
        },
      }),
    );
    const extra = path.join(workDir, 'app-config.extra.yaml');
    fs.writeFileSync(extra, JSON.stringify(options.config ?? {}));

    const replicas: Replica[] = [];
    for (let i = 0; i < (options.count ?? 2); i++) {
      const name = String.fromCharCode(65 + i);
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const own = path.join(workDir, `app-config.${name}.yaml`);
      fs.writeFileSync(
        own,
        JSON.stringify({
          app: { baseUrl },
          backend: { baseUrl, listen: { port, host: '127.0.0.1' } },
        }),
      );
      const backend = new BackendProcess({
        baseUrl,
        configs: ['app-config.yaml', shared, own, extra],
        env: { NODE_ENV: 'development' },
      });
      backends.push(backend);
      await backend.start();
      replicas.push({ name, baseUrl, backend });
    }

    const api = (
      replica: Replica,
      token: string,
      method: string,
      p: string,
      body?: unknown,
    ) =>
      request(`${replica.baseUrl}${p}`, {
        method,
        body,
        headers: { authorization: `Bearer ${token}` },
      });
    const signIn = (replica: Replica, user: string) =>
      replica.backend.waitFor(
        `${user} to sign in on ${replica.name}`,
        async () => {
          const res = await request(
            `${replica.baseUrl}/api/auth/development/refresh`,
            { headers: { 'x-slipway-development-user': user } },
          );
          return res.status === 200
            ? (res.json().backstageIdentity.token as string)
            : undefined;
        },
        120_000,
      );
    const readers = new Map<Replica, string>();
    return {
      sb,
      pg,
      redis,
      replicas,
      signIn,
      api,
      async entity(replica, ref) {
        let reader = readers.get(replica);
        if (!reader) {
          reader = await signIn(replica, 'guest');
          readers.set(replica, reader);
        }
        return replica.backend.waitFor(
          `${ref} in ${replica.name}'s catalog`,
          async () => {
            const res = await api(
              replica,
              reader!,
              'GET',
              `/api/catalog/entities/by-name/${ref}`,
            );
            return res.status === 200 ? res : undefined;
          },
          120_000,
        );
      },
      query: (pluginId, sql, params) =>
        pgQuery(pg, pluginDatabase(pluginId), sql, params),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
