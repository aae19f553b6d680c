/*
 * Running the real `git` CLI for the sandbox's bare repositories, with a
 * clean, predictable environment (no system config, no prompts, a fixed
 * sandbox identity unless the caller sets one).
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Runs git with a clean, predictable environment. */
export async function git(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    input?: string | Buffer;
  } = {},
): Promise<string> {
  const child = execFileP('git', args, {
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Slipway Sandbox',
      GIT_AUTHOR_EMAIL: 'sandbox@slipway.invalid',
      GIT_COMMITTER_NAME: 'Slipway Sandbox',
      GIT_COMMITTER_EMAIL: 'sandbox@slipway.invalid',
      ...options.env,
    },
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  const { stdout } = await child;
  return stdout;
}

/** A commit's author or committer. */
export interface GitPerson {
  name: string;
  email: string;
  date?: string;
}

/** Sets GIT_<role>_NAME, _EMAIL and (when given) _DATE in `env`. */
export function setIdentity(
  env: Record<string, string>,
  role: 'AUTHOR' | 'COMMITTER',
  person: GitPerson,
) {
  env[`GIT_${role}_NAME`] = person.name;
  env[`GIT_${role}_EMAIL`] = person.email;
  if (person.date) env[`GIT_${role}_DATE`] = person.date;
}
