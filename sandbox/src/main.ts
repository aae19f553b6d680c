/*
 * The sandbox as a process: `./slipway start` runs it beside the portal.
 *
 *   SANDBOX_DATA_DIR    state folder (default: .sandbox-data in the working
 *                       directory; ./slipway runs it from the repo root, git-ignored)
 *   SANDBOX_PORT_BASE   first port (default 7070: control, then GitHub, AWS,
 *                       Argo CD, Jenkins on the next four)
 *   SANDBOX_FAULTS      JSON, e.g. {"aws":{"latencyMs":50},"github":{"errorRate":0.1,"errorStatuses":[503]}}
 *   SANDBOX_BUILD_MS    simulated CI build time (default 1500)
 *   SANDBOX_WEBHOOK_URL     when set, the seed org gets an organization
 *                           webhook posting every repository's pushes there
 *                           (loopback http only), e.g. Backstage's events
 *                           backend http://127.0.0.1:7007/api/events/http/github
 *   SANDBOX_WEBHOOK_SECRET  that webhook's HMAC secret (optional)
 *
 * It listens on 127.0.0.1 only and refuses NODE_ENV=production.
 */

import path from 'node:path';
import { parseFaults } from './faults';
import { SEED } from './seed';
import { DEFAULT_PORTS, startSandbox } from './server';

async function main() {
  const started = Date.now();
  const base = Number(process.env.SANDBOX_PORT_BASE ?? DEFAULT_PORTS.control);
  const sandbox = await startSandbox({
    dataDir: process.env.SANDBOX_DATA_DIR ?? path.resolve('.sandbox-data'),
    ports: {
      control: base,
      github: base + 1,
      aws: base + 2,
      argocd: base + 3,
      jenkins: base + 4,
    },
    faults: parseFaults(
      process.env.SANDBOX_FAULTS ? JSON.parse(process.env.SANDBOX_FAULTS) : {},
    ),
    faultSeed: process.env.SANDBOX_FAULT_SEED
      ? Number(process.env.SANDBOX_FAULT_SEED)
      : undefined,
    buildMs: process.env.SANDBOX_BUILD_MS
      ? Number(process.env.SANDBOX_BUILD_MS)
      : undefined,
    log: line => process.stdout.write(`${line}\n`),
  });
  const webhookUrl = process.env.SANDBOX_WEBHOOK_URL;
  if (webhookUrl) {
    let ensured;
    try {
      ensured = sandbox.github.ensureOrgWebhook(SEED.org, {
        url: webhookUrl,
        secret: process.env.SANDBOX_WEBHOOK_SECRET || undefined,
      });
    } catch (e) {
      await sandbox.stop();
      throw new Error(`SANDBOX_WEBHOOK_URL: ${(e as Error).message}`);
    }
    const { hook, created } = ensured;
    process.stdout.write(
      `[sandbox] ${created ? 'created' : 'updated'} org webhook ${hook.id} of ${
        SEED.org
      }: ${hook.events.join(',')} -> ${hook.url} (${
        hook.secret ? 'signed' : 'unsigned'
      })\n`,
    );
  }
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
  process.stdout.write(
    `[sandbox] ready in ${
      Date.now() - started
    } ms, ${rss} MiB RSS: ${JSON.stringify(sandbox.urls)}\n`,
  );
  const stop = async () => {
    await sandbox.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(e => {
  process.stderr.write(`[sandbox] failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
