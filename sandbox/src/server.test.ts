/*
 * The sandbox process as tests and benchmarks use it: refuses production,
 * loopback only, counters and faults through the control API, state that
 * survives a restart.
 */

import { ECRClient, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackRequest } from './__testUtils__/loopback';
import { SANDBOX_CREDENTIALS, startSandbox } from './server';

jest.setTimeout(60_000);

const ports = { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 };

const call = (url: string, method = 'GET', body?: unknown) =>
  loopbackRequest(url, { method, body });

describe('startSandbox', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-server-'));
    dirs.push(d);
    return d;
  };
  afterAll(() =>
    dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })),
  );

  it('refuses to start with NODE_ENV=production', async () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startSandbox({ dataDir: tmp(), ports })).rejects.toThrow(
        /refuses to start with NODE_ENV=production/,
      );
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it('listens on loopback only, counts requests, injects faults, and keeps state across a restart', async () => {
    const dataDir = tmp();
    let sb = await startSandbox({ dataDir, ports, seed: false });
    try {
      // What the OS reports each socket bound to, not the URLs we print.
      const bound = sb.boundAddresses();
      expect(bound).toHaveLength(5);
      for (const { address } of bound) expect(address).toBe('127.0.0.1');
      expect(bound.map(b => b.port).sort()).toEqual(
        Object.entries(sb.urls)
          .filter(([k]) => k !== 'githubApi')
          .map(([, u]) => Number(new URL(u).port))
          .sort(),
      );
      const ecr = new ECRClient({
        endpoint: sb.urls.aws,
        region: 'eu-west-1',
        credentials: SANDBOX_CREDENTIALS.aws,
        maxAttempts: 1,
      });
      sb.aws.ensureRepository('kept', {});
      await ecr.send(new DescribeRepositoriesCommand({}));
      expect(
        (await call(`${sb.urls.control}/counters`)).body.aws[
          'ecr:DescribeRepositories'
        ],
      ).toBe(1);
      // Reads are counted, not reported as changes.
      expect((await call(`${sb.urls.control}/mutations`)).body).toEqual({});
      await call(`${sb.urls.control}/counters/reset`, 'POST');
      expect((await call(`${sb.urls.control}/counters`)).body).toEqual({});

      // Faults: every AWS request answered 503 until cleared.
      const set = await call(`${sb.urls.control}/faults`, 'PUT', {
        aws: { errorRate: 1, errorStatuses: [503] },
      });
      expect(set.status).toBe(200);
      await expect(
        ecr.send(new DescribeRepositoriesCommand({})),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
      const bad = await call(`${sb.urls.control}/faults`, 'PUT', {
        gitlab: { errorRate: 1 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/unknown upstream 'gitlab'/);
      // Timing: how long a simulated build takes; nonsense is refused.
      expect(
        (await call(`${sb.urls.control}/timing`, 'PUT', { buildMs: 2500 }))
          .body,
      ).toEqual({ buildMs: 2500 });
      expect((await call(`${sb.urls.control}/timing`)).body).toEqual({
        buildMs: 2500,
      });
      expect(
        (await call(`${sb.urls.control}/timing`, 'PUT', { buildMs: -1 }))
          .status,
      ).toBe(400);
      await call(`${sb.urls.control}/faults`, 'PUT', {});
      await expect(
        ecr.send(new DescribeRepositoriesCommand({})),
      ).resolves.toBeDefined();
    } finally {
      await sb.stop();
    }

    sb = await startSandbox({ dataDir, ports, seed: false });
    try {
      expect(sb.aws.hasImage('kept', 'none')).toBe(false);
      const ecr = new ECRClient({
        endpoint: sb.urls.aws,
        region: 'eu-west-1',
        credentials: SANDBOX_CREDENTIALS.aws,
      });
      const repos = await ecr.send(new DescribeRepositoriesCommand({}));
      expect(repos.repositories?.map(r => r.repositoryName)).toEqual(['kept']);
    } finally {
      await sb.stop();
    }
  });

  it('gives a data folder from an older sandbox the clusters it lacks when it starts again', async () => {
    const dataDir = tmp();
    // An existing folder without the clusters (a sandbox from before them).
    let sb = await startSandbox({ dataDir, ports, seed: false });
    await sb.stop();
    sb = await startSandbox({ dataDir, ports });
    try {
      const clusters = await new EKSClient({
        endpoint: sb.urls.aws,
        region: sb.aws.region,
        credentials: SANDBOX_CREDENTIALS.aws,
      }).send(new ListClustersCommand({}));
      expect(clusters.clusters).toEqual(
        expect.arrayContaining(['slipway-nonprod', 'slipway-prod']),
      );
      const session = await loopbackRequest(
        `${sb.urls.argocd}/api/v1/session`,
        {
          method: 'POST',
          body: {
            username: SANDBOX_CREDENTIALS.argocdUser,
            password: SANDBOX_CREDENTIALS.argocdPassword,
          },
        },
      );
      const list = await loopbackRequest(`${sb.urls.argocd}/api/v1/clusters`, {
        headers: { authorization: `Bearer ${session.body.token}` },
      });
      expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(
        expect.arrayContaining([
          'in-cluster',
          'slipway-nonprod',
          'slipway-prod',
        ]),
      );
    } finally {
      await sb.stop();
    }
  });
});
