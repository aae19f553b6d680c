/*
 * bench/provisioning: what each provisioning action costs against the
 * sandbox's real protocols: upstream calls (from the sandbox's counters)
 * and wall time, with 0 ms and 50 ms injected latency on every upstream;
 * then the whole road under the seeded provisioning fault mix against the
 * same road without faults (runs completed without Retry, after one Retry,
 * and the wall time overhead); then gitops:chart:register against a helm-charts repo holding 1,000
 * charts, as a ratio to an empty one (target: under 1.5).
 *
 *   ./slipway yarn bench:provisioning
 */

import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  PROVISIONING_FAULT_MIX,
  startSandbox,
  sandboxAppConfig,
  Sandbox,
} from '@internal/sandbox';
import {
  ArgoCdInstances,
  AwsClients,
  HelmChartsRepo,
  readArgoCdSettings,
  readEnvironments,
  readGitOpsSettings,
  ServiceAccess,
} from '@internal/backstage-plugin-delivery-node';
import {
  createEcrCreateAction,
  createIrsaRoleCreateAction,
} from '@internal/backstage-plugin-scaffolder-backend-module-aws';
import {
  createApplicationCreateAction,
  createApplicationWaitAction,
  createChartRegisterAction,
} from '@internal/backstage-plugin-scaffolder-backend-module-gitops';

const ROOT = path.resolve(__dirname, '../..');
const RUNS = 9;
/** Roads per mode in the fault-mix comparison. */
const ROADS = 6;
const FAULT_SEED = 20261202;

function config(sb: Sandbox, helmChartsRepo = 'helm-charts') {
  const base = sandboxAppConfig(sb);
  return new ConfigReader({
    ...base,
    slipway: {
      ...base.slipway,
      aws: {
        ...base.slipway.aws,
        iam: {
          permissionsBoundaryArn:
            'arn:aws:iam::123456789012:policy/slipway-service-boundary',
        },
      },
      gitops: {
        ...base.slipway.gitops,
        helmCharts: {
          ...base.slipway.gitops.helmCharts,
          repoUrl: `${sb.urls.github}/slipway-demo/${helmChartsRepo}`,
        },
        baseChartDir: path.join(ROOT, 'charts/service'),
      },
    },
  });
}

function actions(cfg: ConfigReader) {
  const clients = AwsClients.fromConfig(cfg);
  const gitops = readGitOpsSettings(cfg);
  const helmCharts = HelmChartsRepo.fromConfig(cfg);
  const instances = ArgoCdInstances.fromConfig(cfg);
  // The bench creates new services and adopts nothing, so the actions
  // never ask who may: any question would fail loudly here.
  const nobody = () => {
    throw new Error('bench/provisioning does not adopt');
  };
  const access = new ServiceAccess({
    catalog: { getEntityByRef: nobody } as never,
    permissions: { authorize: nobody, authorizeConditional: nobody } as never,
    auditor: { createEvent: nobody } as never,
  });
  return {
    'aws:ecr:create': createEcrCreateAction({ clients, access }),
    'aws:iam:irsa-role:create': createIrsaRoleCreateAction({ clients, access }),
    'gitops:chart:register': createChartRegisterAction({
      helmCharts,
      baseChartDir: path.resolve(gitops.baseChartDir),
      environments: gitops.environments,
    }),
    'argocd:application:create': createApplicationCreateAction({
      instances,
      settings: readArgoCdSettings(cfg),
      helmCharts,
      environments: readEnvironments(cfg),
      access,
    }),
    'argocd:application:wait': createApplicationWaitAction({ instances }),
  };
}

/** One run's task: its id and checkpoints, kept across a Retry as the scaffolder keeps them. */
interface BenchTask {
  id: string;
  checkpoints: Map<string, unknown>;
}

/** The part of the scaffolder's action context these actions use. */
function context(
  input: Record<string, unknown>,
  task: BenchTask = {
    id: `bench-${Math.random().toString(36).slice(2)}`,
    checkpoints: new Map(),
  },
) {
  const outputs: Record<string, any> = {};
  const silent = () => {};
  const logger: any = {
    info: silent,
    warn: silent,
    error: silent,
    debug: silent,
    child: () => logger,
  };
  const ctx: any = {
    input,
    logger,
    isDryRun: false,
    workspacePath: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ws-')),
    output: (k: string, v: unknown) => (outputs[k] = v),
    // As the scaffolder does: a key that succeeded returns its value; a
    // failed one runs again.
    checkpoint: async ({ key, fn }: { key: string; fn: () => unknown }) => {
      if (task.checkpoints.has(key)) return task.checkpoints.get(key);
      const value = (await fn()) ?? {};
      task.checkpoints.set(key, value);
      return value;
    },
    createTemporaryDirectory: async () =>
      fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tmp-')),
    getInitiatorCredentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: 'user:default/guest' },
    }),
    templateInfo: { entityRef: 'template:default/service' },
    task: { id: task.id },
    user: { ref: 'user:default/guest' },
    signal: new AbortController().signal,
    each: undefined,
  };
  return { ctx, outputs };
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (o: Record<string, number> | undefined) =>
  Object.values(o ?? {}).reduce((a, b) => a + b, 0);

/** The wizard's provisioning steps for service `name`, with their inputs. */
function roadSteps(
  sb: Sandbox,
  name: string,
): Array<[keyof ReturnType<typeof actions>, Record<string, unknown>]> {
  return [
    ['aws:ecr:create', { name }],
    [
      'aws:iam:irsa-role:create',
      { name, namespace: name, serviceAccount: name, policies: [] },
    ],
    [
      'gitops:chart:register',
      {
        name,
        namespace: name,
        imageRepository: sb.aws.repositoryUri(name),
        imageTag: 'v1',
      },
    ],
    ['argocd:application:create', { name, namespace: name }],
    [
      'argocd:application:wait',
      { name, timeoutSeconds: 60, intervalSeconds: 0.2 },
    ],
  ];
}

/** A fresh sandbox on free ports whose builds and rollouts take no time. */
function roadSandbox(name: string, faultSeed?: number) {
  return startSandbox({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`)),
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    progressingMs: 0,
    reconcileIntervalMs: 100,
    buildMs: 0,
    faultSeed,
  });
}

async function roadAt(latencyMs: number) {
  const sb = await roadSandbox('prov');
  try {
    const a = actions(config(sb));
    const rows: Array<[string, number, number, Record<string, number>]> = [];
    const name = `bench-${latencyMs}`;
    const steps = roadSteps(sb, name);
    sb.faults.set({
      github: { latencyMs },
      aws: { latencyMs },
      argocd: { latencyMs },
    });
    for (const [id, input] of steps) {
      if (id === 'argocd:application:wait') sb.aws.putImage(name, 'v1');
      sb.faults.resetCounters();
      const { ctx } = context(input);
      const t0 = performance.now();
      await a[id].handler(ctx);
      const ms = performance.now() - t0;
      const c = sb.faults.counters();
      const calls = {
        github: sum(c.github),
        aws: sum(c.aws),
        argocd: sum(c.argocd),
      };
      rows.push([id, ms, calls.github + calls.aws + calls.argocd, calls]);
    }
    return rows;
  } finally {
    await sb.stop();
  }
}

/**
 * A sandbox whose helm-charts repo holds `charts` charts, and a function
 * timing one gitops:chart:register of a new chart against it.
 */
async function registerBench(charts: number) {
  const sb = await startSandbox({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-charts-')),
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    seed: false,
    reconcileIntervalMs: 0,
  });
  sb.github.ensureUser('slipway-demo', 'Organization');
  await sb.github.createRepo('slipway-demo', 'helm-charts');
  const files: Record<string, string> = { 'README.md': '# helm-charts\n' };
  const values = fs.readFileSync(
    path.join(ROOT, 'charts/service/values.yaml'),
    'utf8',
  );
  for (let i = 0; i < charts; i++) {
    files[
      `charts/svc-${i}/Chart.yaml`
    ] = `apiVersion: v2\nname: svc-${i}\nversion: 0.1.0\n`;
    files[`charts/svc-${i}/values.yaml`] = values;
  }
  await sb.repos.commitFiles(
    'slipway-demo',
    'helm-charts',
    'main',
    files,
    `${charts} charts`,
  );
  const register = actions(config(sb))['gitops:chart:register'];
  let run = 0;
  return {
    stop: () => sb.stop(),
    async time(): Promise<number> {
      const name = `new-${run++}`;
      const { ctx } = context({
        name,
        namespace: name,
        imageRepository: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}`,
        imageTag: 'v1',
      });
      const t0 = performance.now();
      await register.handler(ctx);
      return performance.now() - t0;
    },
  };
}

/**
 * Median register time against an empty helm-charts repo and one of 1,000
 * charts. Runs alternate between the two (after one warm-up each), so a
 * change in the machine's load touches both alike.
 */
async function registerCost(): Promise<{ empty: number; big: number }> {
  const empty = await registerBench(0);
  const big = await registerBench(1000);
  try {
    await empty.time();
    await big.time();
    const times = { empty: [] as number[], big: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      times.empty.push(await empty.time());
      times.big.push(await big.time());
    }
    return { empty: median(times.empty), big: median(times.big) };
  } finally {
    await empty.stop();
    await big.stop();
  }
}

/** How one road ended: by itself, after one Retry, or failed after it. */
type Outcome = 'clean' | 'one Retry' | 'failed';

/**
 * Drives one road as the scaffolder would: the steps in order; when one
 * fails, one Retry resumes at that step with the same task id and
 * checkpoints (scaffolder.taskRecovery); a second failure ends the run.
 */
async function drive(
  a: ReturnType<typeof actions>,
  sb: Sandbox,
  name: string,
): Promise<{ ms: number; outcome: Outcome; error?: string }> {
  const task: BenchTask = { id: `bench-${name}`, checkpoints: new Map() };
  const steps = roadSteps(sb, name);
  let retried = false;
  const t0 = performance.now();
  for (let i = 0; i < steps.length; ) {
    const [id, input] = steps[i];
    // The image CI would have pushed by the time the wait starts.
    if (id === 'argocd:application:wait' && !sb.aws.hasImage(name, 'v1')) {
      sb.aws.putImage(name, 'v1');
    }
    try {
      await a[id].handler(context(input, task).ctx);
      i++;
    } catch (e) {
      if (retried) {
        return {
          ms: performance.now() - t0,
          outcome: 'failed',
          error: `${id}: ${(e as Error).message}`,
        };
      }
      retried = true;
    }
  }
  return {
    ms: performance.now() - t0,
    outcome: retried ? 'one Retry' : 'clean',
  };
}

/**
 * ROADS roads without faults and ROADS under the provisioning fault mix
 * (seeded), alternating so a change in the machine's load touches both.
 */
async function faultRoads() {
  const sb = await roadSandbox('faults', FAULT_SEED);
  try {
    const a = actions(config(sb));
    const runs = { free: [] as number[], mix: [] as number[] };
    const outcomes: Record<Outcome, number> = {
      clean: 0,
      'one Retry': 0,
      failed: 0,
    };
    const errors: string[] = [];
    for (let i = 0; i < ROADS; i++) {
      sb.faults.clear();
      const free = await drive(a, sb, `free-${i}`);
      if (free.outcome !== 'clean') {
        throw new Error(`a fault-free road needed a Retry: ${free.error}`);
      }
      runs.free.push(free.ms);
      sb.faults.set(PROVISIONING_FAULT_MIX);
      const mix = await drive(a, sb, `mix-${i}`);
      outcomes[mix.outcome]++;
      if (mix.error) errors.push(mix.error);
      else runs.mix.push(mix.ms);
    }
    return { runs, outcomes, errors };
  } finally {
    await sb.stop();
  }
}

async function main() {
  console.log(
    'bench/provisioning: each action against the sandbox (one run per latency)\n',
  );
  for (const latency of [0, 50]) {
    console.log(
      `injected latency ${latency} ms per request on GitHub, AWS and Argo CD`,
    );
    console.log(
      '  action                       wall ms  calls  (github/aws/argocd)',
    );
    for (const [id, ms, total, calls] of await roadAt(latency)) {
      console.log(
        `  ${id.padEnd(28)} ${ms.toFixed(0).padStart(7)}  ${String(
          total,
        ).padStart(5)}  (${calls.github}/${calls.aws}/${calls.argocd})`,
      );
    }
    console.log('');
  }
  const { runs, outcomes, errors } = await faultRoads();
  console.log(
    `the provisioning road (ECR, IAM role, chart, Argo CD application, wait), ${ROADS} runs each, alternating:`,
  );
  console.log(
    `  under the fault mix (seed ${FAULT_SEED}): ${outcomes.clean} completed without Retry, ${outcomes['one Retry']} after one Retry, ${outcomes.failed} failed after it`,
  );
  for (const e of errors) console.log(`    failed: ${e}`);
  const free = median(runs.free);
  const mix = median(runs.mix);
  console.log(`  median wall, no faults      ${free.toFixed(0)} ms`);
  console.log(`  median wall, fault mix      ${mix.toFixed(0)} ms`);
  console.log(
    `  overhead fault mix / none   ${(mix / free).toFixed(
      2,
    )}x (the retries' backoff)\n`,
  );
  const { empty, big } = await registerCost();
  console.log(
    `gitops:chart:register, median of ${RUNS} alternating runs after a warm-up:`,
  );
  console.log(`  empty helm-charts repo      ${empty.toFixed(0)} ms`);
  console.log(`  1,000 charts in helm-charts ${big.toFixed(0)} ms`);
  console.log(
    `  ratio 1,000 / empty         ${(big / empty).toFixed(2)} (target < 1.5)`,
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
