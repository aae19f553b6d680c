/*
 * Round trips through the real AWS SDK v3 clients, pointed at the sandbox
 * with nothing but the endpoint changed: ECR images, tag mutability, image
 * and scan descriptions, and registry authorization.
 */

import crypto from 'node:crypto';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  DeleteRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  ECRClient,
  ImageTagAlreadyExistsException,
  ListTagsForResourceCommand,
  PutImageCommand,
  RepositoryNotEmptyException,
  ScanNotFoundException,
} from '@aws-sdk/client-ecr';
import { failure, SdkSandbox, startSdkSandbox } from './__testUtils__/sdk';
import { RunningAws } from './testServer';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

let sdk: SdkSandbox;
let env: RunningAws;
let ecr: ECRClient;

beforeAll(async () => {
  sdk = await startSdkSandbox();
  ({ env, ecr } = sdk);
});

afterAll(() => sdk?.close());

describe('ECR', () => {
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
