import { ConfigReader } from '@backstage/config';
import { readSlipwayAwsSettings } from './settings';
import { AwsClients } from './AwsClients';

const base = {
  accountId: '123456789012',
  region: 'eu-west-1',
  iam: {
    permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
    allowedPolicies: [
      {
        name: 's3-read',
        statements: [
          { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] },
        ],
      },
    ],
  },
  eks: { clusterName: 'dev' },
};

function read(aws: object) {
  return readSlipwayAwsSettings(new ConfigReader({ slipway: { aws } }));
}

function withPolicy(statements: object[], name = 'p') {
  return read({
    ...base,
    iam: { ...base.iam, allowedPolicies: [{ name, statements }] },
  });
}

describe('readSlipwayAwsSettings', () => {
  it('fills in the documented defaults', () => {
    const s = read(base);
    expect(s.ecr).toEqual({
      imageTagMutability: 'IMMUTABLE',
      encryption: { type: 'AES256' },
      lifecycle: { keepTaggedImages: 30, expireUntaggedAfterDays: 7 },
      pullPrincipals: [],
    });
    expect(s.iam!.rolePath).toBe('/slipway/');
    expect(s.partition).toBe('aws');
    expect(Object.isFrozen(s.iam!.allowedPolicies[0])).toBe(true);
  });

  it.each([
    [
      "action '*' on resource '*'",
      [{ actions: ['*'], resources: ['*'] }],
      "action '*' matches every AWS service",
    ],
    [
      "action '*' on a named resource",
      [{ actions: ['*'], resources: ['arn:aws:s3:::b'] }],
      'matches every AWS service',
    ],
    [
      "action '*:*'",
      [{ actions: ['*:*'], resources: ['arn:aws:s3:::b'] }],
      'matches every AWS service',
    ],
    [
      "service-wide 's3:*' on '*'",
      [{ actions: ['s3:*'], resources: ['*'] }],
      "wildcard action(s) 's3:*' on total resource '*'",
    ],
    [
      "'s3:Get*' on 'arn:aws:s3:::*'",
      [{ actions: ['s3:Get*'], resources: ['arn:aws:s3:::*'] }],
      'on total resource',
    ],
    [
      "'iam:*' on 'arn:*'",
      [{ actions: ['iam:*'], resources: ['arn:*'] }],
      'on total resource',
    ],
    [
      'a statement without actions',
      [{ actions: [], resources: ['arn:aws:s3:::b'] }],
      'has no actions',
    ],
    [
      'a malformed action',
      [{ actions: ['GetObject'], resources: ['arn:aws:s3:::b'] }],
      'is not an IAM action',
    ],
  ])(
    'refuses an allowed policy with %s at start-up',
    (_, statements, message) => {
      expect(() => withPolicy(statements)).toThrow(message);
    },
  );

  it('accepts named actions on resource * (some AWS actions need it) and wildcards on named resources', () => {
    expect(() =>
      withPolicy([
        { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
        { actions: ['s3:Get*'], resources: ['arn:aws:s3:::b/*'] },
      ]),
    ).not.toThrow();
  });

  it('refuses duplicated allowed policy names', () => {
    const p = base.iam.allowedPolicies[0];
    expect(() =>
      read({ ...base, iam: { ...base.iam, allowedPolicies: [p, p] } }),
    ).toThrow("the name 's3-read' is used more than once");
  });

  it.each([
    [
      'a short account id',
      { accountId: '1234' },
      'accountId must be 12 digits',
    ],
    ['a bad region', { region: 'europe' }, 'is not an AWS region'],
    [
      'a non-URL endpoint',
      { endpoint: 'localhost:7072' },
      'endpoint must be an http(s) URL',
    ],
    [
      'a wildcard pull principal',
      { ecr: { pullPrincipals: ['arn:aws:iam::123456789012:role/*'] } },
      'pullPrincipals',
    ],
    [
      'a kmsKey with AES256',
      { ecr: { encryption: { type: 'AES256', kmsKey: 'alias/x' } } },
      'only valid with type KMS',
    ],
    [
      'a zero lifecycle count',
      { ecr: { lifecycle: { keepTaggedImages: 0 } } },
      'keepTaggedImages must be an integer',
    ],
    [
      'a role path with ..',
      { iam: { ...base.iam, rolePath: '/a/../' } },
      'rolePath',
    ],
    [
      'a boundary that is not a policy ARN',
      { iam: { ...base.iam, permissionsBoundaryArn: '*' } },
      'permissionsBoundaryArn',
    ],
  ])('refuses %s', (_, patch, message) => {
    expect(() => read({ ...base, ...patch })).toThrow(message);
  });

  it('says so when slipway.aws is missing', () => {
    expect(() => readSlipwayAwsSettings(new ConfigReader({}))).toThrow(
      'slipway.aws is not configured',
    );
  });
});

describe('AwsClients', () => {
  it('puts IAM in us-east-1 against real AWS and in the configured region with an endpoint', async () => {
    const real = AwsClients.fromConfig(
      new ConfigReader({ slipway: { aws: base } }),
    );
    expect(await real.iam.config.region()).toBe('us-east-1');
    expect(await real.ecr.config.region()).toBe('eu-west-1');
    const sandbox = AwsClients.fromConfig(
      new ConfigReader({
        slipway: { aws: { ...base, endpoint: 'http://127.0.0.1:1' } },
      }),
    );
    expect(await sandbox.iam.config.region()).toBe('eu-west-1');
  });

  it('asks the credentials manager for the configured account, lazily', async () => {
    const getCredentialProvider = jest.fn(async () => ({
      sdkCredentialProvider: async () => ({
        accessKeyId: 'a',
        secretAccessKey: 'b',
      }),
    }));
    const clients = AwsClients.fromConfig(
      new ConfigReader({ slipway: { aws: base } }),
      {
        credentialsManager: { getCredentialProvider },
      },
    );
    expect(getCredentialProvider).not.toHaveBeenCalled();
    const creds = await (clients.ecr.config.credentials as any)();
    expect(creds.accessKeyId).toBe('a');
    expect(getCredentialProvider).toHaveBeenCalledWith({
      accountId: '123456789012',
    });
  });
});
