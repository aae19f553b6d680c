/*
 * The policy documents Slipway writes, built in one place so the actions,
 * the tests' golden files and the delivery backend agree on their shape.
 * Every builder takes names that were validated already (delivery-common);
 * the trust-policy builders check again that nothing wildcard-like reaches
 * an IAM condition.
 */

import { InputError } from '@backstage/errors';
import { AllowedPolicy, SlipwayAwsSettings } from './settings';

/** An IAM policy document. @public */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<Record<string, unknown>>;
}

const DANGEROUS = /[*?]/;
const ISSUER_HOST_PATH = /^[A-Za-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * `https://oidc.eks.<region>.amazonaws.com/id/<ID>` →
 * `oidc.eks.<region>.amazonaws.com/id/<ID>`, the name IAM gives the OIDC
 * provider and the prefix of its condition keys.
 *
 * @public
 */
export function issuerHostPath(issuerUrl: string): string {
  const hostPath = issuerUrl.replace(/^https:\/\//, '').replace(/\/+$/, '');
  if (hostPath === issuerUrl || !ISSUER_HOST_PATH.test(hostPath)) {
    throw new Error(
      `The cluster's OIDC issuer is not an https URL Slipway can trust (got '${issuerUrl}')`,
    );
  }
  return hostPath;
}

/**
 * Trust policy for IRSA: the cluster's OIDC provider may assume the role for
 * exactly one service account, with `StringEquals` on both `sub` and `aud`.
 *
 * @public
 */
export function irsaTrustPolicy(opts: {
  partition: string;
  accountId: string;
  issuerHostPath: string;
  namespace: string;
  serviceAccount: string;
}): PolicyDocument {
  const { partition, accountId, namespace, serviceAccount } = opts;
  const host = opts.issuerHostPath;
  for (const [field, value] of Object.entries({
    issuerHostPath: host,
    namespace,
    serviceAccount,
  })) {
    if (!value || DANGEROUS.test(value) || value.includes(':')) {
      throw new InputError(
        `${field} must not be empty or hold '*', '?' or ':' (got '${value}')`,
      );
    }
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:${partition}:iam::${accountId}:oidc-provider/${host}`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}

/**
 * Trust policy for EKS Pod Identity: the EKS Pod Identity agent assumes the
 * role; which service account gets it is decided by the association.
 *
 * @public
 */
export function podIdentityTrustPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ],
  };
}

function sid(name: string, index: number): string {
  const camel = name
    .split('-')
    .map(part => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `${camel}${index + 1}`;
}

/**
 * The permissions of a role: the statements of the chosen allowed policies,
 * each as one Allow statement, nothing else.
 *
 * @public
 */
export function inlinePolicy(policies: AllowedPolicy[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: policies.flatMap(p =>
      p.statements.map((s, i) => ({
        Sid: sid(p.name, i),
        Effect: 'Allow',
        Action: [...s.actions],
        Resource: [...s.resources],
      })),
    ),
  };
}

/**
 * Picks allowed policies by name. Unknown names are an InputError that lists
 * the names a template may use.
 *
 * @public
 */
export function selectAllowedPolicies(
  allowed: readonly AllowedPolicy[],
  names: readonly string[],
): AllowedPolicy[] {
  const unknown = names.filter(n => !allowed.some(p => p.name === n));
  if (unknown.length) {
    const known = allowed.map(p => p.name);
    throw new InputError(
      `Unknown policy name(s) ${unknown
        .map(n => `'${n}'`)
        .join(', ')}; allowed: ${
        known.length ? known.join(', ') : '(none configured)'
      }`,
    );
  }
  const unique = [...new Set(names)];
  return unique.map(n => allowed.find(p => p.name === n)!);
}

/**
 * ECR lifecycle policy: expire untagged images after N days, keep the last
 * M images (ECR ranks tagged images for `any`).
 *
 * @public
 */
export function ecrLifecyclePolicy(
  lifecycle: SlipwayAwsSettings['ecr']['lifecycle'],
): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${lifecycle.expireUntaggedAfterDays} days`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: lifecycle.expireUntaggedAfterDays,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${lifecycle.keepTaggedImages} images`,
        selection: {
          tagStatus: 'any',
          countType: 'imageCountMoreThan',
          countNumber: lifecycle.keepTaggedImages,
        },
        action: { type: 'expire' },
      },
    ],
  });
}

/**
 * ECR repository policy letting the given principals pull (and nothing
 * else), or undefined when there are none.
 *
 * @public
 */
export function ecrPullPolicy(
  principals: readonly string[],
): string | undefined {
  if (!principals.length) return undefined;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SlipwayPull',
        Effect: 'Allow',
        Principal: { AWS: [...principals] },
        Action: [
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchCheckLayerAvailability',
        ],
      },
    ],
  });
}
