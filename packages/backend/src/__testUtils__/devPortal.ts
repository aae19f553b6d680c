/*
 * The local portal for tests: the sandbox on free ports, and this backend
 * started as a process with app-config.yaml pointed at it (a database on
 * disk, so a restart keeps its tasks), signing in the example users through
 * the development sign-in as the browser does.
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

export interface DevPortal {
  sb: Sandbox;
  backend: BackendProcess;
  baseUrl: string;
  /** A Backstage token for an example user, once the catalog knows the user. */
  signIn(user: string): Promise<string>;
  /** One request to the backend with `token` as the bearer. */
  api(
    token: string,
    method: string,
    p: string,
    body?: unknown,
  ): Promise<LoopbackResponse>;
  /** Waits until the catalog serves `ref` (`kind/namespace/name`). */
  entity(ref: string): Promise<LoopbackResponse>;
  stop(): Promise<void>;
}

/** Starts the sandbox and the backend; `config` is merged over app-config.yaml. */
export async function startDevPortal(
  options: {
    sandbox?: Partial<SandboxOptions>;
    config?: Record<string, unknown>;
  } = {},
): Promise<DevPortal> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-portal-'));
  const sb = await startSandbox({
    dataDir: path.join(workDir, 'sandbox'),
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    ...options.sandbox,
  });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const overlay = path.join(workDir, 'app-config.test.yaml');
  fs.writeFileSync(
    overlay,
    JSON.stringify({
      ...sandboxAppConfig(sb),
      // The catalog processes a registered Location again after this long
      // (default 100-150 s): a read the sandbox's faults failed is retried
      // within a test's wait, not left to a pass that may come after it.
      catalog: { processingInterval: { seconds: 5 } },
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { port, host: '127.0.0.1' },
        database: {
          client: 'better-sqlite3',
          connection: { directory: path.join(workDir, 'db') },
        },
      },
      ...options.config,
    }),
  );
  const backend = new BackendProcess({
    baseUrl,
    configs: ['app-config.yaml', overlay],
    env: { NODE_ENV: 'development' },
  });
  await backend.start();

  const api = (token: string, method: string, p: string, body?: unknown) =>
    request(`${baseUrl}${p}`, {
      method,
      body,
      headers: { authorization: `Bearer ${token}` },
    });
  const signIn = (user: string) =>
    backend.waitFor(
      `${user} to sign in`,
      async () => {
        const res = await request(`${baseUrl}/api/auth/development/refresh`, {
          headers: { 'x-slipway-development-user': user },
        });
        return res.status === 200
          ? (res.json().backstageIdentity.token as string)
          : undefined;
      },
      120_000,
    );
  let reader: string | undefined;
  return {
    sb,
    backend,
    baseUrl,
    signIn,
    api,
    async entity(ref) {
      reader ??= await signIn('guest');
      return backend.waitFor(
        `${ref} in the catalog`,
        async () => {
          const res = await api(
            reader!,
            'GET',
            `/api/catalog/entities/by-name/${ref}`,
          );
          return res.status === 200 ? res : undefined;
        },
        120_000,
      );
    },
    async stop() {
      await backend.stop();
      await sb.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
