/*
 * The upstream part of app-config.yaml, pointed at a running sandbox, for
 * tests and benches that build Slipway's clients from config the way the
 * backend does (only endpoints and credentials differ from production).
 */

import { SANDBOX_CREDENTIALS } from './server';
import type { Sandbox } from './server';
import { SEED } from './seed';

/** Config data (as ConfigReader takes it) for every upstream of `sb`. */
export function sandboxAppConfig(sb: Sandbox) {
  return {
    integrations: {
      github: [
        {
          host: new URL(sb.urls.github).host,
          apiBaseUrl: sb.urls.githubApi,
          token: SANDBOX_CREDENTIALS.githubToken,
        },
      ],
    },
    aws: { mainAccount: { ...SANDBOX_CREDENTIALS.aws } },
    argocd: {
      appLocatorMethods: [
        {
          type: 'config',
          instances: [
            {
              name: 'sandbox',
              url: sb.urls.argocd,
              username: SANDBOX_CREDENTIALS.argocdUser,
              password: SANDBOX_CREDENTIALS.argocdPassword,
            },
          ],
        },
      ],
    },
    jenkins: {
      instances: [
        {
          name: 'default',
          baseUrl: sb.urls.jenkins,
          username: SANDBOX_CREDENTIALS.jenkinsUser,
          apiKey: SANDBOX_CREDENTIALS.jenkinsToken,
        },
      ],
    },
    slipway: {
      aws: {
        accountId: SEED.accountId,
        region: SEED.region,
        endpoint: sb.urls.aws,
        eks: { clusterName: SEED.cluster },
      },
      gitops: {
        helmCharts: {
          repoUrl: `${sb.urls.github}/${sb.helmCharts.owner}/${sb.helmCharts.repo}`,
          branch: sb.helmCharts.branch,
        },
      },
      argocd: { project: SEED.argocdProject },
    },
  };
}
