/*
 * Round trips through the real AWS SDK v3 clients, pointed at the sandbox
 * with nothing but the endpoint changed: ECR repositories with their
 * settings, lifecycle and repository policies, and tags.
 */

import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecr';
import { failure, SdkSandbox, startSdkSandbox } from './__testUtils__/sdk';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

let sdk: SdkSandbox;
let ecr: ECRClient;

beforeAll(async () => {
  sdk = await startSdkSandbox();
  ({ ecr } = sdk);
});

afterAll(() => sdk?.close());

describe('ECR', () => {
  it('creates, describes and deletes a repository with every setting', async () => {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team-a/payments-api',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: {
          encryptionType: 'KMS',
          kmsKey: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
        },
        tags: [{ Key: 'team', Value: 'a' }],
      }),
    );
    expect(created.repository).toMatchObject({
      repositoryName: 'team-a/payments-api',
      repositoryArn:
        'arn:aws:ecr:eu-west-1:123456789012:repository/team-a/payments-api',
      repositoryUri:
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team-a/payments-api',
      registryId: '123456789012',
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: {
        encryptionType: 'KMS',
        kmsKey: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
      },
    });
    expect(created.repository?.createdAt).toBeInstanceOf(Date);
    expect(
      Math.abs(created.repository!.createdAt!.getTime() - Date.now()),
    ).toBeLessThan(60_000);

    const dup = await failure(() =>
      ecr.send(
        new CreateRepositoryCommand({ repositoryName: 'team-a/payments-api' }),
      ),
    );
    expect(dup).toBeInstanceOf(RepositoryAlreadyExistsException);
    expect(dup.name).toBe('RepositoryAlreadyExistsException');

    const described = await ecr.send(
      new DescribeRepositoriesCommand({
        repositoryNames: ['team-a/payments-api'],
      }),
    );
    expect(described.repositories).toHaveLength(1);
    expect(described.repositories![0]).toEqual(created.repository);

    await ecr.send(
      new PutImageScanningConfigurationCommand({
        repositoryName: 'team-a/payments-api',
        imageScanningConfiguration: { scanOnPush: false },
      }),
    );
    const after = await ecr.send(
      new DescribeRepositoriesCommand({
        repositoryNames: ['team-a/payments-api'],
      }),
    );
    expect(after.repositories![0].imageScanningConfiguration).toEqual({
      scanOnPush: false,
    });

    const deleted = await ecr.send(
      new DeleteRepositoryCommand({ repositoryName: 'team-a/payments-api' }),
    );
    expect(deleted.repository?.repositoryName).toBe('team-a/payments-api');
    const gone = await failure(() =>
      ecr.send(
        new DescribeRepositoriesCommand({
          repositoryNames: ['team-a/payments-api'],
        }),
      ),
    );
    expect(gone).toBeInstanceOf(RepositoryNotFoundException);
  });

  it('defaults to MUTABLE, AES256 and no scan on push; lists all repositories', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'defaults' }));
    const all = await ecr.send(new DescribeRepositoriesCommand({}));
    const repo = all.repositories!.find(r => r.repositoryName === 'defaults');
    expect(repo).toMatchObject({
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
  });

  it('rejects repository names that break ECR rules', async () => {
    const names = ['Upper', 'a', 'bad--/x/', '-lead', 'x'.repeat(257)];
    const errors = await Promise.all(
      names.map(name =>
        failure(() =>
          ecr.send(new CreateRepositoryCommand({ repositoryName: name })),
        ),
      ),
    );
    for (const err of errors) {
      expect(err).toBeInstanceOf(InvalidParameterException);
    }
  });

  it('stores lifecycle and repository policies', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'policies' }));
    const lifecycle = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'keep 10 tagged',
          selection: {
            tagStatus: 'tagged',
            tagPrefixList: ['v'],
            countType: 'imageCountMoreThan',
            countNumber: 10,
          },
          action: { type: 'expire' },
        },
      ],
    });
    const missing = await failure(() =>
      ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'policies' })),
    );
    expect(missing).toBeInstanceOf(LifecyclePolicyNotFoundException);

    const bad = await failure(() =>
      ecr.send(
        new PutLifecyclePolicyCommand({
          repositoryName: 'policies',
          lifecyclePolicyText: '{"notRules":[]}',
        }),
      ),
    );
    expect(bad).toBeInstanceOf(InvalidParameterException);
    const notJson = await failure(() =>
      ecr.send(
        new PutLifecyclePolicyCommand({
          repositoryName: 'policies',
          lifecyclePolicyText: 'rules:',
        }),
      ),
    );
    expect(notJson).toBeInstanceOf(InvalidParameterException);

    const put = await ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: 'policies',
        lifecyclePolicyText: lifecycle,
      }),
    );
    expect(put.lifecyclePolicyText).toBe(lifecycle);
    const got = await ecr.send(
      new GetLifecyclePolicyCommand({ repositoryName: 'policies' }),
    );
    expect(got).toMatchObject({
      repositoryName: 'policies',
      registryId: '123456789012',
      lifecyclePolicyText: lifecycle,
    });
    expect(got.lastEvaluatedAt).toBeInstanceOf(Date);
    await ecr.send(
      new DeleteLifecyclePolicyCommand({ repositoryName: 'policies' }),
    );
    expect(
      await failure(() =>
        ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'policies' })),
      ),
    ).toBeInstanceOf(LifecyclePolicyNotFoundException);

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'pull',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: ['ecr:BatchGetImage'],
        },
      ],
    });
    expect(
      await failure(() =>
        ecr.send(
          new GetRepositoryPolicyCommand({ repositoryName: 'policies' }),
        ),
      ),
    ).toBeInstanceOf(RepositoryPolicyNotFoundException);
    expect(
      await failure(() =>
        ecr.send(
          new SetRepositoryPolicyCommand({
            repositoryName: 'policies',
            policyText: '{',
          }),
        ),
      ),
    ).toBeInstanceOf(InvalidParameterException);
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'policies',
        policyText: policy,
      }),
    );
    expect(
      (
        await ecr.send(
          new GetRepositoryPolicyCommand({ repositoryName: 'policies' }),
        )
      ).policyText,
    ).toBe(policy);
    const removed = await ecr.send(
      new DeleteRepositoryPolicyCommand({ repositoryName: 'policies' }),
    );
    expect(removed.policyText).toBe(policy);
    expect(
      await failure(() =>
        ecr.send(
          new DeleteRepositoryPolicyCommand({ repositoryName: 'policies' }),
        ),
      ),
    ).toBeInstanceOf(RepositoryPolicyNotFoundException);
  });

  it('tags repositories by ARN', async () => {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'tagged',
        tags: [{ Key: 'owner', Value: 'team-a' }],
      }),
    );
    const resourceArn = repository!.repositoryArn!;
    await ecr.send(
      new TagResourceCommand({
        resourceArn,
        tags: [
          { Key: 'cost-centre', Value: '42' },
          { Key: 'owner', Value: 'team-b' },
        ],
      }),
    );
    let listed = await ecr.send(
      new ListTagsForResourceCommand({ resourceArn }),
    );
    expect(listed.tags).toEqual([
      { Key: 'owner', Value: 'team-b' },
      { Key: 'cost-centre', Value: '42' },
    ]);
    await ecr.send(
      new UntagResourceCommand({ resourceArn, tagKeys: ['owner'] }),
    );
    listed = await ecr.send(new ListTagsForResourceCommand({ resourceArn }));
    expect(listed.tags).toEqual([{ Key: 'cost-centre', Value: '42' }]);
    const unknown = await failure(() =>
      ecr.send(
        new ListTagsForResourceCommand({ resourceArn: `${resourceArn}-nope` }),
      ),
    );
    expect(unknown).toBeInstanceOf(RepositoryNotFoundException);
  });
});
