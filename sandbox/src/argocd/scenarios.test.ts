/*
 * The runtime scenarios through the sandbox's control API (what the README
 * documents): image behaviours, load and drift per application, checked
 * and kept across a restart. What each scenario does to the runtime is
 * walked in runtime.test.ts with an injected clock.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackRequest } from '../__testUtils__/loopback';
import { startSandbox } from '../server';

jest.setTimeout(60_000);

const ports = { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 };

describe('control API scenarios', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-scenarios-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('sets image behaviours, load and drift, refuses nonsense, and keeps them across a restart', async () => {
    let sb = await startSandbox({
      dataDir,
      ports,
      seed: false,
      reconcileIntervalMs: 0,
    });
    const control = (p: string, method = 'GET', body?: unknown) =>
      loopbackRequest(`${sb.urls.control}${p}`, { method, body });
    try {
      expect((await control('/scenarios')).body).toEqual({
        images: {},
        load: {},
      });
      const set = await control('/scenarios/images', 'PUT', {
        repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders',
        tag: 'abc1234-7',
        behaviour: 'crashloop',
      });
      expect(set.status).toBe(200);
      expect(set.body.images).toEqual({ 'orders:abc1234-7': 'crashloop' });
      await control('/scenarios/images', 'PUT', {
        repository: 'orders',
        tag: 'abc1234-8',
        behaviour: 'fails-analysis',
      });

      const bad = await control('/scenarios/images', 'PUT', {
        repository: 'orders',
        tag: 'x',
        behaviour: 'explodes',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe(
        'behaviour must be one of healthy, crashloop, fails-analysis',
      );
      expect(
        (await control('/scenarios/images', 'PUT', { behaviour: 'healthy' }))
          .status,
      ).toBe(400);

      // Per application: 404 for one Argo CD does not have.
      expect(
        (await control('/scenarios/apps/nope/load', 'PUT', { load: true }))
          .status,
      ).toBe(404);
      await sb.argocd.upsertApplication({
        metadata: { name: 'orders-dev' },
        spec: {
          project: 'default',
          source: {
            repoURL: 'http://127.0.0.1:1/acme/helm-charts.git',
            path: 'charts/orders',
            targetRevision: 'main',
          },
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: 'orders',
          },
        },
      });
      const load = await control('/scenarios/apps/orders-dev/load', 'PUT', {
        load: true,
      });
      expect(load.status).toBe(200);
      expect(load.body.load).toEqual({ 'orders-dev': true });
      expect(
        (await control('/scenarios/apps/orders-dev/load', 'PUT', { load: 1 }))
          .status,
      ).toBe(400);
      // Nothing of it is deployed yet: nothing to drift.
      const drift = await control('/scenarios/apps/orders-dev/drift', 'POST');
      expect(drift.status).toBe(404);
      expect(drift.body.error).toBe('nothing of orders-dev is live to drift');
      // Scenario calls are the sandbox's own, not Argo CD requests.
      expect((await control('/counters')).body.argocd ?? {}).toEqual({});
    } finally {
      await sb.stop();
    }

    sb = await startSandbox({ dataDir, ports, seed: false });
    try {
      expect((await control('/scenarios')).body).toEqual({
        images: {
          'orders:abc1234-7': 'crashloop',
          'orders:abc1234-8': 'fails-analysis',
        },
        load: { 'orders-dev': true },
      });
      await control('/scenarios/images', 'PUT', {
        repository: 'orders',
        tag: 'abc1234-7',
        behaviour: 'healthy',
      });
      await control('/scenarios/apps/orders-dev/load', 'PUT', { load: false });
      expect((await control('/scenarios')).body).toEqual({
        images: { 'orders:abc1234-8': 'fails-analysis' },
        load: {},
      });
    } finally {
      await sb.stop();
    }
  });
});
