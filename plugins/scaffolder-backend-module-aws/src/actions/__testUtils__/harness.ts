/*
 * Test harness: the sandbox's AWS in-process, AwsClients built from config
 * the way the module builds them, a checkpoint fake that replays (and can
 * "crash" between a side effect and its checkpoint being stored), and a
 * logger that records every line.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader, JsonObject, JsonValue } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';

import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AwsClients } from '@internal/backstage-plugin-delivery-node';
import { testServiceAccess } from '@internal/backstage-plugin-delivery-node/testUtils';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const CLUSTER = 'slipway-nonprod';
export const BOUNDARY =
  'arn:aws:iam::123456789012:policy/slipway-service-boundary';
export const PULL_PRINCIPAL = 'arn:aws:iam::123456789012:role/slipway-dev-node';
export const SECRET = SANDBOX_CREDENTIALS.aws.secretAccessKey;

export const ALLOWED_POLICIES = [
  {
    name: 's3-read-reports',
    description: 'Read objects in the reports bucket',
    statements: [
      {
        actions: ['s3:GetObject', 's3:ListBucket'],
        resources: ['arn:aws:s3:::acme-reports', 'arn:aws:s3:::acme-reports/*'],
      },
    ],
  },
  {
    name: 'sqs-consume-payments',
    statements: [
      {
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        resources: ['arn:aws:sqs:eu-west-1:123456789012:payments'],
      },
    ],
  },
];

/** `slipway.aws` + `aws.mainAccount` for the sandbox; `aws` overrides merge in. */
export function sandboxConfig(sb: Sandbox, aws: JsonObject = {}): ConfigReader {
  return new ConfigReader({
    aws: { mainAccount: { ...SANDBOX_CREDENTIALS.aws } },
    slipway: {
      aws: {
        accountId: ACCOUNT,
        region: REGION,
        endpoint: sb.urls.aws,
        ecr: {
          lifecycle: { keepTaggedImages: 25, expireUntaggedAfterDays: 5 },
          pullPrincipals: [PULL_PRINCIPAL],
        },
        iam: {
          permissionsBoundaryArn: BOUNDARY,
          allowedPolicies: ALLOWED_POLICIES,
        },
        eks: { clusterName: CLUSTER },
        ...aws,
      },
    },
  });
}

export interface AwsHarness {
  sb: Sandbox;
  clients: AwsClients;
  stop(): Promise<void>;
}

/** Starts a seeded-with-a-cluster sandbox (no GitHub/Argo CD seed) and builds clients. */
export async function startAwsHarness(): Promise<AwsHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-aws-'));
  const sb = await startSandbox({
    dataDir,
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    seed: false,
    buildMs: 0,
    progressingMs: 100,
    reconcileIntervalMs: 0,
  });
  sb.aws.ensureCluster(CLUSTER);
  const clients = AwsClients.fromConfig(sandboxConfig(sb));
  return {
    sb,
    clients,
    async stop() {
      await sb.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every line logged, with its metadata, as text. */
export function recordingLogger(): LoggerService & { lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) => (message: string, meta?: Error | JsonObject) => {
      lines.push(
        `${level} ${message}${
          meta
            ? ` ${meta instanceof Error ? meta.stack : JSON.stringify(meta)}`
            : ''
        }`,
      );
    };
  const logger: LoggerService & { lines: string[] } = {
    lines,
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    child: () => logger,
  };
  return logger;
}

/**
 * The scaffolder's checkpoint store, faked: a stored key returns its value
 * without running fn (as on a resumed task). `crashAfter` makes the fn of
 * that key run and then throw before its value is stored, like a crash
 * between a side effect and the checkpoint being recorded.
 */
export class CheckpointStore {
  readonly values = new Map<string, JsonValue | void>();
  readonly ran: string[] = [];
  crashAfter?: string;

  checkpoint = async <T extends JsonValue | void>(opts: {
    key: string;
    fn: () => Promise<T> | T;
  }): Promise<T> => {
    if (this.values.has(opts.key)) return this.values.get(opts.key) as T;
    this.ran.push(opts.key);
    const value = await opts.fn();
    if (this.crashAfter === opts.key) {
      this.crashAfter = undefined;
      throw new Error(`simulated crash after ${opts.key}`);
    }
    // What the scaffolder stores is the JSON round trip.
    this.values.set(
      opts.key,
      value === undefined ? undefined : JSON.parse(JSON.stringify(value)),
    );
    return value;
  };
}

/** guest, a member of payments-team: the initiator of the tests' tasks. */
export const GUEST = 'user:default/guest';
/** dana, a member of docs-team. */
export const DANA = 'user:default/dana';

/**
 * Slipway's real policy over a catalog with the example org, where every
 * other `component:default/<name>` a test names belongs to payments-team.
 */
export function serviceAccess() {
  return testServiceAccess({ ownerOfUnknown: 'payments-team' });
}

/**
 * A mock action context with recorded outputs, logger and checkpoints,
 * started by `user` (guest by default). An input with a `name` and no
 * `entityRef` gets `component:default/<name>`, as the decommission
 * template passes it.
 */
export function actionContext(
  input: JsonObject,
  opts: {
    isDryRun?: boolean;
    store?: CheckpointStore;
    logger?: LoggerService & { lines: string[] };
    user?: string;
    /** The scaffolder task's id (a Retry keeps it; a new run has another). */
    task?: string;
  } = {},
) {
  const withRef =
    input.entityRef === undefined && typeof input.name === 'string'
      ? { entityRef: `component:default/${input.name}`, ...input }
      : input;
  const credentials = mockCredentials.user(opts.user ?? GUEST);
  const logger = opts.logger ?? recordingLogger();
  const store = opts.store ?? new CheckpointStore();
  const outputs: Record<string, JsonValue> = {};
  // The mock context takes only input/logger/...; the rest is set here.
  const ctx: ActionContext<any, any> = {
    ...createMockActionContext({ input: withRef, logger }),
    task: { id: opts.task ?? 'task-1' },
    getInitiatorCredentials: async () => credentials,
    isDryRun: opts.isDryRun,
    checkpoint: store.checkpoint,
    output: (k: string | number | symbol, v: JsonValue) => {
      outputs[String(k)] = v;
    },
  };
  return { ctx, outputs, logger, store };
}
