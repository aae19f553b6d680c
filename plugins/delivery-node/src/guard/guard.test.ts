import { ConfigReader } from '@backstage/config';
import { assertNoSandboxInProduction } from '.';

const sandbox = new ConfigReader({
  slipway: {
    aws: { endpoint: 'http://127.0.0.1:7072' },
    gitops: {
      helmCharts: { repoUrl: 'http://127.0.0.1:7071/slipway-demo/helm-charts' },
    },
  },
  argocd: {
    appLocatorMethods: [
      {
        type: 'config',
        instances: [{ name: 'sandbox', url: 'http://127.0.0.1:7073' }],
      },
    ],
  },
  jenkins: {
    instances: [{ name: 'default', baseUrl: 'http://127.0.0.1:7074' }],
  },
  aws: { mainAccount: { accessKeyId: 'AKIASLIPWAYSANDBOX01' } },
  events: { modules: { github: { webhookSecret: 'sandbox-webhook-secret' } } },
});

describe('assertNoSandboxInProduction', () => {
  it('refuses sandbox upstreams in production, naming each key', () => {
    expect(() =>
      assertNoSandboxInProduction(sandbox, { NODE_ENV: 'production' }),
    ).toThrow(
      /slipway\.aws\.endpoint.*slipway\.gitops\.helmCharts\.repoUrl.*argocd\.appLocatorMethods\[0\]\.instances\[0\]\.url.*jenkins\.instances\[0\]\.baseUrl.*aws\.mainAccount.*events\.modules\.github\.webhookSecret/,
    );
  });

  it('allows them outside production', () => {
    expect(() =>
      assertNoSandboxInProduction(sandbox, { NODE_ENV: 'development' }),
    ).not.toThrow();
  });

  it('allows real upstreams in production', () => {
    const real = new ConfigReader({
      slipway: {
        gitops: {
          helmCharts: { repoUrl: 'https://github.com/acme/helm-charts' },
        },
      },
      argocd: {
        appLocatorMethods: [
          {
            type: 'config',
            instances: [{ name: 'main', url: 'https://argocd.acme.io' }],
          },
        ],
      },
    });
    expect(() =>
      assertNoSandboxInProduction(real, { NODE_ENV: 'production' }),
    ).not.toThrow();
  });
});
