/*
 * What app-config.production.yaml resolves to, merged over app-config.yaml:
 * every sandbox endpoint and sandbox credential that the local default sets
 * is replaced or removed, and every per-installation value comes from the
 * environment.
 */

import { ConfigSources } from '@backstage/config-loader';
import { assertNoSandboxInProduction } from '@internal/backstage-plugin-delivery-node';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

const ENV = {
  APP_BASE_URL: 'https://portal.example.com',
  POSTGRES_HOST: 'db.example.com',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'backstage',
  POSTGRES_PASSWORD: 'pg-secret',
  REDIS_URL: 'redis://:redis-secret@redis.example.com:6379',
  GITHUB_HOST: 'github.example.com',
  GITHUB_API_BASE_URL: 'https://github.example.com/api/v3',
  GITHUB_TOKEN: 'gh-secret',
  GITHUB_WEBHOOK_SECRET: 'webhook-secret',
  AUTH_GITHUB_CLIENT_ID: 'client',
  AUTH_GITHUB_CLIENT_SECRET: 'client-secret',
  AWS_ACCOUNT_ID: '210987654321',
  AWS_REGION: 'us-west-2',
  EKS_CLUSTER_NAME: 'prod',
  EKS_NODE_ROLE_ARN: 'arn:aws:iam::210987654321:role/prod-node',
  SLIPWAY_PERMISSIONS_BOUNDARY_ARN: 'arn:aws:iam::210987654321:policy/boundary',
  HELM_CHARTS_REPO_URL: 'https://github.example.com/acme/helm-charts',
  ARGOCD_URL: 'https://argocd.example.com',
  ARGOCD_TOKEN: 'argo-secret',
  ARGOCD_PROJECT: 'services',
  JENKINS_URL: 'https://jenkins.example.com',
  JENKINS_USERNAME: 'slipway',
  JENKINS_API_TOKEN: 'jenkins-secret',
};

const SECRETS = [
  'pg-secret',
  'redis-secret',
  'gh-secret',
  'client-secret',
  'argo-secret',
  'jenkins-secret',
];

async function load(files: string[], env: Record<string, string>) {
  const source = ConfigSources.defaultForTargets({
    rootDir: ROOT,
    targets: files.map(f => ({
      type: 'path' as const,
      target: path.join(ROOT, f),
    })),
    substitutionFunc: async name => env[name],
  });
  return ConfigSources.toConfig(source);
}

describe('app-config.production.yaml', () => {
  it('leaves nothing pointing at the sandbox and takes every upstream from the environment', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      ENV,
    );
    const flat = JSON.stringify(config.get());
    expect(flat).not.toMatch(/127\.0\.0\.1|localhost|sandbox/i);

    expect(config.getOptional('aws.mainAccount')).toBeUndefined();
    expect(config.getOptional('slipway.aws.endpoint')).toBeUndefined();
    expect(config.getString('slipway.aws.accountId')).toBe('210987654321');
    expect(config.getString('slipway.aws.iam.permissionsBoundaryArn')).toBe(
      ENV.SLIPWAY_PERMISSIONS_BOUNDARY_ARN,
    );
    expect(
      config
        .getConfigArray('integrations.github')
        .map(c => c.getString('host')),
    ).toEqual(['github.example.com']);
    const instances = config
      .getConfigArray('argocd.appLocatorMethods')[0]
      .getConfigArray('instances');
    expect(instances.map(i => i.getString('url'))).toEqual([
      'https://argocd.example.com',
    ]);
    expect(config.getOptional('auth.providers.guest')).toBeDefined(); // refused at run time by NODE_ENV=production
    // Removed: the backend would refuse to start with it in production.
    expect(config.getOptional('auth.providers.development')).toBeUndefined();
    expect(config.getString('backend.database.client')).toBe('pg');
  });

  it('keeps no secret in the files: every secret is an environment substitution', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      ENV,
    );
    const flat = JSON.stringify(config.get());
    for (const secret of SECRETS) {
      expect(flat).toContain(secret);
    }
    const empty = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      {},
    );
    const emptyFlat = JSON.stringify(empty.get());
    for (const secret of SECRETS) {
      expect(emptyFlat).not.toContain(secret);
    }
  });

  it('drops the development automation token: production lets no caller in without its own credentials', async () => {
    const dev = await load(['app-config.yaml'], {});
    expect(
      dev
        .getConfigArray('backend.auth.externalAccess')
        .map(c => c.getString('options.token')),
    ).toEqual(['slipway-dev-automation-token']);
    const prod = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      ENV,
    );
    expect(prod.getConfigArray('backend.auth.externalAccess')).toEqual([]);
    expect(JSON.stringify(prod.get())).not.toContain(
      'slipway-dev-automation-token',
    );
  });

  it('refuses to start when an unset variable lets a sandbox value show through', async () => {
    const empty = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      {},
    );
    // With GITHUB_WEBHOOK_SECRET unset, app-config.yaml's sandbox secret is
    // what the merged config holds: anyone could sign webhooks with it.
    expect(empty.getString('events.modules.github.webhookSecret')).toBe(
      'sandbox-webhook-secret',
    );
    expect(() =>
      assertNoSandboxInProduction(empty, { NODE_ENV: 'production' }),
    ).toThrow(/events\.modules\.github\.webhookSecret/);
    // Every sandbox value left in the merged config is named by the guard.
    const guard = (() => {
      try {
        assertNoSandboxInProduction(empty, { NODE_ENV: 'production' });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    const leaks = JSON.stringify(empty.get()).match(/sandbox-[a-z-]+/g) ?? [];
    expect(leaks.length).toBeGreaterThan(0);
    expect(guard).toMatch(/the sandbox's webhook secret/);
    // With every variable set, the guard lets the backend start.
    const full = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      ENV,
    );
    expect(() =>
      assertNoSandboxInProduction(full, { NODE_ENV: 'production' }),
    ).not.toThrow();
  });

  it('points the local default at the sandbox', async () => {
    const config = await load(['app-config.yaml'], {});
    expect(config.getString('slipway.aws.endpoint')).toBe(
      'http://127.0.0.1:7072',
    );
    expect(
      config.getConfigArray('integrations.github')[0].getString('apiBaseUrl'),
    ).toBe('http://127.0.0.1:7071/api/v3');
  });
});
