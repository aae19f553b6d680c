/*
 * This backend as a child process, started from source the way `./slipway
 * start` starts it (src/index.ts through Backstage's node transform, with
 * --config files), for tests that need a real process: one they can
 * restart, or kill in the middle of a task.
 */

import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { request, StopWaiting, waitForWithLog } from './net';

/** The repository's root (tests run from source, never from a build). */
// eslint-disable-next-line no-restricted-syntax
export const ROOT = path.resolve(__dirname, '../../../..');

export interface BackendProcessOptions {
  /** Config files, in order (relative to the repository root, or absolute). */
  configs: string[];
  /** The backend's environment; PATH, HOME and ESBK_TSCONFIG_PATH are added. */
  env: Record<string, string>;
  /** Where the backend listens (its `backend.baseUrl`). */
  baseUrl: string;
  /**
   * The working directory: packages/backend (default), as `./slipway
   * start` runs it; production runs from the repository root, where
   * app-config.production.yaml's catalog paths point from.
   */
  cwd?: string;
}

/** One backend process at a time, restartable, with its output kept. */
export class BackendProcess {
  readonly #options: BackendProcessOptions;
  #child: ChildProcess | undefined;
  /** The current process's output. */
  #log = '';
  /** Output of every process started, for checks over the whole test. */
  #allLogs = '';

  constructor(options: BackendProcessOptions) {
    this.#options = options;
  }

  /** The current process's output without request lines, for failure messages. */
  quietLog(): string {
    return this.#log
      .split('\n')
      .filter(l => !l.includes('"incomingRequest"'))
      .join('\n');
  }

  /** Everything every process started so far wrote. */
  allLogs(): string {
    return this.#allLogs;
  }

  /** Like waitFor, with the backend's log in the failure message. */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 60_000,
  ): Promise<T> {
    return waitForWithLog(what, probe, timeoutMs, () => this.quietLog());
  }

  /** Starts the backend and waits until it reports ready. */
  async start(): Promise<void> {
    if (this.#child) throw new Error('the backend is already running');
    this.#log = '';
    const configs = this.#options.configs.flatMap(c => [
      '--config',
      path.resolve(ROOT, c),
    ]);
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        path.join(ROOT, 'packages/backend/src/index.ts'),
        ...configs,
      ],
      {
        cwd: this.#options.cwd ?? path.join(ROOT, 'packages/backend'),
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ESBK_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
          ...this.#options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    const collect = (d: Buffer) => {
      this.#log += d;
      this.#allLogs += d;
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await this.waitFor(
      'the backend to become ready',
      async () => {
        if (child.exitCode !== null) {
          throw new StopWaiting(`backend exited with ${child.exitCode}`);
        }
        if (this.#log.includes('Backend startup failed')) {
          throw new StopWaiting('backend startup failed');
        }
        const res = await request(
          `${this.#options.baseUrl}/.backstage/health/v1/readiness`,
        );
        return res.status === 200 ? true : undefined;
      },
      150_000,
    );
  }

  /** Stops the backend: SIGTERM, then SIGKILL after 20 s. */
  async stop(): Promise<void> {
    await this.#end('SIGTERM');
  }

  /** Kills the backend at once (SIGKILL): no shutdown hooks run. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  async #end(signal: NodeJS.Signals) {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
