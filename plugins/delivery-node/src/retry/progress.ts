/*
 * Retry progress lines: the shared clients retry throttled and failing
 * upstream calls within a budget, and say so in the log of the task (or
 * request) they serve: "ECR CreateRepository throttled (ThrottlingException),
 * retrying 2/7". The clients are shared by every task of a backend, so the
 * line goes to whichever logger the current call runs under
 * (AsyncLocalStorage), and nowhere when none does.
 */

import { AsyncLocalStorage } from 'node:async_hooks';

const sink = new AsyncLocalStorage<(line: string) => void>();

/**
 * Runs `fn` with retry progress lines going to `logger` (a scaffolder
 * step's logger, so the task log shows them). Actions run under
 * runProvisioningStep, which calls this.
 */
export function withRetryProgress<T>(
  logger: { info(message: string): void },
  fn: () => Promise<T>,
): Promise<T> {
  return sink.run(line => logger.info(line), fn);
}

/** Reports one retry to the current call's logger, if any. @public */
export function noteRetry(line: string): void {
  sink.getStore()?.(line);
}

/** Full-jitter backoff: a random delay up to min(cap, base * 2^attempt). @public */
export function jitteredDelay(
  attempt: number,
  options: { baseMs: number; capMs: number; random?: () => number },
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}
