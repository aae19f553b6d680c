/*
 * The environments a service is deployed to (`slipway.environments`), in
 * promotion order: where each one's Argo CD Application goes, which EKS
 * cluster's OIDC provider the service's IAM role trusts for it, and how a
 * promotion reaches it. One list read by the wizard's actions, the delivery
 * backend and the template's environment picker.
 */

import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** How a promotion reaches an environment. @public */
export type EnvironmentChanges = 'commit' | 'pull-request';

/** One environment of `slipway.environments`, defaults filled in. @public */
export interface EnvironmentSettings {
  /** Lowercase DNS label: `values-<name>.yaml`, Application `<service>-<name>`. */
  name: string;
  argocd: {
    /** Argo CD instance (argocd.appLocatorMethods); undefined: the default instance. */
    instance?: string;
    /** The Application's destination cluster: exactly one of server and name. */
    destination: { server?: string; name?: string };
    /** Namespace pattern: `{namespace}` is the service's namespace, `{env}` this environment. */
    namespace: string;
  };
  /**
   * The EKS cluster the environment runs on: its OIDC provider is trusted by
   * the role. Undefined only in the legacy form without slipway.aws.eks.
   */
  cluster?: {
    name: string;
    /**
     * The cluster's OIDC issuer URL, when Slipway cannot read it with
     * DescribeCluster (a cluster in another AWS account). Default: read.
     */
    oidcIssuer?: string;
  };
  /** `commit`: promotion commits to helm-charts; `pull-request`: it opens a pull request. */
  changes: EnvironmentChanges;
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const ARGO_CLUSTER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9._]{0,251}[A-Za-z0-9])?$/;
const NAMESPACE_SAMPLE = 'service-namespace';
const KEY = 'slipway.environments';

/** The Argo CD Application of `service` in `environment`. @public */
export function applicationNameOf(service: string, environment: string) {
  return `${service}-${environment}`;
}

/**
 * Every Argo CD Application name a service may have, with the instance it
 * is on (undefined: the default instance): one per environment, and the
 * single `<service>` Application of services created before environments.
 *
 * @public
 */
export function serviceApplications(
  environments: EnvironmentSettings[],
  service: string,
): Array<{ instance?: string; appName: string }> {
  return [
    { appName: service },
    ...environments.map(e => ({
      instance: e.argocd.instance,
      appName: applicationNameOf(service, e.name),
    })),
  ];
}

/** The namespace `service` is deployed to in `environment` (its pattern filled in). @public */
export function namespaceIn(env: EnvironmentSettings, namespace: string) {
  return env.argocd.namespace
    .replace(/\{namespace\}/g, namespace)
    .replace(/\{env\}/g, env.name);
}

/** A cluster key: two environments with the same key deploy to the same place. */
function placeOf(env: EnvironmentSettings) {
  const d = env.argocd.destination;
  return `${env.argocd.instance ?? ''} ${d.server ?? ''} ${d.name ?? ''}`;
}

function checkNamespacePattern(pattern: string, at: string): string[] {
  const problems: string[] = [];
  if (!pattern.includes('{namespace}')) {
    problems.push(
      `${at}.argocd.namespace must hold {namespace} (got '${pattern}')`,
    );
  }
  const rest = pattern.replace(/\{namespace\}|\{env\}/g, '');
  if (/[{}]/.test(rest)) {
    problems.push(
      `${at}.argocd.namespace may use only {namespace} and {env} (got '${pattern}')`,
    );
  }
  const sample = pattern
    .replace(/\{namespace\}/g, NAMESPACE_SAMPLE)
    .replace(/\{env\}/g, 'env');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(sample)) {
    problems.push(
      `${at}.argocd.namespace must give a DNS label (got '${pattern}')`,
    );
  }
  return problems;
}

function checkUrl(value: string, field: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
    if (u.username || u.password) {
      return `${field} must not carry credentials`;
    }
    return undefined;
  } catch {
    return `${field} must be an http(s) URL (got '${value}')`;
  }
}

function argocdInstanceNames(config: Config): string[] {
  return (config.getOptionalConfigArray('argocd.appLocatorMethods') ?? [])
    .flatMap(m => m.getOptionalConfigArray('instances') ?? [])
    .map(i => i.getString('name'));
}

function readOne(
  c: Config,
  at: string,
  defaults: { server: string; cluster?: string },
): EnvironmentSettings {
  const argocd = c.getOptionalConfig('argocd');
  const server = argocd?.getOptionalString('destination.server');
  const clusterName = argocd?.getOptionalString('destination.name');
  const changes = c.getOptionalString('changes') ?? 'commit';
  if (changes !== 'commit' && changes !== 'pull-request') {
    throw new InputError(
      `${at}.changes must be 'commit' or 'pull-request' (got '${changes}')`,
    );
  }
  const eks = c.getOptionalString('cluster.name') ?? defaults.cluster;
  if (eks === undefined) {
    throw new InputError(
      `${at}.cluster.name is missing: name the EKS cluster whose OIDC provider the service's IAM role trusts (or set slipway.aws.eks.clusterName)`,
    );
  }
  return {
    name: c.getString('name'),
    argocd: {
      instance: argocd?.getOptionalString('instance'),
      destination:
        server === undefined && clusterName === undefined
          ? { server: defaults.server }
          : { server, name: clusterName },
      namespace: argocd?.getOptionalString('namespace') ?? '{namespace}',
    },
    cluster: {
      name: eks,
      oidcIssuer: c.getOptionalString('cluster.oidcIssuer'),
    },
    changes,
  };
}

/** The legacy form: `slipway.gitops.environments` names on the one configured cluster. */
function legacy(
  config: Config,
  defaults: { server: string; cluster?: string },
): EnvironmentSettings[] {
  const names = config.getOptionalStringArray(
    'slipway.gitops.environments',
  ) ?? ['dev', 'staging', 'prod'];
  return names.map((name, i) => ({
    name,
    argocd: {
      destination: { server: defaults.server },
      // One cluster: each environment after the first gets its own namespace.
      namespace: i === 0 ? '{namespace}' : '{namespace}-{env}',
    },
    ...(defaults.cluster ? { cluster: { name: defaults.cluster } } : {}),
    changes: 'commit' as const,
  }));
}

/**
 * Reads `slipway.environments` (or the legacy `slipway.gitops.environments`
 * names) and refuses a list the portal cannot deploy with one InputError
 * naming every problem: no environment, a name that is not a DNS label or
 * appears twice, a destination with both or neither of server and name, an
 * unknown Argo CD instance, a namespace pattern without `{namespace}`, two
 * environments deploying to the same namespace of the same cluster, or a
 * first environment that asks for pull requests (nothing is promoted into
 * it: CI's builds deploy it).
 *
 * @public
 */
export function readEnvironments(config: Config): EnvironmentSettings[] {
  const defaults = {
    server:
      config.getOptionalString('slipway.argocd.destinationServer') ??
      'https://kubernetes.default.svc',
    cluster: config.getOptionalString('slipway.aws.eks.clusterName'),
  };
  const listed = config.getOptionalConfigArray(KEY);
  if (listed && config.has('slipway.gitops.environments')) {
    throw new InputError(
      `Set ${KEY} or the older slipway.gitops.environments, not both`,
    );
  }
  const envs = listed
    ? listed.map((c, i) => readOne(c, `${KEY}[${i}]`, defaults))
    : legacy(config, defaults);
  const where = listed ? KEY : 'slipway.gitops.environments';

  const problems: string[] = [];
  if (envs.length === 0) {
    problems.push(`${where} must list at least one environment`);
  }
  const instances = argocdInstanceNames(config);
  const seen = new Map<string, string>();
  envs.forEach((env, i) => {
    const at = `${where}[${i}]`;
    if (!ENV_NAME.test(env.name)) {
      problems.push(
        `${at}.name must be a lowercase DNS label of at most 32 characters (got '${env.name}')`,
      );
    } else if (envs.findIndex(e => e.name === env.name) !== i) {
      problems.push(`${at}.name '${env.name}' appears twice`);
    }
    const d = env.argocd.destination;
    if ((d.server === undefined) === (d.name === undefined)) {
      problems.push(
        `${at}.argocd.destination must have exactly one of server and name`,
      );
    }
    const serverProblem =
      d.server === undefined
        ? undefined
        : checkUrl(d.server, `${at}.argocd.destination.server`);
    if (serverProblem) problems.push(serverProblem);
    if (d.name !== undefined && !ARGO_CLUSTER_NAME.test(d.name)) {
      problems.push(
        `${at}.argocd.destination.name is not an Argo CD cluster name (got '${d.name}')`,
      );
    }
    const instance = env.argocd.instance;
    if (instance !== undefined && !instances.includes(instance)) {
      problems.push(
        `${at}.argocd.instance '${instance}' is not in argocd.appLocatorMethods (${
          instances.join(', ') || 'none configured'
        })`,
      );
    }
    problems.push(...checkNamespacePattern(env.argocd.namespace, at));
    if (env.cluster && !CLUSTER_NAME.test(env.cluster.name)) {
      problems.push(
        `${at}.cluster.name is not an EKS cluster name (got '${env.cluster.name}')`,
      );
    }
    const issuer = env.cluster?.oidcIssuer;
    if (
      issuer !== undefined &&
      !/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(issuer)
    ) {
      problems.push(
        `${at}.cluster.oidcIssuer must be the cluster's https issuer URL (got '${issuer}')`,
      );
    }
    if (i === 0 && env.changes === 'pull-request') {
      problems.push(
        `${at} (${env.name}) is the first environment: CI's builds deploy it and nothing is promoted into it, so changes: pull-request has no meaning there`,
      );
    }
    const place = `${placeOf(env)} ${env.argocd.namespace.replace(
      /\{env\}/g,
      env.name,
    )}`;
    const other = seen.get(place);
    if (other !== undefined) {
      problems.push(
        `${at} (${env.name}) deploys to the same cluster and namespace as ${other}; give one of them its own namespace pattern (e.g. '{namespace}-{env}')`,
      );
    }
    seen.set(place, env.name);
  });
  if (problems.length) {
    throw new InputError(
      `Invalid environments configuration: ${problems.join('; ')}`,
    );
  }
  return envs;
}

/** The environment named `name`, or an InputError listing the configured ones. @public */
export function environmentNamed(
  envs: EnvironmentSettings[],
  name: unknown,
  field = 'environment',
): EnvironmentSettings {
  const env = envs.find(e => e.name === name);
  if (!env) {
    throw new InputError(
      `${field} must be one of ${envs
        .map(e => e.name)
        .join(', ')} (got '${String(name)}')`,
    );
  }
  return env;
}
