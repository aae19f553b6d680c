import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import type { DeliveryUpstreams } from './upstreams';
import { InputError } from '@backstage/errors';
import {
  EnvironmentSettings,
  readEnvironments,
  readGitOpsSettings,
  ServiceAccess,
} from '@internal/backstage-plugin-delivery-node';

/** `slipway.delivery`, with defaults applied (see config.d.ts). @public */
export interface DeliverySettings {
  /** The names of `slipway.environments`: promotion order. */
  environments: string[];
  /** `slipway.environments` in full (readEnvironments). */
  road: EnvironmentSettings[];
  cacheTtlMs: number;
  /** The TTL while a change is in motion for the entity. */
  activeCacheTtlMs: number;
  failureTtlMs: number;
  staleMaxMs: number;
  upstreamTimeoutMs: number;
  listLimit: number;
  historyLimit: number;
  /** Days the deployment history (DORA's deployments) is kept in the database. */
  historyRetentionDays: number;
  /** How often one replica records every Argo CD application's health. */
  historyPollMs: number;
  cacheMaxEntities: number;
  /** What an entity's annotations may name (`slipway.delivery.allowed`). */
  allowed: DeliveryAllowLists;
  /** Upstreams whose resources must carry the entity's binding to be shown. */
  requireBinding: { github: boolean; ecr: boolean; argocd: boolean };
}

/**
 * The upstream resources an entity's annotations may point the status at;
 * `'*'` allows any. @public
 */
export interface DeliveryAllowLists {
  githubOrgs: string[];
  jenkinsFolders: string[];
  awsAccounts: string[];
  /** undefined: every configured instance. */
  argocdInstances?: string[];
}

/** Whether `value` is allowed by `list` (`'*'` allows any; names compare case-insensitively). @public */
export function isAllowed(list: string[], value: string): boolean {
  const v = value.toLowerCase();
  return list.some(e => e === '*' || e.toLowerCase() === v);
}

function readAllowLists(root: Config): DeliveryAllowLists {
  const c = root.getOptionalConfig('slipway.delivery.allowed');
  // Defaults: where Slipway itself creates things.
  const org = new URL(readGitOpsSettings(root).helmCharts.repoUrl).pathname
    .split('/')
    .filter(Boolean)[0];
  const account = root.getOptionalString('slipway.aws.accountId');
  return {
    githubOrgs: c?.getOptionalStringArray('githubOrgs') ?? [org],
    jenkinsFolders: c?.getOptionalStringArray('jenkinsFolders') ?? [org],
    awsAccounts:
      c?.getOptionalStringArray('awsAccounts') ?? (account ? [account] : []),
    argocdInstances: c?.getOptionalStringArray('argocdInstances'),
  };
}

function seconds(config: Config | undefined, key: string, fallback: number) {
  const value = config?.getOptionalNumber(key) ?? fallback;
  if (!(value >= 0)) {
    throw new InputError(`slipway.delivery.${key} must be 0 or more`);
  }
  return value * 1000;
}

/** What the delivery services are built from. @public */
export interface DeliveryServiceDeps {
  settings: DeliverySettings;
  upstreams: DeliveryUpstreams;
  logger: LoggerService;
  /** Who may read and change which service (changes audited). */
  access: ServiceAccess;
}

/** Reads `slipway.delivery`; throws on a value that cannot work. @public */
export function readDeliverySettings(root: Config): DeliverySettings {
  const c = root.getOptionalConfig('slipway.delivery');
  const road = readEnvironments(root);
  const environments = road.map(e => e.name);
  const count = (key: string, fallback: number) => {
    const value = c?.getOptionalNumber(key) ?? fallback;
    if (!Number.isInteger(value) || value < 1) {
      throw new InputError(
        `slipway.delivery.${key} must be a whole number >= 1`,
      );
    }
    return value;
  };
  return {
    environments,
    road,
    cacheTtlMs: seconds(c, 'cacheTtlSeconds', 15),
    activeCacheTtlMs: seconds(c, 'activeCacheTtlSeconds', 3),
    failureTtlMs: seconds(c, 'failureTtlSeconds', 10),
    staleMaxMs: seconds(c, 'staleMaxSeconds', 86400),
    upstreamTimeoutMs: seconds(c, 'upstreamTimeoutSeconds', 10),
    listLimit: count('listLimit', 10),
    historyLimit: count('historyLimit', 10),
    historyRetentionDays: count('history.retentionDays', 400),
    historyPollMs: seconds(c, 'history.pollIntervalSeconds', 60),
    cacheMaxEntities: count('cacheMaxEntities', 2000),
    allowed: readAllowLists(root),
    requireBinding: {
      github: c?.getOptionalBoolean('requireBinding.github') ?? true,
      ecr: c?.getOptionalBoolean('requireBinding.ecr') ?? true,
      argocd: c?.getOptionalBoolean('requireBinding.argocd') ?? true,
    },
  };
}
