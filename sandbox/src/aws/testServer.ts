/*
 * Test helper: runs the AWS upstream in-process on a loopback port with a
 * fresh data folder. Used by the *.test.ts files in this folder only.
 */

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { FaultInjector } from '../faults';
import { closeServer, createUpstreamServer, listenLoopback } from '../http';
import { AwsUpstream, createAwsUpstream } from './index';

/** A running AWS upstream for one test file. */
export interface RunningAws {
  aws: AwsUpstream;
  faults: FaultInjector;
  server: http.Server;
  endpoint: string;
  port: number;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts the AWS upstream; `dataDir` defaults to a new temp folder. */
export async function startAws(dataDir?: string): Promise<RunningAws> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-aws-'));
  const faults = new FaultInjector();
  const errors: unknown[] = [];
  const aws = createAwsUpstream({
    dataDir: dir,
    faults,
    onError: e => errors.push(e),
  });
  const server = createUpstreamServer(aws);
  const port = await listenLoopback(server, 0);
  return {
    aws,
    faults,
    server,
    port,
    endpoint: `http://127.0.0.1:${port}`,
    dataDir: dir,
    async close() {
      await closeServer(server);
      if (errors.length)
        throw new Error(
          `unexpected server errors: ${errors.map(String).join('; ')}`,
        );
    },
  };
}

/** Removes a temp data folder. */
export function removeDir(dir: string) {
  fs.rmSync(dir, { recursive: true, force: true });
}
