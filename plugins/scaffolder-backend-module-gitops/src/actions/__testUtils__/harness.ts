/*
 * Test wiring: a sandbox, the config the module would read, the actions
 * built from it the way module.ts builds them, a logger that keeps every
 * line, and a checkpoint fake that replays recorded values (and can
 * "crash" right after a side effect, before its value is recorded).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockCredentials } from '@backstage/backend-test-utils';
import { testServiceAccess } from '@internal/backstage-plugin-delivery-node/testUtils';
import {
  Sandbox,
  sandboxAppConfig,
  SANDBOX_CREDENTIALS,
  startSandbox,
} from '@internal/sandbox';
import { ScmIntegrations } from '@backstage/integration';
import {
  AppRepositories,
  ArgoCdInstances,
  HelmChartsRepo,
  readArgoCdSettings,
  readEnvironments,
  readGitOpsSettings,
} from '@internal/backstage-plugin-delivery-node';
import {
  createApplicationCreateAction,
  createApplicationDeleteAction,
  createApplicationWaitAction,
  createChartRegisterAction,
  createChartPinAction,
  createChartUnregisterAction,
  createRepositoryPublishAction,
} from '..';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const undiciFetch = require('undici').fetch as typeof fetch;

export const FIXTURE_CHART = path.resolve(
  __dirname,
  '../__fixtures__/base-chart',
);

export async function startTestSandbox(
  options: { seed?: boolean; reconcileIntervalMs?: number } = {},
): Promise<Sandbox> {
  return startSandbox({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-gitops-module-')),
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    seed: options.seed ?? true,
    buildMs: 0,
    progressingMs: 100,
    reconcileIntervalMs: options.reconcileIntervalMs ?? 0,
  });
}

export function sandboxConfig(
  sb: Sandbox,
  overrides: Record<string, any> = {},
) {
  const base = sandboxAppConfig(sb);
  const data = {
    ...base,
    slipway: {
      ...base.slipway,
      gitops: {
        ...base.slipway.gitops,
        helmCharts: {
          ...base.slipway.gitops.helmCharts,
          ...overrides.helmCharts,
        },
        baseChartDir: overrides.baseChartDir ?? FIXTURE_CHART,
      },
      argocd: { ...base.slipway.argocd, ...overrides.argocd },
    },
  };
  return new ConfigReader(data);
}

/**
 * The actions as module.ts builds them, from config. `maxAttempts` bounds
 * the helm-charts writer's attempts after lost races (default 10).
 */
export function buildActions(
  config: ConfigReader,
  options: { maxAttempts?: number } = {},
) {
  const gitops = readGitOpsSettings(config);
  const helmCharts = HelmChartsRepo.fromConfig(config, {
    fetch: undiciFetch,
    maxAttempts: options.maxAttempts,
  });
  const instances = ArgoCdInstances.fromConfig(config, { fetch: undiciFetch });
  const argocd = readArgoCdSettings(config);
  // Slipway's real policy; other services the tests name belong to
  // payments-team, guest's team.
  const access = testServiceAccess({ ownerOfUnknown: 'payments-team' });
  return {
    helmCharts,
    instances,
    register: createChartRegisterAction({
      helmCharts,
      baseChartDir: path.resolve(gitops.baseChartDir),
      environments: gitops.environments,
    }),
    access,
    pin: createChartPinAction({
      helmCharts,
      access: access.access,
      environments: gitops.environments,
    }),
    unregister: createChartUnregisterAction({
      helmCharts,
      access: access.access,
    }),
    create: createApplicationCreateAction({
      instances,
      settings: argocd,
      helmCharts,
      environments: readEnvironments(config),
      access: access.access,
    }),
    wait: createApplicationWaitAction({ instances }),
    remove: createApplicationDeleteAction({
      instances,
      access: access.access,
      environments: readEnvironments(config),
    }),
    publish: createRepositoryPublishAction({
      integrations: ScmIntegrations.fromConfig(config),
      access: access.access,
      repositories: host =>
        AppRepositories.forHost(ScmIntegrations.fromConfig(config), host, {
          fetch: undiciFetch,
        }),
    }),
  };
}

/** A logger keeping every line (message and fields) as text. */
export function captureLogger(): { logger: LoggerService; lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, meta?: unknown) => {
    lines.push(`${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
  };
  const logger: LoggerService = {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    debug: log('debug'),
    child: () => logger,
  };
  return { logger, lines };
}

/**
 * Records checkpoint values by key and replays them on later runs without
 * calling fn. With `crashAfter` set to a key, the first run of that key
 * performs its side effect and then throws before the value is recorded,
 * as if the worker died in between.
 */
export class CheckpointFake {
  readonly values = new Map<string, unknown>();
  readonly calls: string[] = [];
  crashAfter?: string;

  checkpoint = async <T>(opts: { key: string; fn: () => Promise<T> | T }) => {
    if (this.values.has(opts.key)) return this.values.get(opts.key) as T;
    this.calls.push(opts.key);
    const value = await opts.fn();
    if (this.crashAfter === opts.key) {
      this.crashAfter = undefined;
      throw new Error(`simulated crash after ${opts.key}`);
    }
    this.values.set(opts.key, value);
    return value;
  };
}

/**
 * A mock action context started by `user` (guest, of payments-team, by
 * default). An input with a `name` and no `entityRef` gets
 * `component:default/<name>`, as the decommission template passes it.
 */
export function context<T extends Record<string, any>>(
  input: T,
  options: {
    isDryRun?: boolean;
    checkpoints?: CheckpointFake;
    user?: string;
    /** The scaffolder task's id (a Retry keeps it; a new run has another). */
    task?: string;
  } = {},
) {
  const { logger, lines } = captureLogger();
  const outputs: Record<string, unknown> = {};
  const withRef =
    input.entityRef === undefined && typeof input.name === 'string'
      ? { entityRef: `component:default/${input.name}`, ...input }
      : input;
  const base = createMockActionContext({ input: withRef, logger });
  const credentials = mockCredentials.user(
    options.user ?? 'user:default/guest',
  );
  const ctx = {
    ...base,
    task: { id: options.task ?? 'task-1' },
    getInitiatorCredentials: async () => credentials,
    isDryRun: options.isDryRun ?? false,
    output: (k: string, v: unknown) => {
      outputs[k] = v;
    },
    ...(options.checkpoints
      ? { checkpoint: options.checkpoints.checkpoint }
      : {}),
  };
  return { ctx: ctx as any, outputs, lines };
}

export const SECRETS = [
  SANDBOX_CREDENTIALS.githubToken,
  SANDBOX_CREDENTIALS.argocdPassword,
];

/** Throws when any secret appears in the given texts. */
export function expectNoSecrets(...texts: unknown[]) {
  const all = JSON.stringify(texts);
  for (const s of SECRETS) expect(all).not.toContain(s);
}
