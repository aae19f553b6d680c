/*
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries,
 * data in a temporary folder, listening on a free loopback port, password
 * authentication on. `./slipway test` installs the package when missing.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net';

/** A running test PostgreSQL server. */
export interface TestPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Stops the server and deletes its data folder. */
  stop(): Promise<void>;
}

function findBinDir(): string {
  const fromEnv = process.env.SLIPWAY_PG_BINDIR;
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter(v => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL server binaries not found under /usr/lib/postgresql; run './slipway test' (it installs Debian's postgresql) or set SLIPWAY_PG_BINDIR",
    );
  }
  return path.join(base, versions[0], 'bin');
}

/**
 * PostgreSQL refuses to run as root, which CI is. As root, the server runs
 * as the `postgres` system user that the Debian package creates.
 */
function runAs(): string | undefined {
  return process.getuid?.() === 0 ? 'postgres' : undefined;
}

function run(binDir: string, user: string | undefined, args: string[]) {
  const [cmd, ...rest] = user
    ? [
        'runuser',
        '-u',
        user,
        '--',
        path.join(binDir, args[0]),
        ...args.slice(1),
      ]
    : [path.join(binDir, args[0]), ...args.slice(1)];
  const result = spawnSync(cmd, rest, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${args[0]} failed (${result.status}): ${result.stderr || result.stdout}`,
    );
  }
  return result.stdout;
}

/** Starts a fresh PostgreSQL server for one test file. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const binDir = findBinDir();
  const user = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-pg-'));
  const dataDir = path.join(dir, 'data');
  const pwFile = path.join(dir, 'pw');
  const password = `pw-${process.pid}-${Date.now()}`;
  fs.writeFileSync(pwFile, password);
  if (user) execFileSync('chown', ['-R', user, dir]);

  run(binDir, user, [
    'initdb',
    '-D',
    dataDir,
    '-U',
    'slipway',
    '--auth=scram-sha-256',
    `--pwfile=${pwFile}`,
    '--no-sync',
  ]);
  const port = await freePort();
  run(binDir, user, [
    'pg_ctl',
    'start',
    '-w',
    '-D',
    dataDir,
    '-l',
    path.join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
  ]);

  return {
    host: '127.0.0.1',
    port,
    user: 'slipway',
    password,
    async stop() {
      try {
        run(binDir, user, [
          'pg_ctl',
          'stop',
          '-w',
          '-m',
          'fast',
          '-D',
          dataDir,
        ]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
