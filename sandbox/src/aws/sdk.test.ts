/*
 * Round trips through the real AWS SDK v3 clients, pointed at the sandbox
 * with nothing but the endpoint changed.
 */

import crypto from 'node:crypto';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  ScanNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecr';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SANDBOX_AWS_CREDENTIALS } from './index';
import { removeDir, RunningAws, startAws } from './testServer';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

const region = 'eu-west-1';
let env: RunningAws;
let ecr: ECRClient;
let iam: IAMClient;
let eks: EKSClient;
let sts: STSClient;

beforeAll(async () => {
  env = await startAws();
  const config = {
    endpoint: env.endpoint,
    region,
    credentials: SANDBOX_AWS_CREDENTIALS,
  };
  ecr = new ECRClient(config);
  iam = new IAMClient(config);
  eks = new EKSClient(config);
  sts = new STSClient(config);
});

afterAll(async () => {
  for (const c of [ecr, iam, eks, sts]) c?.destroy();
  await env?.close();
  if (env) removeDir(env.dataDir);
});

/** Runs `fn`, expecting it to throw; returns the error. */
async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

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

  it('puts images, refuses to overwrite immutable tags, and describes images and scans', async () => {
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'images',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    const manifest = (layer: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: 100,
          digest: `sha256:${'c'.repeat(64)}`,
        },
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            size: 1234,
            digest: layer,
          },
        ],
      });
    const m1 = manifest(`sha256:${'1'.repeat(64)}`);
    const put = await ecr.send(
      new PutImageCommand({
        repositoryName: 'images',
        imageManifest: m1,
        imageTag: 'v1',
      }),
    );
    const digest1 = `sha256:${crypto
      .createHash('sha256')
      .update(m1)
      .digest('hex')}`;
    expect(put.image?.imageId).toEqual({
      imageDigest: digest1,
      imageTag: 'v1',
    });
    expect(put.image?.imageManifest).toBe(m1);

    const overwrite = await failure(() =>
      ecr.send(
        new PutImageCommand({
          repositoryName: 'images',
          imageManifest: manifest(`sha256:${'2'.repeat(64)}`),
          imageTag: 'v1',
        }),
      ),
    );
    expect(overwrite).toBeInstanceOf(ImageTagAlreadyExistsException);
    expect(overwrite.name).toBe('ImageTagAlreadyExistsException');

    // The programmatic API (used by the Jenkins pipeline) with findings.
    const pushedAt = new Date('2026-03-01T10:00:00Z');
    const { digest: digest2 } = env.aws.putImage('images', 'v2', {
      pushedAt,
      sizeBytes: 55_000_000,
      findings: { CRITICAL: 1, HIGH: 2, LOW: 3 },
    });
    expect(env.aws.hasImage('images', 'v2')).toBe(true);
    expect(env.aws.hasImage('images', 'v3')).toBe(false);
    expect(() =>
      env.aws.putImage('images', 'v2', { digest: `sha256:${'9'.repeat(64)}` }),
    ).toThrow(/already exists/);

    const all = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'images' }),
    );
    expect(all.imageDetails).toHaveLength(2);
    const v2 = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: 'images',
        imageIds: [{ imageTag: 'v2' }],
      }),
    );
    const detail = v2.imageDetails![0];
    expect(detail).toMatchObject({
      repositoryName: 'images',
      registryId: '123456789012',
      imageDigest: digest2,
      imageTags: ['v2'],
      imageSizeInBytes: 55_000_000,
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindingsSummary: {
        findingSeverityCounts: { CRITICAL: 1, HIGH: 2, LOW: 3 },
      },
    });
    expect(detail.imagePushedAt).toEqual(pushedAt);
    expect(
      detail.imageScanFindingsSummary?.imageScanCompletedAt,
    ).toBeInstanceOf(Date);

    const v1 = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: 'images',
        imageIds: [{ imageDigest: digest1 }],
      }),
    );
    expect(v1.imageDetails![0]).toMatchObject({
      imageTags: ['v1'],
      imageSizeInBytes: 1234,
    });

    const findings = await ecr.send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'images',
        imageId: { imageTag: 'v2' },
      }),
    );
    expect(findings.imageScanStatus?.status).toBe('COMPLETE');
    expect(findings.imageScanFindings?.findingSeverityCounts).toEqual({
      CRITICAL: 1,
      HIGH: 2,
      LOW: 3,
    });
    expect(findings.imageScanFindings?.findings).toHaveLength(6);
    expect(findings.imageScanFindings?.findings?.map(f => f.severity)).toEqual([
      'CRITICAL',
      'HIGH',
      'HIGH',
      'LOW',
      'LOW',
      'LOW',
    ]);
    expect(findings.imageScanFindings?.findings?.[0].name).toMatch(/^CVE-/);

    const notFound = await failure(() =>
      ecr.send(
        new DescribeImagesCommand({
          repositoryName: 'images',
          imageIds: [{ imageTag: 'nope' }],
        }),
      ),
    );
    expect(notFound.name).toBe('ImageNotFoundException');

    const notEmpty = await failure(() =>
      ecr.send(new DeleteRepositoryCommand({ repositoryName: 'images' })),
    );
    expect(notEmpty).toBeInstanceOf(RepositoryNotEmptyException);
    await ecr.send(
      new DeleteRepositoryCommand({ repositoryName: 'images', force: true }),
    );
  });

  it('moves mutable tags and filters by tag status; no scan without scanOnPush', async () => {
    env.aws.ensureRepository('mutable', { team: 'x' });
    env.aws.ensureRepository('mutable'); // idempotent
    const first = env.aws.putImage('mutable', 'latest', {
      digest: `sha256:${'a'.repeat(64)}`,
    });
    const second = env.aws.putImage('mutable', 'latest', {
      digest: `sha256:${'b'.repeat(64)}`,
    });
    expect(first.digest).not.toBe(second.digest);
    const untagged = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: 'mutable',
        filter: { tagStatus: 'UNTAGGED' },
      }),
    );
    expect(untagged.imageDetails?.map(d => d.imageDigest)).toEqual([
      first.digest,
    ]);
    expect(untagged.imageDetails?.[0].imageTags).toBeUndefined();
    const scan = await failure(() =>
      ecr.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: 'mutable',
          imageId: { imageTag: 'latest' },
        }),
      ),
    );
    expect(scan).toBeInstanceOf(ScanNotFoundException);
    const { tags } = await ecr.send(
      new ListTagsForResourceCommand({
        resourceArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/mutable',
      }),
    );
    expect(tags).toEqual([{ Key: 'team', Value: 'x' }]);
    const listed = await ecr.send(
      new ListImagesCommand({ repositoryName: 'mutable' }),
    );
    expect(listed.imageIds).toEqual([
      { imageDigest: first.digest },
      { imageDigest: second.digest, imageTag: 'latest' },
    ]);
    const batch = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'mutable',
        imageIds: [{ imageTag: 'latest' }, { imageTag: 'missing' }],
      }),
    );
    expect(batch.images?.[0].imageId?.imageDigest).toBe(second.digest);
    expect(JSON.parse(batch.images![0].imageManifest!).schemaVersion).toBe(2);
    expect(batch.failures?.[0].failureCode).toBe('ImageNotFound');
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = auth.authorizationData?.[0].authorizationToken ?? '';
    expect(Buffer.from(token, 'base64').toString()).toMatch(/^AWS:/);
    expect(env.aws.repositoryUri('mutable')).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mutable',
    );
  });
});

describe('IAM', () => {
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ],
  };
  const boundary = 'arn:aws:iam::123456789012:policy/slipway/SlipwayBoundary';

  it('creates and reads a role with boundary, trust policy and tags', async () => {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'payments-api-prod',
        Path: '/slipway/',
        AssumeRolePolicyDocument: JSON.stringify(trust),
        PermissionsBoundary: boundary,
        Description: 'payments & more <ok>',
        MaxSessionDuration: 7200,
        Tags: [
          { Key: 'team', Value: 'a' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
    expect(created.Role).toMatchObject({
      RoleName: 'payments-api-prod',
      Path: '/slipway/',
      Arn: 'arn:aws:iam::123456789012:role/slipway/payments-api-prod',
      Description: 'payments & more <ok>',
      MaxSessionDuration: 7200,
    });
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(created.Role?.CreateDate).toBeInstanceOf(Date);

    const { Role } = await iam.send(
      new GetRoleCommand({ RoleName: 'payments-api-prod' }),
    );
    expect(Role?.RoleId).toBe(created.Role?.RoleId);
    expect(Role?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: boundary,
    });
    expect(Role?.Tags).toEqual([
      { Key: 'team', Value: 'a' },
      { Key: 'env', Value: 'prod' },
    ]);
    // IAM returns the trust policy URL-encoded.
    expect(Role?.AssumeRolePolicyDocument).toContain('%22');
    expect(
      JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)),
    ).toEqual(trust);

    const dup = await failure(() =>
      iam.send(
        new CreateRoleCommand({
          RoleName: 'PAYMENTS-API-PROD',
          AssumeRolePolicyDocument: JSON.stringify(trust),
        }),
      ),
    );
    expect(dup).toBeInstanceOf(EntityAlreadyExistsException);
    expect(dup.name).toBe('EntityAlreadyExistsException');
    expect((dup as EntityAlreadyExistsException).$metadata.httpStatusCode).toBe(
      409,
    );

    const malformed = await failure(() =>
      iam.send(
        new CreateRoleCommand({
          RoleName: 'bad-trust',
          AssumeRolePolicyDocument: '{"Statement": ',
        }),
      ),
    );
    expect(malformed).toBeInstanceOf(MalformedPolicyDocumentException);
    const invalidName = await failure(() =>
      iam.send(
        new CreateRoleCommand({
          RoleName: 'no spaces',
          AssumeRolePolicyDocument: JSON.stringify(trust),
        }),
      ),
    );
    expect(invalidName.name).toBe('ValidationError');

    const newTrust = {
      ...trust,
      Statement: [{ ...trust.Statement[0], Condition: undefined }],
    };
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'payments-api-prod',
        PolicyDocument: JSON.stringify(newTrust),
      }),
    );
    const updated = await iam.send(
      new GetRoleCommand({ RoleName: 'payments-api-prod' }),
    );
    expect(
      JSON.parse(decodeURIComponent(updated.Role!.AssumeRolePolicyDocument!)),
    ).toEqual(JSON.parse(JSON.stringify(newTrust)));
  });

  it('handles tags, inline and attached policies, and refuses to delete a role in use', async () => {
    const name = 'payments-api-prod';
    await iam.send(
      new TagRoleCommand({
        RoleName: name,
        Tags: [
          { Key: 'env', Value: 'staging' },
          { Key: 'k', Value: '' },
        ],
      }),
    );
    await iam.send(new UntagRoleCommand({ RoleName: name, TagKeys: ['team'] }));
    const tags = await iam.send(new ListRoleTagsCommand({ RoleName: name }));
    expect(tags.Tags).toEqual([
      { Key: 'env', Value: 'staging' },
      { Key: 'k', Value: '' },
    ]);
    expect(tags.IsTruncated).toBe(false);

    const inline = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::bucket/*',
        },
      ],
    };
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 's3-read',
        PolicyDocument: JSON.stringify(inline),
      }),
    );
    const got = await iam.send(
      new GetRolePolicyCommand({ RoleName: name, PolicyName: 's3-read' }),
    );
    expect(got.RoleName).toBe(name);
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(inline);
    expect(
      (await iam.send(new ListRolePoliciesCommand({ RoleName: name })))
        .PolicyNames,
    ).toEqual(['s3-read']);
    const badInline = await failure(() =>
      iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: 'x',
          PolicyDocument: JSON.stringify(trust),
        }),
      ),
    );
    expect(badInline).toBeInstanceOf(MalformedPolicyDocumentException);

    const managed = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: name, PolicyArn: managed }),
    );
    const attached = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: name }),
    );
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: managed },
    ]);

    const conflict = await failure(() =>
      iam.send(new DeleteRoleCommand({ RoleName: name })),
    );
    expect(conflict).toBeInstanceOf(DeleteConflictException);
    expect(conflict.name).toBe('DeleteConflictException');

    await iam.send(
      new DetachRolePolicyCommand({ RoleName: name, PolicyArn: managed }),
    );
    expect(
      await failure(() =>
        iam.send(
          new DetachRolePolicyCommand({ RoleName: name, PolicyArn: managed }),
        ),
      ),
    ).toBeInstanceOf(NoSuchEntityException);
    expect(
      await failure(() => iam.send(new DeleteRoleCommand({ RoleName: name }))),
    ).toBeInstanceOf(DeleteConflictException);
    await iam.send(
      new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 's3-read' }),
    );
    await iam.send(new DeleteRoleCommand({ RoleName: name }));

    const missing = await failure(() =>
      iam.send(new GetRoleCommand({ RoleName: name })),
    );
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect((missing as NoSuchEntityException).$metadata.httpStatusCode).toBe(
      404,
    );
  });
});

describe('EKS', () => {
  it('describes a seeded cluster with its OIDC issuer', async () => {
    const { issuer } = env.aws.ensureCluster('slipway-dev');
    expect(issuer).toMatch(
      /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
    );
    expect(env.aws.ensureCluster('slipway-dev').issuer).toBe(issuer);
    const { cluster } = await eks.send(
      new DescribeClusterCommand({ name: 'slipway-dev' }),
    );
    expect(cluster).toMatchObject({
      name: 'slipway-dev',
      arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/slipway-dev',
      status: 'ACTIVE',
      identity: { oidc: { issuer } },
    });
    expect(cluster?.endpoint).toMatch(/^https:\/\//);
    expect(cluster?.createdAt).toBeInstanceOf(Date);

    const missing = await failure(() =>
      eks.send(new DescribeClusterCommand({ name: 'nope' })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(
      (missing as ResourceNotFoundException).$metadata.httpStatusCode,
    ).toBe(404);
  });

  it('creates, lists, filters and deletes pod identity associations', async () => {
    env.aws.ensureCluster('slipway-dev');
    const roleArn = 'arn:aws:iam::123456789012:role/slipway/payments-api';
    const { association } = await eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'slipway-dev',
        namespace: 'payments',
        serviceAccount: 'payments-api',
        roleArn,
        tags: { team: 'a' },
      }),
    );
    expect(association).toMatchObject({
      clusterName: 'slipway-dev',
      namespace: 'payments',
      serviceAccount: 'payments-api',
      roleArn,
      tags: { team: 'a' },
    });
    expect(association?.associationId).toMatch(/^a-[a-z0-9]{17}$/);
    expect(association?.associationArn).toBe(
      `arn:aws:eks:eu-west-1:123456789012:podidentityassociation/slipway-dev/${association?.associationId}`,
    );

    const again = await failure(() =>
      eks.send(
        new CreatePodIdentityAssociationCommand({
          clusterName: 'slipway-dev',
          namespace: 'payments',
          serviceAccount: 'payments-api',
          roleArn,
        }),
      ),
    );
    expect(again).toBeInstanceOf(ResourceInUseException);

    await eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'slipway-dev',
        namespace: 'orders',
        serviceAccount: 'orders-api',
        roleArn,
      }),
    );
    const all = await eks.send(
      new ListPodIdentityAssociationsCommand({ clusterName: 'slipway-dev' }),
    );
    expect(all.associations?.map(a => a.namespace).sort()).toEqual([
      'orders',
      'payments',
    ]);
    const filtered = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: 'slipway-dev',
        namespace: 'payments',
        serviceAccount: 'payments-api',
      }),
    );
    expect(filtered.associations).toEqual([
      {
        clusterName: 'slipway-dev',
        namespace: 'payments',
        serviceAccount: 'payments-api',
        associationArn: association?.associationArn,
        associationId: association?.associationId,
      },
    ]);
    const paged = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: 'slipway-dev',
        maxResults: 1,
      }),
    );
    expect(paged.associations).toHaveLength(1);
    expect(paged.nextToken).toBeDefined();

    const described = await eks.send(
      new DescribePodIdentityAssociationCommand({
        clusterName: 'slipway-dev',
        associationId: association!.associationId!,
      }),
    );
    expect(described.association?.roleArn).toBe(roleArn);

    await eks.send(
      new DeletePodIdentityAssociationCommand({
        clusterName: 'slipway-dev',
        associationId: association!.associationId!,
      }),
    );
    const deleted = await failure(() =>
      eks.send(
        new DescribePodIdentityAssociationCommand({
          clusterName: 'slipway-dev',
          associationId: association!.associationId!,
        }),
      ),
    );
    expect(deleted).toBeInstanceOf(ResourceNotFoundException);
    expect(
      env.aws.podIdentityAssociations('slipway-dev').map(a => a.namespace),
    ).toEqual(['orders']);
  });
});

describe('STS', () => {
  it('answers GetCallerIdentity', async () => {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe('123456789012');
    expect(id.Arn).toBe('arn:aws:iam::123456789012:user/slipway-sandbox');
    expect(id.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });
});
