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

/** One cluster an IRSA role is trusted on, and the namespaces it serves there. @public */
export interface IrsaTrust {
  /** The cluster's OIDC issuer as IAM names it (issuerHostPath). */
  issuerHostPath: string;
  /** The service's namespace in each environment on that cluster. */
  namespaces: string[];
}

/**
 * Trust policy for IRSA: each cluster's OIDC provider (registered in
 * `accountId`) may assume the role for exactly the service account in the
 * namespaces the service has there, with `StringEquals` on both `sub` and
 * `aud`: one statement per cluster, so a namespace on one cluster never
 * grants the same namespace on another.
 *
 * @public
 */
export function irsaTrustPolicy(opts: {
  partition: string;
  accountId: string;
  serviceAccount: string;
  trusts: IrsaTrust[];
}): PolicyDocument {
  const { partition, accountId, serviceAccount, trusts } = opts;
  if (trusts.length === 0) {
    throw new InputError('An IRSA role must trust at least one cluster');
  }
  const check = (field: string, value: string) => {
    if (!value || DANGEROUS.test(value) || value.includes(':')) {
      throw new InputError(
        `${field} must not be empty or hold '*', '?' or ':' (got '${value}')`,
      );
    }
  };
  check('serviceAccount', serviceAccount);
  const byHost = new Map<string, Set<string>>();
  for (const t of trusts) {
    check('issuerHostPath', t.issuerHostPath);
    t.namespaces.forEach(n => check('namespace', n));
    const set = byHost.get(t.issuerHostPath) ?? new Set<string>();
    t.namespaces.forEach(n => set.add(n));
    byHost.set(t.issuerHostPath, set);
  }
  return {
    Version: '2012-10-17',
    Statement: [...byHost].map(([host, namespaces]) => {
      const subs = [...namespaces]
        .sort()
        .map(n => `system:serviceaccount:${n}:${serviceAccount}`);
      if (subs.length === 0) {
        throw new InputError(`No namespace to trust on ${host}`);
      }
      return {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:${partition}:iam::${accountId}:oidc-provider/${host}`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${host}:sub`]: subs.length === 1 ? subs[0] : subs,
            [`${host}:aud`]: 'sts.amazonaws.com',
          },
        },
      };
    }),
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
