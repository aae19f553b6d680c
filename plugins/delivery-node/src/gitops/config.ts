import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { readEnvironments } from '../environments';

/** The helm-charts repository settings (`slipway.gitops.helmCharts`). @public */
export interface HelmChartsSettings {
  /** Web URL, e.g. https://github.com/acme/helm-charts (no `.git`). */
  repoUrl: string;
  /** Branch Argo CD deploys from. */
  branch: string;
  /** Commit straight to the branch, or open a pull request. */
  mode: 'push' | 'pull-request';
}

/** Everything `slipway.gitops` holds, with defaults filled in. @public */
export interface GitOpsSettings {
  helmCharts: HelmChartsSettings;
  /** Base chart folder, as configured (relative to the working directory). */
  baseChartDir: string;
  /** The names of `slipway.environments`, in promotion order (readEnvironments has the rest). */
  environments: string[];
}

/** Reads `slipway.gitops.helmCharts`. @public */
export function readHelmChartsSettings(config: Config): HelmChartsSettings {
  const c = config.getConfig('slipway.gitops.helmCharts');
  const repoUrl = c
    .getString('repoUrl')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  let parsed: URL;
  try {
    parsed = new URL(repoUrl);
  } catch {
    throw new InputError(
      `slipway.gitops.helmCharts.repoUrl is not a URL: '${repoUrl}'`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new InputError(
      'slipway.gitops.helmCharts.repoUrl must not carry credentials; the token comes from integrations.github',
    );
  }
  if (parsed.pathname.replace(/^\/+|\/+$/g, '').split('/').length !== 2) {
    throw new InputError(
      `slipway.gitops.helmCharts.repoUrl must be https://<host>/<owner>/<repo> (got '${repoUrl}')`,
    );
  }
  const mode = c.getOptionalString('mode') ?? 'push';
  if (mode !== 'push' && mode !== 'pull-request') {
    throw new InputError(
      `slipway.gitops.helmCharts.mode must be 'push' or 'pull-request' (got '${mode}')`,
    );
  }
  return { repoUrl, branch: c.getOptionalString('branch') ?? 'main', mode };
}

/** Reads `slipway.gitops` with its defaults. @public */
export function readGitOpsSettings(config: Config): GitOpsSettings {
  return {
    helmCharts: readHelmChartsSettings(config),
    baseChartDir:
      config.getOptionalString('slipway.gitops.baseChartDir') ??
      '../../charts/service',
    environments: readEnvironments(config).map(e => e.name),
  };
}

/**
 * `slipway.reservedNamespaces`: namespaces (exact, or `prefix-*`) no service
 * may deploy into, on top of RESERVED_NAMESPACES (`kube-*`, `default`,
 * `argocd`). Each entry must be a DNS-1123 label, optionally ending in `*`.
 *
 * @public
 */
export function readReservedNamespaces(config: Config): string[] {
  const list =
    config.getOptionalStringArray('slipway.reservedNamespaces') ?? [];
  const bad = list.filter(n => !/^[a-z0-9]([-a-z0-9]*[a-z0-9-])?\*?$/.test(n));
  if (bad.length) {
    throw new InputError(
      `slipway.reservedNamespaces holds entries that are neither a namespace nor 'prefix-*': ${bad.join(
        ', ',
      )}`,
    );
  }
  return list;
}
