import { ConfigReader } from '@backstage/config';
import {
  assertNoSandboxInProduction,
  SANDBOX_SECRETS,
  SANDBOX_WELL_KNOWN,
} from '.';

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
      /slipway\.aws\.endpoint.*slipway\.gitops\.helmCharts\.repoUrl.*argocd\.appLocatorMethods\[0\]\.instances\[0\]\.url.*jenkins\.instances\[0\]\.baseUrl.*aws\.mainAccount\.accessKeyId \(the sandbox's AWS access key\).*events\.modules\.github\.webhookSecret \(the sandbox's webhook secret\)/,
    );
  });

  it("refuses each of the sandbox's secrets wherever it shows through in production", () => {
    for (const [value, what] of SANDBOX_SECRETS) {
      const config = new ConfigReader({
        integrations: { github: [{ host: 'github.com', token: value }] },
      });
      expect(() =>
        assertNoSandboxInProduction(config, { NODE_ENV: 'production' }),
      ).toThrow(`integrations.github[0].token (${what})`);
    }
    expect(SANDBOX_SECRETS.map(([v]) => v)).toEqual(
      expect.arrayContaining([
        SANDBOX_WELL_KNOWN.githubToken,
        SANDBOX_WELL_KNOWN.awsSecretAccessKey,
        SANDBOX_WELL_KNOWN.webhookSecret,
      ]),
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
