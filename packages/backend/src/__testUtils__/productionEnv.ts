/*
 * The environment an installation gives the production config
 * (app-config.production.yaml's header lists it), for tests that boot the
 * backend with it: PostgreSQL from the test's server, everything else
 * values of an installation that nothing calls at start-up.
 */

import type { TestPostgres } from './postgres';

export function productionEnv(
  baseUrl: string,
  pg: TestPostgres,
): Record<string, string> {
  return {
    APP_BASE_URL: baseUrl,
    POSTGRES_HOST: pg.host,
    POSTGRES_PORT: String(pg.port),
    POSTGRES_USER: pg.user,
    POSTGRES_PASSWORD: pg.password,
    REDIS_URL: 'redis://127.0.0.1:6399',
    AUTH_GITHUB_CLIENT_ID: 'test-client-id',
    AUTH_GITHUB_CLIENT_SECRET: 'test-client-secret',
    // Upstreams as an installation sets them; nothing is called at start-up.
    GITHUB_HOST: 'github.example.com',
    GITHUB_API_BASE_URL: 'https://github.example.com/api/v3',
    GITHUB_TOKEN: 'test-github-token',
    GITHUB_WEBHOOK_SECRET: 'test-webhook-secret',
    AWS_ACCOUNT_ID: '210987654321',
    AWS_REGION: 'us-west-2',
    EKS_CLUSTER_NAME: 'prod',
    EKS_NODE_ROLE_ARN: 'arn:aws:iam::210987654321:role/prod-node',
    SLIPWAY_PERMISSIONS_BOUNDARY_ARN:
      'arn:aws:iam::210987654321:policy/slipway-boundary',
    HELM_CHARTS_REPO_URL: 'https://github.example.com/acme/helm-charts',
    ARGOCD_URL: 'https://argocd.example.com',
    ARGOCD_TOKEN: 'test-argocd-token',
    ARGOCD_PROJECT: 'services',
    JENKINS_URL: 'https://jenkins.example.com',
    JENKINS_USERNAME: 'slipway',
    JENKINS_API_TOKEN: 'jenkins-secret',
  };
}
