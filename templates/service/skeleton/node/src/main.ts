// Entry point: `node dist/main.js`. Reads PORT, serves, and shuts down
// gracefully on SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C).
import type { AddressInfo } from 'node:net';
import { createLogger, parseLevel } from './log.js';
import { createService, parsePort } from './server.js';

function millis(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

const logger = createLogger({ level: parseLevel(process.env.LOG_LEVEL) });
const port = parsePort(process.env.PORT);
// Kubernetes keeps sending traffic for a few seconds after SIGTERM, until
// every node has seen the endpoint removed: keep serving that long.
const drainDelayMs = millis(process.env.SHUTDOWN_DELAY_MS, 5_000);
// Finish in-flight requests inside the pod's 30 s terminationGracePeriodSeconds.
const timeoutMs = millis(process.env.SHUTDOWN_TIMEOUT_MS, 20_000);

const service = createService({ logger });

service.server.listen(port, () => {
  const address = service.server.address() as AddressInfo;
  logger.info('listening', { port: address.port });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal, drainDelayMs, timeoutMs });
    void service.shutdown({ drainDelayMs, timeoutMs }).then(clean => {
      logger.info('shutdown complete', { clean });
      process.exit(clean ? 0 : 1);
    });
  });
}

process.on('uncaughtException', error => {
  logger.error('uncaught exception', { err: error });
  process.exit(1);
});
