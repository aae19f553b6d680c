/*
 * Boots this backend the way production does (NODE_ENV=production,
 * app-config.yaml + app-config.production.yaml, PostgreSQL from environment
 * variables) against a real PostgreSQL server, reads the catalog through the
 * API, restarts, and reads it again.
 *
 * A third config file adds only what a test needs and production must not
 * have: the listen port, a static access token for the API, and permission
 * to read catalog files from a loopback HTTP server.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { BackendProcess, ROOT } from './__testUtils__/backendProcess';
import { freePort, request } from './__testUtils__/net';
import { startTestPostgres, TestPostgres } from './__testUtils__/postgres';
import { productionEnv } from './__testUtils__/productionEnv';

jest.setTimeout(240_000);

const PROBE_ENTITY = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: persistence-probe
  description: Registered through the API; must survive a restart.
spec:
  type: service
  lifecycle: experimental
  owner: group:platform-team
`;

/** Serves the probe entity over HTTP, the way a repo host would. */
function serveProbe(port: number): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/yaml' });
    res.end(PROBE_ENTITY);
  });
  return new Promise(resolve =>
    server.listen(port, '127.0.0.1', () => resolve(server)),
  );
}

describe('production configuration on PostgreSQL', () => {
  let pg: TestPostgres;
  let workDir: string;
  let backend: BackendProcess;
  let baseUrl: string;
  let overlay: string;
  let filePort: number;
  const token = crypto.randomBytes(24).toString('base64url');
  const secretPassword = () => pg.password;

  beforeAll(async () => {
    pg = await startTestPostgres();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-prod-'));
    const port = await freePort();
    filePort = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    overlay = path.join(workDir, 'app-config.test.yaml');
    fs.writeFileSync(
      overlay,
      JSON.stringify({
        backend: {
          listen: { port, host: '127.0.0.1' },
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: { token, subject: 'production-config-test' },
              },
            ],
          },
          reading: { allow: [{ host: `127.0.0.1:${filePort}` }] },
        },
      }),
    );
  });

  afterAll(async () => {
    await backend?.stop();
    await pg?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  function productionBackend() {
    return new BackendProcess({
      baseUrl,
      cwd: ROOT,
      configs: ['app-config.yaml', 'app-config.production.yaml', overlay],
      env: {
        NODE_ENV: 'production',
        ...productionEnv(baseUrl, pg),
      },
    });
  }

  const api = (p: string, init: Parameters<typeof request>[1] = {}) =>
    request(`${baseUrl}/api/catalog${p}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  const probeEntity = () =>
    api('/entities/by-name/component/default/persistence-probe');

  it('serves the catalog from PostgreSQL and keeps it across a restart', async () => {
    backend = productionBackend();
    await backend.start();

    // The API refuses callers without credentials in production.
    expect((await request(`${baseUrl}/api/catalog/entities`)).status).toBe(401);

    // Guest sign-in is off in production.
    const guest = await request(`${baseUrl}/api/auth/guest/refresh`);
    expect(guest.status).not.toBe(200);
    // So is the example users' development sign-in (removed, not just refused).
    const dev = await request(`${baseUrl}/api/auth/development/refresh`, {
      headers: { 'x-slipway-development-user': 'guest' },
    });
    expect(dev.status).toBe(404);

    // The production catalog locations are ingested: Slipway's template list,
    // and none of the example entities.
    await backend.waitFor(
      'the templates Location to be ingested',
      async () =>
        (
          await api('/entities/by-name/location/default/slipway-template-list')
        ).status === 200 || undefined,
    );
    const examples = await api(
      '/entities/by-name/component/default/payments-api',
    );
    expect(examples.status).toBe(404);

    // Register an entity at runtime through the API.
    const fileServer = await serveProbe(filePort);
    const target = `http://127.0.0.1:${filePort}/catalog-info.yaml`;
    const created = await api('/locations', {
      method: 'POST',
      body: { type: 'url', target },
    });
    expect(created.status).toBe(201);
    const probe = await backend.waitFor(
      'the registered entity to be processed',
      async () => {
        const res = await probeEntity();
        return res.status === 200
          ? res.json<{ metadata: { uid: string }; spec: { owner: string } }>()
          : undefined;
      },
    );
    expect(probe.spec.owner).toBe('group:platform-team');
    const uid = probe.metadata.uid;

    // Restart with the file server gone: the entity can only come from the database.
    await backend.stop();
    await new Promise<void>(r => fileServer.close(() => r()));
    await backend.start();

    const afterRestart = await probeEntity();
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.json().metadata.uid).toBe(uid);
    const locations = (await api('/locations')).json<any[]>();
    expect(locations.map(l => l.data.target)).toContain(target);

    // The database password never reaches the logs.
    expect(backend.allLogs()).toContain('Listening on');
    expect(backend.allLogs()).not.toContain(secretPassword());
  });
});
