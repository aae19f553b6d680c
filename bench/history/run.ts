/*
 * bench/history: the delivery history at scale. A sandbox Argo CD holding
 * 1,000 services' applications (each bound to its entity, as the wizard
 * creates them) and:
 *
 * - the history poll's cycle (the task one replica runs per interval): its
 *   time and upstream calls, with nothing changed and after a deployment of
 *   every service (health and deployment rows);
 * - history rows per service: per deployment (measured) and per day at a
 *   given number of deployments a day;
 * - status p95 for 50 viewers spread over 200 entities, on a shared cache,
 *   with the history and the load leases on (each entity's Argo CD section:
 *   the sandbox has one app repository, so the others are left out).
 *
 *   ./slipway yarn bench:history
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { sandboxAppConfig, startSandbox } from '@internal/sandbox';
import {
  createDeliveryUpstreams,
  DatabaseLoadLeases,
  DeliveryHistory,
  DeliveryStatusService,
  pollHealth,
  readDeliverySettings,
} from '@internal/backstage-plugin-delivery-backend';
import { ServiceAccess } from '@internal/backstage-plugin-delivery-node';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const VIEWED = 200;
const VIEWERS = 50;
const DEPLOYS_PER_DAY = 10;
const PROGRESSING_MS = 500;
const rolloutsEnd = async (sb: {
  argocd: { reconcileNow(): Promise<void> };
}) => {
  await new Promise(r => setTimeout(r, PROGRESSING_MS + 100));
  await sb.argocd.reconcileNow();
};

const name = (i: number) => `svc-${String(i).padStart(4, '0')}`;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

async function main() {
  const sb = await startSandbox({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-history-')),
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    seed: true,
    buildMs: 0,
    // A rollout shows as Progressing for half a second, then Healthy.
    progressingMs: PROGRESSING_MS,
    reconcileIntervalMs: 0,
  });
  try {
    const chartsUrl = `${sb.urls.github}/slipway-demo/helm-charts.git`;
    // One state write for the lot (the sandbox writes its state file at
    // every change otherwise).
    const [seedMs] = await timed(() =>
      sb.argocd.batch(async () => {
        for (let i = 1; i <= SERVICES; i++) {
          await sb.argocd.upsertApplication({
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Application',
            metadata: {
              name: name(i),
              namespace: 'argocd',
              labels: {
                'slipway.io/owner': `component.default.${name(i)}`,
                'slipway.io/environment': 'dev',
              },
              annotations: {
                'slipway.io/owner': `component:default/${name(i)}`,
              },
            },
            spec: {
              project: 'default',
              // One chart for all: the sandbox renders it for each.
              source: {
                repoURL: chartsUrl,
                path: 'charts/payments-api',
                targetRevision: 'main',
              },
              destination: {
                server: 'https://kubernetes.default.svc',
                namespace: name(i),
              },
              syncPolicy: { automated: { prune: true, selfHeal: true } },
            },
          });
        }
        await sb.argocd.reconcileNow();
      }),
    );

    await rolloutsEnd(sb);
    const config = new ConfigReader(sandboxAppConfig(sb));
    const settings = readDeliverySettings(config);
    const upstreams = createDeliveryUpstreams(config);
    await upstreams.argocd.get().listApplications({ selector: 'none=none' });
    const db = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const history = await DeliveryHistory.create({
      database: { getClient: async () => db },
      retentionDays: 400,
    });
    const count = async (table: string) =>
      Number((await db(table).count({ n: '*' }))[0].n as string | number);
    const rows = async () =>
      (await count('delivery_health')) + (await count('delivery_deployments'));
    // The plugin's cache, where the poll notes what it last read
    // helm-charts for (a quiet poll makes no GitHub call).
    const pollCache = CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('delivery-poll');

    const cycle = async () => {
      sb.faults.resetCounters();
      const [ms, result] = await timed(() =>
        pollHealth({
          upstreams,
          history,
          environments: settings.environments,
          cache: pollCache,
        }),
      );
      const sum = (ops?: Record<string, number>) =>
        Object.values(ops ?? {}).reduce((a, b) => a + b, 0);
      const counters = sb.faults.counters();
      return {
        ...result,
        ms,
        calls: sum(counters.argocd),
        github: sum(counters.github),
      };
    };
    const first = await cycle();
    const steady = await cycle();

    // A deployment of every service (one chart commit, which all of them
    // deploy): the poll sees them Progressing, then Healthy.
    const before = await rows();
    const values = await sb.repos.readFileIn(
      'slipway-demo',
      'helm-charts',
      'main',
      'charts/payments-api/values.yaml',
    );
    // A new image, as CI pushes it, and the tag bump that deploys it.
    sb.aws.putImage('payments-api', 'bench001-1');
    await sb.repos.commitFiles(
      'slipway-demo',
      'helm-charts',
      'main',
      {
        'charts/payments-api/values.yaml': String(values).replace(
          /^(\s*tag:\s*).*$/m,
          '$1bench001-1',
        ),
      },
      'ci(payments-api): deploy bench001-1',
    );
    await sb.argocd.reconcileNow();
    const deployed = await cycle();
    await rolloutsEnd(sb);
    const settled = await cycle();
    const perDeployment = ((await rows()) - before) / SERVICES;

    // 50 viewers over 200 entities, two replicas on one shared cache.
    const store = CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('delivery');
    const entities = new Map<string, Entity>();
    for (let i = 1; i <= VIEWED; i++) {
      entities.set(`component:default/${name(i)}`, {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: name(i),
          namespace: 'default',
          annotations: { 'argocd/app-name': name(i) },
        },
        spec: { type: 'service', lifecycle: 'production', owner: 'team' },
      });
    }
    const access = new ServiceAccess({
      catalog: {
        getEntityByRef: async (ref: string) => entities.get(ref),
      } as unknown as CatalogService,
      permissions: mockServices.permissions(),
      auditor: {
        createEvent: async () => ({
          success: async () => {},
          fail: async () => {},
        }),
      },
    });
    const replica = () =>
      DeliveryStatusService.create({
        access,
        settings,
        upstreams: createDeliveryUpstreams(config),
        logger: mockServices.rootLogger({ level: 'error' }),
        cache: store,
        history,
        leases: new DatabaseLoadLeases(db),
      });
    const fleet = [replica(), replica()];
    const credentials = { $$type: '@backstage/BackstageCredentials' } as never;
    const refs = [...entities.keys()];
    const view = (i: number) =>
      timed(() =>
        fleet[i % 2].getStatus(refs[i % refs.length], { credentials }),
      ).then(([ms]) => ms);
    sb.faults.resetCounters();
    const cold: number[] = [];
    for (let round = 0; round < VIEWED / VIEWERS; round++) {
      cold.push(
        ...(await Promise.all(
          Array.from({ length: VIEWERS }, (_, k) => view(round * VIEWERS + k)),
        )),
      );
    }
    const coldCalls = sb.faults.counters();
    const warm: number[] = [];
    for (let round = 0; round < 8; round++) {
      warm.push(
        ...(await Promise.all(
          Array.from({ length: VIEWERS }, (_, k) =>
            view(round * VIEWERS + k + 7),
          ),
        )),
      );
    }

    const ms = (x: number) => `${x.toFixed(0)} ms`;
    console.log(
      `bench/history: ${SERVICES} services' Argo CD applications (seeded in ${ms(
        seedMs,
      )})`,
    );
    console.log('\nhealth poll, one cycle (one replica per interval)');
    for (const [label, c] of [
      ['first (records every application)', first],
      ['nothing changed', steady],
      ['every service deployed (Progressing)', deployed],
      ['every service settled (Healthy)', settled],
    ] as const) {
      console.log(
        `  ${label.padEnd(40)} ${ms(c.ms).padStart(8)}, ${
          c.calls
        } Argo CD call(s), ${c.github} GitHub call(s), ${
          c.applications
        } applications, ${c.recorded} health rows, ${
          c.deployments
        } deployment rows`,
      );
    }
    console.log(
      `\nhistory rows: ${perDeployment.toFixed(
        1,
      )} per service per deployment (measured); at ${DEPLOYS_PER_DAY} deployments a day, ${(
        perDeployment * DEPLOYS_PER_DAY
      ).toFixed(0)} rows per service per day (0 on a day without deployments)`,
    );
    console.log(
      `\nstatus, ${VIEWERS} concurrent viewers over ${VIEWED} entities, 2 replicas on one cache (Argo CD section)`,
    );
    console.log(
      `  cold: p95 ${ms(quantile(cold, 0.95))}, Argo CD calls ${JSON.stringify(
        coldCalls.argocd ?? {},
      )} (${VIEWED} entities: each one application read, and its runtime's)`,
    );
    console.log(
      `  warm: p50 ${ms(quantile(warm, 0.5))}, p95 ${ms(
        quantile(warm, 0.95),
      )} (${warm.length} loads)`,
    );
  } finally {
    await sb.stop();
  }
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
