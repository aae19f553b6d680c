/*
 * app-config.yaml points every upstream at the local sandbox, and
 * app-config.production.yaml replaces each value from the environment. A
 * variable missing in production would let the sandbox value show through;
 * this refuses to start instead, naming the key.
 */

import { Config } from '@backstage/config';
import { SANDBOX_SECRETS } from './sandboxValues';

export { SANDBOX_SECRETS, SANDBOX_WELL_KNOWN } from './sandboxValues';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1', '0.0.0.0']);

/** Every string in a config tree, with its dotted key (`a.b[0].c`). */
function* leaves(value: unknown, key = ''): Generator<[string, string]> {
  if (typeof value === 'string') {
    yield [key, value];
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* leaves(v, `${key}[${i}]`);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      yield* leaves(v, key ? `${key}.${k}` : k);
    }
  }
}

function loopbackUrl(value: string | undefined): boolean {
  if (!value) return false;
  try {
    return LOOPBACK.has(new URL(value).hostname);
  } catch {
    return false;
  }
}

/**
 * With NODE_ENV=production, throws when any upstream Slipway calls is a
 * loopback address (the sandbox's), or the sandbox's AWS access key is in
 * use. Call it first in every module's init.
 *
 * @public
 */
export function assertNoSandboxInProduction(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): void {
  if (env.NODE_ENV !== 'production') return;
  const problems: string[] = [];
  const check = (key: string, value: string | undefined) => {
    if (loopbackUrl(value)) problems.push(`${key} (${value})`);
  };
  check(
    'slipway.aws.endpoint',
    config.getOptionalString('slipway.aws.endpoint'),
  );
  check(
    'slipway.gitops.helmCharts.repoUrl',
    config.getOptionalString('slipway.gitops.helmCharts.repoUrl'),
  );
  (config.getOptionalConfigArray('argocd.appLocatorMethods') ?? []).forEach(
    (m, i) =>
      (m.getOptionalConfigArray('instances') ?? []).forEach((inst, j) =>
        check(
          `argocd.appLocatorMethods[${i}].instances[${j}].url`,
          inst.getOptionalString('url'),
        ),
      ),
  );
  (config.getOptionalConfigArray('jenkins.instances') ?? []).forEach((j, i) =>
    check(`jenkins.instances[${i}].baseUrl`, j.getOptionalString('baseUrl')),
  );
  (config.getOptionalConfigArray('integrations.github') ?? []).forEach((g, i) =>
    check(
      `integrations.github[${i}].apiBaseUrl`,
      g.getOptionalString('apiBaseUrl'),
    ),
  );
  // Any of the sandbox's secrets, wherever it shows through.
  for (const [key, value] of leaves(config.get())) {
    const secret = SANDBOX_SECRETS.find(([v]) => v === value);
    if (secret) problems.push(`${key} (${secret[1]})`);
  }
  if (problems.length) {
    throw new Error(
      `Slipway refuses to start with NODE_ENV=production while these point at the local sandbox: ${problems.join(
        ', ',
      )}. Set the environment variables app-config.production.yaml reads.`,
    );
  }
}
