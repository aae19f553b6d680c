/*
 * The rules for every name that becomes an AWS or Kubernetes name, in one
 * place. Scaffolder actions, the template's form and the delivery backend
 * all validate with these, so a name the form accepts is one every upstream
 * accepts, and nothing that could widen an IAM condition or escape a path
 * (`*`, `?`, `:`, `..`) gets through.
 */

import { InputError } from '@backstage/errors';

/** A check's verdict: undefined when valid, else what is wrong. */
export type NameProblem = string | undefined;

/**
 * RFC 1123 label, as Kubernetes requires for namespaces, service accounts
 * and app names: lowercase alphanumerics and '-', starting and ending
 * alphanumeric, at most 63 characters.
 *
 * @public
 */
export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * A Slipway service name: a DNS-1123 label of 2 to 40 characters, so that
 * `<name>` fits every place it is used (namespace, service account, Argo CD
 * app, ECR repository, IAM role name with a prefix).
 *
 * @public
 */
export const SERVICE_NAME_PATTERN = '^[a-z]([-a-z0-9]{0,38}[a-z0-9])$';

/** ECR repository names (AWS's documented pattern). @public */
export const ECR_REPOSITORY_PATTERN =
  '^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$';

/** IAM role names: 1-64 of `[\w+=,.@-]`. @public */
export const IAM_ROLE_NAME_PATTERN = '^[\\w+=,.@-]{1,64}$';

/** True when `s` holds an ASCII control character (C0 or DEL). @public */
export function hasControlChar(s: string): boolean {
  return [...s].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** Characters that widen IAM conditions or escape paths. */
const DANGEROUS = /[*?:]|\.\./;

function dangerous(value: string, field: string): NameProblem {
  return DANGEROUS.test(value)
    ? `${field} must not contain '*', '?', ':' or '..' (got '${value}')`
    : undefined;
}

function typed(value: unknown, field: string): NameProblem {
  return typeof value === 'string' && value.length > 0
    ? undefined
    : `${field} is required`;
}

/** Checks a DNS-1123 label (namespace, service account). @public */
export function checkDnsLabel(value: unknown, field: string): NameProblem {
  const t = typed(value, field);
  if (t) return t;
  const v = value as string;
  if (v.length > 63)
    return `${field} must be at most 63 characters (got ${v.length})`;
  return (
    dangerous(v, field) ??
    (new RegExp(DNS1123_LABEL_PATTERN).test(v)
      ? undefined
      : `${field} must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit (got '${v}')`)
  );
}

/**
 * Namespaces no service may deploy into: the cluster's own (`kube-*`,
 * `default`) and Argo CD's. Installations add theirs with
 * `slipway.reservedNamespaces`.
 *
 * @public
 */
export const RESERVED_NAMESPACES: readonly string[] = [
  'kube-*',
  'default',
  'argocd',
];

/**
 * The namespace field's pattern for the form: a DNS-1123 label that is not
 * one of {@link RESERVED_NAMESPACES}.
 *
 * @public
 */
export const SERVICE_NAMESPACE_PATTERN =
  '^(?!kube-|default$|argocd$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** Whether `namespace` matches a reserved entry (`prefix-*` or an exact name). */
function reservedBy(namespace: string, reserved: readonly string[]) {
  return reserved.find(r =>
    r.endsWith('*') ? namespace.startsWith(r.slice(0, -1)) : namespace === r,
  );
}

/**
 * Checks the namespace a service deploys into: a DNS-1123 label, not
 * reserved by Kubernetes, Argo CD or the installation (`extraReserved`).
 *
 * @public
 */
export function checkServiceNamespace(
  value: unknown,
  field = 'namespace',
  extraReserved: readonly string[] = [],
): NameProblem {
  const label = checkDnsLabel(value, field);
  if (label) return label;
  const hit = reservedBy(value as string, [
    ...RESERVED_NAMESPACES,
    ...extraReserved,
  ]);
  return hit
    ? `${field} '${value}' is reserved (${hit}); services may not deploy into the cluster's, Argo CD's or the platform's own namespaces`
    : undefined;
}

/** Checks a service name (the wizard's "name"). @public */
export function checkServiceName(value: unknown, field = 'name'): NameProblem {
  const t = typed(value, field);
  if (t) return t;
  const v = value as string;
  if (v.length < 2 || v.length > 40) {
    return `${field} must be 2 to 40 characters (got ${v.length})`;
  }
  return (
    dangerous(v, field) ??
    (new RegExp(SERVICE_NAME_PATTERN).test(v)
      ? undefined
      : `${field} must start with a lowercase letter and hold only lowercase letters, digits and '-', not ending in '-' (got '${v}')`)
  );
}

/** Checks an ECR repository name. @public */
export function checkEcrRepositoryName(
  value: unknown,
  field = 'repositoryName',
): NameProblem {
  const t = typed(value, field);
  if (t) return t;
  const v = value as string;
  if (v.length < 2 || v.length > 256) {
    return `${field} must be 2 to 256 characters (got ${v.length})`;
  }
  return (
    dangerous(v, field) ??
    (new RegExp(ECR_REPOSITORY_PATTERN).test(v)
      ? undefined
      : `${field} must follow ECR's rules: lowercase letters, digits and '._-/' separators (got '${v}')`)
  );
}

/** Checks an IAM role name. @public */
export function checkIamRoleName(
  value: unknown,
  field = 'roleName',
): NameProblem {
  const t = typed(value, field);
  if (t) return t;
  const v = value as string;
  return (
    dangerous(v, field) ??
    (new RegExp(IAM_ROLE_NAME_PATTERN).test(v)
      ? undefined
      : `${field} must be 1 to 64 of letters, digits and '+=,.@_-' (got '${v}')`)
  );
}

/** Checks an IAM path: '/' or '/segment/.../'. @public */
export function checkIamPath(value: unknown, field = 'path'): NameProblem {
  const t = typed(value, field);
  if (t) return t;
  const v = value as string;
  return (
    dangerous(v, field) ??
    (/^\/(?:[\x21-\x7e]+\/)?$/.test(v) && v.length <= 512 && !v.includes('//')
      ? undefined
      : `${field} must start and end with '/' (got '${v}')`)
  );
}

/**
 * Checks a path inside a repository (e.g. `charts/<name>`): relative, no
 * `..`, no wildcard or ':', no leading '/', no backslash.
 *
 * @public
 */
export function checkRepoPath(value: unknown, field = 'path'): NameProblem {
  const t = typed(value, field);
  if (t) return t;
  const v = value as string;
  if (v.startsWith('/') || /^[A-Za-z]:/.test(v) || v.includes('\\')) {
    return `${field} must be a relative path inside the repository (got '${v}')`;
  }
  if (v.split('/').some(seg => seg === '' || seg === '.' || seg === '..')) {
    return `${field} must not hold empty, '.' or '..' segments (got '${v}')`;
  }
  return (
    dangerous(v, field) ??
    (/^[A-Za-z0-9._/-]+$/.test(v)
      ? undefined
      : `${field} holds characters outside [A-Za-z0-9._/-] (got '${v}')`)
  );
}

/**
 * Throws one InputError naming every problem found, or returns when all
 * checks pass. Use it first in a handler, before any upstream call.
 *
 * @public
 */
export function assertValid(...problems: NameProblem[]): void {
  const found = problems.filter((p): p is string => !!p);
  if (found.length) throw new InputError(found.join('; '));
}
