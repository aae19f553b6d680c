import { ConfigReader } from '@backstage/config';
import { applicationNameOf, namespaceIn, readEnvironments } from './settings';

const argocd = {
  appLocatorMethods: [
    {
      type: 'config',
      instances: [
        { name: 'nonprod', url: 'https://argocd-nonprod.example.com' },
        { name: 'prod', url: 'https://argocd-prod.example.com' },
      ],
    },
  ],
};

/** dev + staging on one cluster, prod on another behind pull requests. */
const ROAD = [
  {
    name: 'dev',
    argocd: {
      instance: 'nonprod',
      destination: { name: 'nonprod' },
      namespace: '{namespace}-{env}',
    },
    cluster: { name: 'eks-nonprod' },
  },
  {
    name: 'staging',
    argocd: {
      instance: 'nonprod',
      destination: { name: 'nonprod' },
      namespace: '{namespace}-{env}',
    },
    cluster: { name: 'eks-nonprod' },
  },
  {
    name: 'prod',
    argocd: {
      instance: 'prod',
      destination: { server: 'https://ABC.gr7.us-west-2.eks.amazonaws.com' },
    },
    cluster: {
      name: 'eks-prod',
      oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
    },
    changes: 'pull-request',
  },
];

const read = (environments: unknown, extra: object = {}) =>
  readEnvironments(
    new ConfigReader({
      argocd,
      slipway: { environments, ...extra },
    } as any),
  );

describe('readEnvironments', () => {
  it('reads a road of three environments on two clusters, defaults filled in', () => {
    const envs = read(ROAD);
    expect(envs.map(e => [e.name, e.changes])).toEqual([
      ['dev', 'commit'],
      ['staging', 'commit'],
      ['prod', 'pull-request'],
    ]);
    expect(envs[2]).toEqual({
      name: 'prod',
      argocd: {
        instance: 'prod',
        destination: {
          server: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
          name: undefined,
        },
        namespace: '{namespace}',
      },
      cluster: {
        name: 'eks-prod',
        oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
      },
      changes: 'pull-request',
    });
    expect(envs.map(e => namespaceIn(e, 'payments'))).toEqual([
      'payments-dev',
      'payments-staging',
      'payments',
    ]);
    expect(applicationNameOf('payments-api', 'prod')).toBe('payments-api-prod');
  });

  it('falls back to the older slipway.gitops.environments names on one cluster', () => {
    const envs = readEnvironments(
      new ConfigReader({
        slipway: {
          gitops: { environments: ['dev', 'prod'] },
          aws: { eks: { clusterName: 'main' } },
          argocd: { destinationServer: 'https://kubernetes.default.svc' },
        },
      }),
    );
    expect(envs.map(e => [e.name, namespaceIn(e, 'shop'), e.cluster])).toEqual([
      ['dev', 'shop', { name: 'main' }],
      ['prod', 'shop-prod', { name: 'main' }],
    ]);
  });

  it.each([
    ['an empty list', [], /must list at least one environment/],
    [
      'a name twice',
      [ROAD[0], { ...ROAD[1], name: 'dev' }],
      /\[1\]\.name 'dev' appears twice/,
    ],
    [
      'a name that is not a DNS label',
      [{ ...ROAD[0], name: 'Dev_1' }],
      /\[0\]\.name must be a lowercase DNS label/,
    ],
    [
      'a destination with both server and name',
      [
        {
          ...ROAD[0],
          argocd: {
            ...ROAD[0].argocd,
            destination: { name: 'x', server: 'https://x.example.com' },
          },
        },
      ],
      /exactly one of server and name/,
    ],
    [
      'an unknown Argo CD instance',
      [{ ...ROAD[0], argocd: { ...ROAD[0].argocd, instance: 'nope' } }],
      /instance 'nope' is not in argocd.appLocatorMethods \(nonprod, prod\)/,
    ],
    [
      'a namespace pattern without {namespace}',
      [{ ...ROAD[0], argocd: { ...ROAD[0].argocd, namespace: 'shared' } }],
      /must hold \{namespace\}/,
    ],
    [
      'an unknown placeholder',
      [
        {
          ...ROAD[0],
          argocd: { ...ROAD[0].argocd, namespace: '{team}-{namespace}' },
        },
      ],
      /may use only \{namespace\} and \{env\}/,
    ],
    [
      'two environments in one namespace of one cluster',
      [
        ROAD[0],
        {
          ...ROAD[1],
          argocd: { ...ROAD[1].argocd, namespace: '{namespace}-dev' },
        },
      ],
      /\(staging\) deploys to the same cluster and namespace as dev/,
    ],
    [
      'pull requests into the first environment',
      [{ ...ROAD[0], changes: 'pull-request' }, ROAD[2]],
      /\(dev\) is the first environment/,
    ],
    [
      'an unknown kind of change',
      [ROAD[0], { ...ROAD[2], changes: 'email' }],
      /changes must be 'commit' or 'pull-request' \(got 'email'\)/,
    ],
    [
      'no cluster for IRSA',
      [{ ...ROAD[0], cluster: undefined }],
      /\[0\]\.cluster\.name is missing/,
    ],
    [
      'an issuer that is not https',
      [
        {
          ...ROAD[0],
          cluster: { name: 'x', oidcIssuer: 'http://oidc.example.com/id/1' },
        },
      ],
      /oidcIssuer must be the cluster's https issuer URL/,
    ],
  ])('refuses %s with a message naming it', (_, environments, message) => {
    expect(() => read(environments)).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(() =>
      read([
        { ...ROAD[0], name: 'DEV' },
        { ...ROAD[2], argocd: { ...ROAD[2].argocd, instance: 'gone' } },
      ]),
    ).toThrow(/Invalid environments configuration: .*DEV.*; .*instance 'gone'/);
  });

  it('refuses both the new and the older setting', () => {
    expect(() => read(ROAD, { gitops: { environments: ['dev'] } })).toThrow(
      /not both/,
    );
  });
});
