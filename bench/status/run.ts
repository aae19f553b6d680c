/*
 * bench/status: what one catalog page costs the upstreams, and how fast the
 * delivery backend answers, with 50 ms injected latency on every upstream
 * request (GitHub, AWS, Argo CD, Jenkins) of a seeded sandbox:
 *
 * - upstream calls for 50 concurrent loads of one entity (target: one per
 *   source per TTL);
 * - warm p50/p95 latency of a status load (inside the TTL);
 * - cold latency (empty cache) as a ratio to the slowest single upstream
 *   call, measured in the same run;
 * - the same figures for a naive per-card fetch-through: four cards and
 *   the timeline tab each calling their upstreams on every page view, no
 *   cache, no coalescing;
 * - the runtime section (Argo CD's resource tree, then the live workload,
 *   HPA and events) rides on the same load: its calls are counted with the
 *   rest, and since it takes two dependent round trips (the tree names the
 *   objects, then they are read), the cold target is a ratio to the longer
 *   of the slowest single call and that chain;
 * - a service with three environments (dev and staging on the non-prod
 *   cluster, prod on the prod cluster behind pull requests): upstream calls
 *   for 50 concurrent loads, against one Argo CD GET per environment
 *   (target: one Argo CD list per instance, whatever the environments).
 *
 * The status service is called in-process (the HTTP hop is the same for
 * both designs), through the same delivery-node clients the backend builds
 * from config.
 *
 *   ./slipway yarn bench:status
 *   ./slipway yarn bench:status --replicas 2
 *
 * With `--replicas N`, the Slipway figures are taken again for N replicas:
 * N status services, each with its own upstream clients, sharing one cache
 * through a real Redis (Debian's redis-server, started on a free port for
 * the run), as `backend.cache.store: redis` makes production replicas
 * share ElastiCache: the 50 concurrent loads are spread over the replicas,
 * the warm loads alternate between them, and the cold load follows a
 * FLUSHALL. A push noted on one replica is then read on another.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CacheManager } from '@backstage/backend-defaults/cache';
import knexFactory from 'knex';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { SEED, sandboxAppConfig, startSandbox } from '@internal/sandbox';
import {
  createDeliveryUpstreams,
  DatabaseLoadLeases,
  DeliveryStatusService,
  DeliveryUpstreams,
  readDeliverySettings,
} from '@internal/backstage-plugin-delivery-backend';
import { ServiceAccess } from '@internal/backstage-plugin-delivery-node';
import { startTestRedis } from '../../packages/backend/src/__testUtils__/redis';

const LATENCY_MS = 50;
const CONCURRENT = 50;
const COLD_RUNS = 7;
const WARM_LOADS = 200;
const NAME = 'payments-api';
const ARN = `arn:aws:ecr:eu-west-1:123456789012:repository/${NAME}`;
const SLUG = ['slipway-demo', NAME] as const;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: NAME,
    namespace: 'default',
    annotations: {
      'github.com/project-slug': SLUG.join('/'),
      'jenkins.io/job-full-name': SLUG.join('/'),
      'argocd/app-name': NAME,
      'aws.amazon.com/aws-ecr-repository-arn': ARN,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
};

/**
 * Access for one entity, allowed by the mock permissions; reads are not
 * audited and changes are not benchmarked here.
 */
function readAccess(of: Entity): ServiceAccess {
  return new ServiceAccess({
    catalog: { getEntityByRef: async () => of } as unknown as CatalogService,
    permissions: mockServices.permissions(),
    auditor: {
      createEvent: async () => ({
        success: async () => {},
        fail: async () => {},
      }),
    },
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const median = (xs: number[]) => quantile(xs, 0.5);

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main() {
  const sb = await startSandbox({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-status-')),
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    seed: true,
    buildMs: 0,
    progressingMs: 0,
    reconcileIntervalMs: 0,
  });
  try {
    const config = new ConfigReader(sandboxAppConfig(sb));
    const settings = readDeliverySettings(config);
    const logger = mockServices.rootLogger({ level: 'error' });
    const upstreams = createDeliveryUpstreams(config);
    const access = readAccess(entity);
    const service = () =>
      DeliveryStatusService.create({
        access,
        settings,
        upstreams,
        logger,
      });
    const credentials = { $$type: '@backstage/BackstageCredentials' } as never;
    const ref = `component:default/${NAME}`;

    // Sign in to Argo CD once (its session is cached by design, in both designs).
    await upstreams.argocd.get().getApplication(NAME);
    // The live objects the runtime card reads: the workload and its HPA.
    const tree = await upstreams.argocd.get().getResourceTree(NAME);
    const top = (tree.nodes ?? []).filter(n => !n.parentRefs?.length);
    const refOf = (kind: string) => {
      const n = top.find(x => x.kind === kind)!;
      return {
        group: n.group ?? '',
        version: n.version ?? 'v1',
        kind,
        namespace: n.namespace ?? '',
        name: n.name ?? '',
      };
    };
    const workloadRef = refOf('Deployment');
    const hpaRef = refOf('HorizontalPodAutoscaler');
    // Argo CD finds an object's events by its name, namespace and uid.
    const workloadUid = top.find(x => x.kind === 'Deployment')!.uid;
    const runtimeCalls = (u: DeliveryUpstreams) => [
      u.argocd.get().getResourceTree(NAME),
      u.argocd.get().getResource(NAME, workloadRef),
      u.argocd.get().getResource(NAME, hpaRef),
      u.argocd.get().listEvents(NAME, {
        resourceName: workloadRef.name,
        resourceNamespace: workloadRef.namespace,
        resourceUID: workloadUid,
      }),
    ];
    sb.faults.set({
      github: { latencyMs: LATENCY_MS },
      aws: { latencyMs: LATENCY_MS },
      argocd: { latencyMs: LATENCY_MS },
      jenkins: { latencyMs: LATENCY_MS },
    });

    // The baseline: each upstream call alone, with fresh clients (no ETag cache).
    const single: Record<string, number> = {};
    const calls: Record<string, (u: DeliveryUpstreams) => Promise<unknown>> = {
      'GitHub commits (app repo)': u =>
        u.github.listCommits(...SLUG, { perPage: 100 }),
      'GitHub commits (helm-charts, chart path)': u =>
        u.github.listCommits(u.helmCharts.owner, u.helmCharts.repo, {
          path: `charts/${NAME}`,
          perPage: 100,
        }),
      'GitHub commits (helm-charts, branch)': u =>
        u.github.listCommits(u.helmCharts.owner, u.helmCharts.repo, {
          perPage: 100,
        }),
      'Jenkins builds (tree=)': u =>
        u.jenkins.get().getBuilds(SLUG.join('/'), { limit: 10 }),
      'ECR DescribeImages': u => u.ecr.listImages(ARN, { limit: 10 }),
      'ECR ListTagsForResource': u => u.ecr.getOwnerTag(ARN),
      'Argo CD application': u => u.argocd.get().getApplication(NAME),
      'Argo CD resource tree': u => u.argocd.get().getResourceTree(NAME),
      'Argo CD live workload': u =>
        u.argocd.get().getResource(NAME, workloadRef),
    };
    for (const [label, call] of Object.entries(calls)) {
      const runs: number[] = [];
      for (let i = 0; i < COLD_RUNS; i++) {
        const fresh = createDeliveryUpstreams(config);
        if (label.startsWith('Argo'))
          await fresh.argocd.get().getApplication(NAME);
        runs.push(await timed(() => call(fresh)));
      }
      single[label] = median(runs);
    }
    const slowest = Math.max(...Object.values(single));
    // What the runtime card shows cannot be read in one round trip: the
    // tree names the objects, then the live objects are read. That chain
    // is the shortest a status with the runtime can take.
    const chainRuns: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const fresh = createDeliveryUpstreams(config);
      await fresh.argocd.get().getApplication(NAME);
      chainRuns.push(
        await timed(async () => {
          await fresh.argocd.get().getResourceTree(NAME);
          await fresh.argocd.get().getResource(NAME, workloadRef);
        }),
      );
    }
    const chain = median(chainRuns);
    const floor = Math.max(slowest, chain);

    // Slipway: cold (a new service, empty cache), then 50 concurrent, then warm.
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const s = service();
      cold.push(await timed(() => s.getStatus(ref, { credentials })));
    }
    const s = service();
    sb.faults.resetCounters();
    const burst = await timed(() =>
      Promise.all(
        Array.from({ length: CONCURRENT }, () =>
          s.getStatus(ref, { credentials }),
        ),
      ),
    );
    const burstCalls = sb.faults.counters();
    const warm: number[] = [];
    for (let round = 0; round < WARM_LOADS / CONCURRENT; round++) {
      warm.push(
        ...(await Promise.all(
          Array.from({ length: CONCURRENT }, () =>
            timed(() => s.getStatus(ref, { credentials })),
          ),
        )),
      );
    }

    // Naive: every card fetches through on every page view.
    const naivePage = (u: DeliveryUpstreams) =>
      Promise.all([
        // build card
        u.jenkins.get().getBuilds(SLUG.join('/'), { limit: 10 }),
        // image card
        u.ecr.listImages(ARN, { limit: 10 }),
        // sync card
        u.argocd.get().getApplication(NAME),
        // timeline tab: everything again
        u.github.listCommits(...SLUG, { perPage: 100 }),
        u.github.listCommits(u.helmCharts.owner, u.helmCharts.repo, {
          path: `charts/${NAME}`,
          perPage: 100,
        }),
        u.jenkins.get().getBuilds(SLUG.join('/'), { limit: 10 }),
        u.ecr.listImages(ARN, { limit: 10 }),
        u.argocd.get().getApplication(NAME),
        // runtime card: its tree and live objects
        ...runtimeCalls(u),
      ]);
    const naiveCold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const fresh = createDeliveryUpstreams(config);
      await fresh.argocd.get().getApplication(NAME);
      naiveCold.push(await timed(() => naivePage(fresh)));
    }
    sb.faults.resetCounters();
    await Promise.all(
      Array.from({ length: CONCURRENT }, () => naivePage(upstreams)),
    );
    const naiveCalls = sb.faults.counters();
    const naiveWarm: number[] = [];
    for (let round = 0; round < WARM_LOADS / CONCURRENT; round++) {
      naiveWarm.push(
        ...(await Promise.all(
          Array.from({ length: CONCURRENT }, () =>
            timed(() => naivePage(upstreams)),
          ),
        )),
      );
    }

    const total = (c: Record<string, Record<string, number>>) =>
      Object.values(c).reduce(
        (n, ops) => n + Object.values(ops).reduce((a, b) => a + b, 0),
        0,
      );
    const byUpstream = (c: Record<string, Record<string, number>>) =>
      ['github', 'aws', 'argocd', 'jenkins']
        .map(
          u => `${u} ${Object.values(c[u] ?? {}).reduce((a, b) => a + b, 0)}`,
        )
        .join(', ');
    const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;

    console.log(
      `bench/status: ${NAME}, ${LATENCY_MS} ms injected latency on every upstream request, TTL ${
        settings.cacheTtlMs / 1000
      } s`,
    );
    console.log('\nbaseline: each upstream call alone (median of 7)');
    for (const [label, t] of Object.entries(single)) {
      console.log(`  ${label.padEnd(42)} ${ms(t)}`);
    }
    console.log(`  slowest single call                        ${ms(slowest)}`);
    console.log(
      `\n                                        slipway        naive per-card`,
    );
    console.log(
      `  upstream calls, ${CONCURRENT} concurrent loads   ${String(
        total(burstCalls),
      ).padEnd(14)} ${total(naiveCalls)}`,
    );
    console.log(`    by upstream  slipway: ${byUpstream(burstCalls)}`);
    console.log(`                 naive:   ${byUpstream(naiveCalls)}`);
    console.log(`    per source   slipway: ${JSON.stringify(burstCalls)}`);
    console.log(
      `  ${CONCURRENT} concurrent loads, wall            ${ms(burst).padEnd(
        14,
      )} -`,
    );
    console.log(
      `  warm p50 (${WARM_LOADS} loads)                  ${ms(
        quantile(warm, 0.5),
      ).padEnd(14)} ${ms(quantile(naiveWarm, 0.5))}`,
    );
    console.log(
      `  warm p95 (${WARM_LOADS} loads)                  ${ms(
        quantile(warm, 0.95),
      ).padEnd(14)} ${ms(quantile(naiveWarm, 0.95))}`,
    );
    console.log(
      `  cold (median of ${COLD_RUNS})                     ${ms(
        median(cold),
      ).padEnd(14)} ${ms(median(naiveCold))}`,
    );
    console.log(
      `  cold / slowest single call            ${(median(cold) / slowest)
        .toFixed(2)
        .padEnd(14)} ${(median(naiveCold) / slowest).toFixed(2)}`,
    );
    console.log(`  runtime chain (tree → live object)    ${ms(chain)}`);
    console.log(
      `  cold / max(slowest call, chain)       ${(median(cold) / floor)
        .toFixed(2)
        .padEnd(14)} ${(median(naiveCold) / floor).toFixed(
        2,
      )}   (target < 1.5)`,
    );
    const replicasArg = process.argv.indexOf('--replicas');
    if (replicasArg !== -1) {
      await replicas(sb, Number(process.argv[replicasArg + 1] ?? 2), {
        // The floor the cold load is compared with (see above).
        slowest: floor,
        single: {
          warmP95: quantile(warm, 0.95),
          cold: median(cold),
          calls: burstCalls,
        },
      });
    }
    await threeEnvironments(sb);
  } finally {
    await sb.stop();
  }
}

/**
 * The same service deployed to dev, staging and prod, each its own Argo CD
 * application (`<name>-<env>`, found by the service's label selector), with
 * the environments of app-config.yaml: what 50 concurrent loads cost.
 */
async function threeEnvironments(sb: Awaited<ReturnType<typeof startSandbox>>) {
  sb.faults.clear();
  const chartsUrl = `${sb.urls.github}/slipway-demo/helm-charts.git`;
  const apps = [
    { env: 'staging', cluster: SEED.clusters.nonprod, ns: `${NAME}-staging` },
    { env: 'prod', cluster: SEED.clusters.prod, ns: NAME },
  ];
  for (const a of apps) {
    await sb.argocd.upsertApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${NAME}-${a.env}`,
        namespace: 'argocd',
        labels: {
          'slipway.io/owner': `component.default.${NAME}`,
          'slipway.io/environment': a.env,
        },
        annotations: { 'slipway.io/owner': `component:default/${NAME}` },
      },
      spec: {
        project: SEED.argocdProject,
        source: {
          repoURL: chartsUrl,
          path: `charts/${NAME}`,
          targetRevision: 'main',
          helm: { valueFiles: [`values-${a.env}.yaml`] },
        },
        destination: { name: a.cluster, namespace: a.ns },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    });
  }
  await sb.argocd.reconcileNow();

  const base = sandboxAppConfig(sb);
  const config = new ConfigReader({
    ...base,
    slipway: {
      ...base.slipway,
      environments: [
        {
          name: 'dev',
          argocd: { instance: 'sandbox' },
        },
        {
          name: 'staging',
          argocd: {
            instance: 'sandbox',
            destination: { name: SEED.clusters.nonprod },
            namespace: '{namespace}-staging',
          },
          cluster: { name: SEED.clusters.nonprod },
        },
        {
          name: 'prod',
          argocd: {
            instance: 'sandbox',
            destination: { name: SEED.clusters.prod },
          },
          cluster: { name: SEED.clusters.prod },
          changes: 'pull-request',
        },
      ],
    },
  });
  const { 'argocd/app-name': _name, ...annotations } =
    entity.metadata.annotations!;
  const selectorEntity: Entity = {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...annotations,
        'argocd/app-selector': `slipway.io/owner=component.default.${NAME}`,
      },
    },
  };
  const upstreams = createDeliveryUpstreams(config);
  const service = DeliveryStatusService.create({
    access: readAccess(selectorEntity),
    settings: readDeliverySettings(config),
    upstreams,
    logger: mockServices.rootLogger({ level: 'error' }),
  });
  const credentials = { $$type: '@backstage/BackstageCredentials' } as never;
  await upstreams.argocd.get().listApplications(); // sign in once
  sb.faults.set({
    github: { latencyMs: LATENCY_MS },
    aws: { latencyMs: LATENCY_MS },
    argocd: { latencyMs: LATENCY_MS },
    jenkins: { latencyMs: LATENCY_MS },
  });
  sb.faults.resetCounters();
  const loads = await Promise.all(
    Array.from({ length: CONCURRENT }, () =>
      service.getStatus(`component:default/${NAME}`, { credentials }),
    ),
  );
  const calls = sb.faults.counters();
  const envs = loads[0].sync.data?.environments ?? [];
  const argo = calls.argocd ?? {};
  const sum = (o: Record<string, number> = {}) =>
    Object.values(o).reduce((a, b) => a + b, 0);
  console.log(
    `\nthree environments: ${NAME} in ${envs
      .map(e => `${e.environment} (${e.healthStatus})`)
      .join(', ')}; ${CONCURRENT} concurrent loads`,
  );
  console.log(
    `  upstream calls                        ${
      sum(calls.github) +
      sum(calls.aws) +
      sum(calls.argocd) +
      sum(calls.jenkins)
    } (github ${sum(calls.github)}, aws ${sum(calls.aws)}, argocd ${sum(
      argo,
    )}, jenkins ${sum(calls.jenkins)})`,
  );
  console.log(
    `  Argo CD                               ${
      argo['argocd:ApplicationService_List'] ?? 0
    } list by label selector (one instance), ${
      argo['argocd:ApplicationService_Get'] ?? 0
    } GET; one GET per environment would be ${envs.length}`,
  );
  console.log(
    `  per source                            ${JSON.stringify(calls)}`,
  );
  console.log(
    `  DORA computed for                     ${
      loads[0].dora?.environment ?? '-'
    }`,
  );
}

/**
 * The Slipway figures again for `n` replicas sharing one Redis: calls per
 * source for 50 concurrent loads spread over the replicas (target: the
 * same as one replica, one per source per TTL), warm p95 alternating
 * between replicas, cold after a FLUSHALL as a ratio to the slowest single
 * call, and a push noted on replica 1 then read on replica 2.
 */
async function replicas(
  sb: Awaited<ReturnType<typeof startSandbox>>,
  n: number,
  one: {
    slowest: number;
    single: {
      warmP95: number;
      cold: number;
      calls: Record<string, Record<string, number>>;
    };
  },
) {
  // A Redis server of its own on a free port, for the run.
  const redis = await startTestRedis();
  try {
    const config = new ConfigReader(sandboxAppConfig(sb));
    const settings = readDeliverySettings(config);
    const credentials = { $$type: '@backstage/BackstageCredentials' } as never;
    const ref = `component:default/${NAME}`;
    const access = readAccess(entity);
    const cacheConfig = new ConfigReader({
      backend: { cache: { store: 'redis', connection: redis.url } },
    });
    // The plugin's database, as the replicas share it (the load leases).
    const db = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await db.migrate.latest({
      directory: path.resolve(
        __dirname,
        '../../plugins/delivery-backend/migrations',
      ),
    });
    const replica = async () => {
      const upstreams = createDeliveryUpstreams(config);
      sb.faults.clear();
      await upstreams.argocd.get().getApplication(NAME); // its own sign-in
      return DeliveryStatusService.create({
        access,
        settings,
        upstreams,
        logger: mockServices.rootLogger({ level: 'error' }),
        // Each replica its own connection to the one Redis.
        cache: CacheManager.fromConfig(cacheConfig).forPlugin('delivery'),
        leases: new DatabaseLoadLeases(db),
      });
    };
    const fleet: DeliveryStatusService[] = [];
    for (let i = 0; i < n; i++) fleet.push(await replica());
    sb.faults.set({
      github: { latencyMs: LATENCY_MS },
      aws: { latencyMs: LATENCY_MS },
      argocd: { latencyMs: LATENCY_MS },
      jenkins: { latencyMs: LATENCY_MS },
    });
    const flush = () => redis.command('FLUSHALL');

    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      await flush();
      cold.push(
        await timed(() => fleet[i % n].getStatus(ref, { credentials })),
      );
    }
    await flush();
    sb.faults.resetCounters();
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        fleet[i % n].getStatus(ref, { credentials }),
      ),
    );
    const burstCalls = sb.faults.counters();
    const warm: number[] = [];
    for (let round = 0; round < WARM_LOADS / CONCURRENT; round++) {
      warm.push(
        ...(await Promise.all(
          Array.from({ length: CONCURRENT }, (_, i) =>
            timed(() => fleet[i % n].getStatus(ref, { credentials })),
          ),
        )),
      );
    }
    // A push webhook reaching replica 1: replica 2's next answer reloads
    // the app repository's commits, the rest from Redis. Two new replicas
    // (the FLUSHALLs above took the notes a push is matched with; a
    // replica writes its notes when it first shows the entity).
    const [first, second] = [await replica(), await replica()];
    await second.getStatus(ref, { credentials });
    sb.faults.resetCounters();
    await first.notePush(SLUG.join('/'));
    await second.getStatus(ref, { credentials });
    const afterPush = sb.faults.counters();

    const perSource = (c: Record<string, Record<string, number>>) =>
      Object.entries(c)
        .flatMap(([u, ops]) =>
          Object.entries(ops).map(
            ([op, k]) => `${op.replace(`${u}:`, '')} ${k}`,
          ),
        )
        .join(', ');
    const sorted = (c: Record<string, Record<string, number>>) =>
      JSON.stringify(
        Object.entries(c)
          .flatMap(([u, ops]) =>
            Object.entries(ops).map(([op, k]) => [u, op, k]),
          )
          .sort(),
      );
    const sameAsOne = sorted(burstCalls) === sorted(one.single.calls);
    const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
    console.log(
      `\n${n} replicas sharing one Redis (redis-server ${redis.url
        .split(':')
        .pop()}), ${CONCURRENT} concurrent loads spread over them`,
    );
    console.log(
      `  upstream calls per source             ${perSource(burstCalls)} (${
        sameAsOne ? 'the same as one replica' : 'MORE than one replica'
      }: one load per source per TTL in total)`,
    );
    console.log(
      `  warm p95 (${WARM_LOADS} loads, alternating)     ${ms(
        quantile(warm, 0.95),
      )} (one replica, in-process cache: ${ms(one.single.warmP95)})`,
    );
    console.log(
      `  cold after FLUSHALL (median of ${COLD_RUNS})      ${ms(
        median(cold),
      )}; / max(slowest call, chain) ${(median(cold) / one.slowest).toFixed(
        2,
      )} (target < 1.5; one replica ${(one.single.cold / one.slowest).toFixed(
        2,
      )})`,
    );
    console.log(
      `  push noted on replica 1, replica 2's next answer: ${
        perSource(afterPush) || 'no call'
      }`,
    );
  } finally {
    // The replicas' Redis clients stay connected until the process ends.
    process.on('exit', () => void redis.stop());
  }
}

main().then(
  // Open Redis connections (--replicas) would keep the process alive.
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
