/*
 * `slipway.aws`, read and checked once at start-up. Everything the
 * provisioning actions need from config lives in one frozen object, so a
 * mistake (a total wildcard in an allowed policy, a duplicated policy name, a
 * malformed ARN) stops the backend with a clear message instead of surfacing
 * half-way through a wizard run.
 */

import { Config } from '@backstage/config';
import { checkIamPath } from '@internal/backstage-plugin-delivery-common';

/** One statement of an allowed policy: Allow these actions on these resources. @public */
export interface AllowedPolicyStatement {
  actions: string[];
  resources: string[];
}

/** A named set of AWS permissions a template may ask for. @public */
export interface AllowedPolicy {
  name: string;
  description?: string;
  statements: AllowedPolicyStatement[];
}

/** The checked contents of `slipway.aws`, with defaults filled in. @public */
export interface SlipwayAwsSettings {
  accountId: string;
  region: string;
  /** `aws` unless the region is in China or GovCloud. */
  partition: string;
  endpoint?: string;
  /** Most attempts of one AWS call (adaptive retry mode: backoff and client-side rate limiting on throttling). */
  maxAttempts: number;
  ecr: {
    imageTagMutability: 'IMMUTABLE' | 'MUTABLE';
    encryption: { type: 'AES256' | 'KMS'; kmsKey?: string };
    lifecycle: { keepTaggedImages: number; expireUntaggedAfterDays: number };
    pullPrincipals: string[];
  };
  /** Undefined when `slipway.aws.iam` is not configured (no roles can be made). */
  iam?: {
    permissionsBoundaryArn: string;
    rolePath: string;
    allowedPolicies: AllowedPolicy[];
  };
  /** Undefined when `slipway.aws.eks` is not configured. */
  eks?: { clusterName: string };
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const POLICY_NAME = /^[a-z0-9]([-a-z0-9]{0,62}[a-z0-9])?$/;
const ACTION = /^[a-z0-9*?-]+:[A-Za-z0-9*?]+$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const PRINCIPAL_ARN =
  /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(root|(role|user)\/[\w+=,.@/-]{1,512})$/;
const POLICY_ARN =
  /^arn:aws(-cn|-us-gov)?:iam::(\d{12}|aws):policy\/[\w+=,.@/-]{1,512}$/;
const KMS_KEY =
  /^(arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+|alias\/[\w/-]+|[0-9a-f-]{36})$/;

/** Partition of a region's ARNs. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** An action that matches every service (`*`, `*:*`, `s*:Get*`). */
function isTotalAction(action: string): boolean {
  if (action === '*') return true;
  const [service] = action.split(':', 1);
  return /[*?]/.test(service);
}

/**
 * A resource that matches everything, or everything of a service
 * (`*`, `arn:*`, `arn:aws:s3:::*`, `arn:aws:*:...`).
 */
function isTotalResource(resource: string): boolean {
  if (resource === '*') return true;
  const parts = resource.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return /[*?]/.test(resource);
  const [, partition, service, , , ...rest] = parts;
  return (
    /[*?]/.test(partition) || /[*?]/.test(service) || rest.join(':') === '*'
  );
}

function problemsOfPolicy(p: AllowedPolicy, where: string): string[] {
  const problems: string[] = [];
  if (!POLICY_NAME.test(p.name)) {
    problems.push(
      `${where}.name must be a lowercase DNS-1123 label (got '${p.name}')`,
    );
  }
  if (p.statements.length === 0) {
    problems.push(`${where} '${p.name}' has no statements`);
  }
  p.statements.forEach((s, i) => {
    const at = `${where} '${p.name}' statement ${i + 1}`;
    if (s.actions.length === 0) problems.push(`${at} has no actions`);
    if (s.resources.length === 0) problems.push(`${at} has no resources`);
    for (const a of s.actions) {
      if (isTotalAction(a)) {
        problems.push(
          `${at}: action '${a}' matches every AWS service; name the service and actions`,
        );
      } else if (!ACTION.test(a)) {
        problems.push(`${at}: '${a}' is not an IAM action ('service:Action')`);
      }
    }
    const totalResources = s.resources.filter(isTotalResource);
    for (const r of s.resources) {
      if (!r || /\s/.test(r)) {
        problems.push(`${at}: resource '${r}' is empty or holds whitespace`);
      }
    }
    if (totalResources.length) {
      const wide = s.actions.filter(a => /[*?]/.test(a));
      if (wide.length) {
        problems.push(
          `${at}: wildcard action(s) ${wide
            .map(a => `'${a}'`)
            .join(', ')} on total resource ${totalResources
            .map(r => `'${r}'`)
            .join(', ')} is refused; name the actions or the resources`,
        );
      }
    }
  });
  return problems;
}

function readPolicies(iam: Config): AllowedPolicy[] {
  return (iam.getOptionalConfigArray('allowedPolicies') ?? []).map(p => ({
    name: p.getString('name'),
    description: p.getOptionalString('description'),
    statements: p.getConfigArray('statements').map(s => ({
      actions: s.getStringArray('actions'),
      resources: s.getStringArray('resources'),
    })),
  }));
}

/**
 * Reads and checks `slipway.aws`. Throws one Error naming every problem.
 *
 * @public
 */
export function readSlipwayAwsSettings(config: Config): SlipwayAwsSettings {
  const aws = config.getOptionalConfig('slipway.aws');
  if (!aws) {
    throw new Error(
      'slipway.aws is not configured; the AWS provisioning actions need at least accountId and region',
    );
  }
  const problems: string[] = [];
  const accountId = aws.getString('accountId');
  const region = aws.getString('region');
  const endpoint = aws.getOptionalString('endpoint');
  const maxAttempts = aws.getOptionalNumber('maxAttempts') ?? 8;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
    problems.push(
      `slipway.aws.maxAttempts must be a whole number from 1 to 20 (got ${maxAttempts})`,
    );
  }
  if (!ACCOUNT_ID.test(accountId)) {
    problems.push(
      `slipway.aws.accountId must be 12 digits (got '${accountId}')`,
    );
  }
  if (!REGION.test(region)) {
    problems.push(`slipway.aws.region is not an AWS region (got '${region}')`);
  }
  if (endpoint !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(endpoint).protocol);
    } catch {
      ok = false;
    }
    if (!ok) {
      problems.push(
        `slipway.aws.endpoint must be an http(s) URL (got '${endpoint}')`,
      );
    }
  }

  const ecr = aws.getOptionalConfig('ecr');
  const imageTagMutability = (ecr?.getOptionalString('imageTagMutability') ??
    'IMMUTABLE') as 'IMMUTABLE' | 'MUTABLE';
  if (!['IMMUTABLE', 'MUTABLE'].includes(imageTagMutability)) {
    problems.push(
      `slipway.aws.ecr.imageTagMutability must be IMMUTABLE or MUTABLE (got '${imageTagMutability}')`,
    );
  }
  const encType = (ecr?.getOptionalString('encryption.type') ?? 'AES256') as
    | 'AES256'
    | 'KMS';
  const kmsKey = ecr?.getOptionalString('encryption.kmsKey');
  if (!['AES256', 'KMS'].includes(encType)) {
    problems.push(
      `slipway.aws.ecr.encryption.type must be AES256 or KMS (got '${encType}')`,
    );
  }
  if (kmsKey !== undefined && encType !== 'KMS') {
    problems.push(
      'slipway.aws.ecr.encryption.kmsKey is only valid with type KMS',
    );
  }
  if (kmsKey !== undefined && !KMS_KEY.test(kmsKey)) {
    problems.push(
      `slipway.aws.ecr.encryption.kmsKey is not a KMS key ARN, id or alias (got '${kmsKey}')`,
    );
  }
  const keepTaggedImages =
    ecr?.getOptionalNumber('lifecycle.keepTaggedImages') ?? 30;
  const expireUntaggedAfterDays =
    ecr?.getOptionalNumber('lifecycle.expireUntaggedAfterDays') ?? 7;
  for (const [key, v] of [
    ['keepTaggedImages', keepTaggedImages],
    ['expireUntaggedAfterDays', expireUntaggedAfterDays],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 10000) {
      problems.push(
        `slipway.aws.ecr.lifecycle.${key} must be an integer from 1 to 10000 (got ${v})`,
      );
    }
  }
  const pullPrincipals = ecr?.getOptionalStringArray('pullPrincipals') ?? [];
  for (const p of pullPrincipals) {
    if (!PRINCIPAL_ARN.test(p)) {
      problems.push(
        `slipway.aws.ecr.pullPrincipals: '${p}' is not an IAM role, user or account-root ARN (no wildcards)`,
      );
    }
  }

  let iam: SlipwayAwsSettings['iam'];
  const iamConfig = aws.getOptionalConfig('iam');
  if (iamConfig) {
    const permissionsBoundaryArn = iamConfig.getString(
      'permissionsBoundaryArn',
    );
    if (!POLICY_ARN.test(permissionsBoundaryArn)) {
      problems.push(
        `slipway.aws.iam.permissionsBoundaryArn is not an IAM policy ARN (got '${permissionsBoundaryArn}')`,
      );
    }
    const rolePath = iamConfig.getOptionalString('rolePath') ?? '/slipway/';
    const pathProblem = checkIamPath(rolePath, 'slipway.aws.iam.rolePath');
    if (pathProblem) problems.push(pathProblem);
    const allowedPolicies = readPolicies(iamConfig);
    const seen = new Set<string>();
    allowedPolicies.forEach((p, i) => {
      if (seen.has(p.name)) {
        problems.push(
          `slipway.aws.iam.allowedPolicies: the name '${p.name}' is used more than once`,
        );
      }
      seen.add(p.name);
      problems.push(
        ...problemsOfPolicy(p, `slipway.aws.iam.allowedPolicies[${i}]`),
      );
    });
    iam = { permissionsBoundaryArn, rolePath, allowedPolicies };
  }

  let eks: SlipwayAwsSettings['eks'];
  const clusterName = aws.getOptionalString('eks.clusterName');
  if (clusterName !== undefined) {
    if (!CLUSTER_NAME.test(clusterName)) {
      problems.push(
        `slipway.aws.eks.clusterName is not an EKS cluster name (got '${clusterName}')`,
      );
    }
    eks = { clusterName };
  }

  if (problems.length) {
    throw new Error(
      `Invalid slipway.aws configuration: ${problems.join('; ')}`,
    );
  }
  return deepFreeze({
    accountId,
    region,
    partition: partitionOf(region),
    endpoint,
    maxAttempts,
    ecr: {
      imageTagMutability,
      encryption: kmsKey ? { type: encType, kmsKey } : { type: encType },
      lifecycle: { keepTaggedImages, expireUntaggedAfterDays },
      pullPrincipals,
    },
    iam,
    eks,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
