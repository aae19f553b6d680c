/*
 * A server started as a child process from a plain command line (an image's
 * CMD, for example), with its output kept for failure messages. BackendProcess
 * starts this backend from source; this starts whatever it is given.
 */

import { ChildProcess, spawn } from 'node:child_process';
import { request, StopWaiting, waitForWithLog } from './net';

export interface ServerProcessOptions {
  /** The command line; a leading `node` is this process's Node.js. */
  command: string[];
  cwd: string;
  /** The whole environment (nothing is inherited). */
  env: Record<string, string>;
  /** Where it listens, for the readiness probe. */
  baseUrl: string;
}

/** How the process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess {
  readonly #options: ServerProcessOptions;
  #child: ChildProcess | undefined;
  #exit: Promise<ProcessExit> | undefined;
  #log = '';

  constructor(options: ServerProcessOptions) {
    this.#options = options;
  }

  /** Everything it wrote. */
  log(): string {
    return this.#log;
  }

  /** Its output without request lines, for failure messages. */
  quietLog(): string {
    return this.#log
      .split('\n')
      .filter(l => !l.includes('"incomingRequest"'))
      .join('\n');
  }

  /** Whether it has exited. */
  exited(): boolean {
    const child = this.#child;
    return !!child && (child.exitCode !== null || child.signalCode !== null);
  }

  /** Like waitFor, with the process's log in the failure message. */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 60_000,
  ): Promise<T> {
    return waitForWithLog(what, probe, timeoutMs, () => this.quietLog());
  }

  /** Starts it, and waits until `readyPath` answers 200. */
  async start(readyPath: string, timeoutMs: number): Promise<void> {
    if (this.#child) throw new Error('already started');
    const [cmd, ...args] = this.#options.command;
    const child = spawn(cmd === 'node' ? process.execPath : cmd, args, {
      cwd: this.#options.cwd,
      env: this.#options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exit = new Promise(resolve =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const collect = (d: Buffer) => {
      this.#log += d;
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await this.waitFor(
      `${readyPath} to answer 200`,
      async () => {
        if (this.exited()) {
          throw new StopWaiting(
            `the process exited (${child.exitCode ?? child.signalCode})`,
          );
        }
        const res = await request(`${this.#options.baseUrl}${readyPath}`);
        return res.status === 200 ? true : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * Sends `signal` and waits for the exit; SIGKILL after `killAfterMs`
   * (then the result's signal says so).
   */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    killAfterMs = 30_000,
  ): Promise<ProcessExit | undefined> {
    const child = this.#child;
    if (!child || !this.#exit) return undefined;
    if (!this.exited()) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await this.#exit;
      clearTimeout(timer);
    }
    return this.#exit;
  }
}
