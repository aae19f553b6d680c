import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeImageScanFindingsCommand } from '@aws-sdk/client-ecr';
import { ConfigReader } from '@backstage/config';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';
import { AwsClients } from './AwsClients';
import { EcrImages } from './EcrImages';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(120_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const arnOf = (name: string, account = ACCOUNT, region = REGION) =>
  `arn:aws:ecr:${region}:${account}:repository/${name}`;

describe('EcrImages against the seeded sandbox', () => {
  let sb: Sandbox;
  let dataDir: string;
  let clients: AwsClients;
  let ecr: EcrImages;
  const ecrCalls = () => sb.faults.counters().aws ?? {};

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ecrimages-'));
    sb = await startSandbox({
      dataDir,
      ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
      seed: true,
      buildMs: 0,
      progressingMs: 100,
      reconcileIntervalMs: 0,
    });
    clients = AwsClients.fromConfig(
      new ConfigReader({
        aws: { mainAccount: { ...SANDBOX_CREDENTIALS.aws } },
        slipway: {
          aws: { accountId: ACCOUNT, region: REGION, endpoint: sb.urls.aws },
        },
      }),
    );
    ecr = new EcrImages(clients);
  });
  afterAll(async () => {
    await sb?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => sb.faults.resetCounters());

  it('lists the newest images with tags and findings in one DescribeImages call', async () => {
    const section = await ecr.listImages(arnOf('payments-api'), { limit: 2 });

    expect(ecrCalls()).toEqual({ 'ecr:DescribeImages': 1 });
    expect(section.repositoryName).toBe('payments-api');
    expect(section.repositoryUri).toBe(
      `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api`,
    );
    expect(section.url).toBe(
      `https://${REGION}.console.aws.amazon.com/ecr/repositories/private/${ACCOUNT}/payments-api?region=${REGION}`,
    );

    // The seed built three commits: tags <sha7>-<build>, newest first.
    const commits = await sb.repos.log('slipway-demo', 'payments-api', 'main');
    expect(section.images.map(i => i.tags)).toEqual([
      [`${commits[0].sha.slice(0, 7)}-3`],
      [`${commits[1].sha.slice(0, 7)}-2`],
    ]);
    const [newest, older] = section.images;
    expect(Date.parse(newest.pushedAt)).toBeGreaterThanOrEqual(
      Date.parse(older.pushedAt),
    );
    for (const image of section.images) {
      expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(image.environments).toEqual([]);
      expect(image.sizeBytes).toBeGreaterThan(0);
      expect(image.scan?.status).toBe('COMPLETE');
      expect(image.scan?.completedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    }

    // The summary's counts are what the per-image scan call would say.
    sb.faults.resetCounters();
    for (const image of section.images) {
      const res = await clients.ecr.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: 'payments-api',
          imageId: { imageDigest: image.digest },
        }),
      );
      const counts = Object.fromEntries(
        Object.entries(res.imageScanFindings?.findingSeverityCounts ?? {}),
      );
      expect(image.scan?.findings).toEqual(counts);
    }
  });

  it('reads every image when the limit is larger than the repository', async () => {
    const section = await ecr.listImages(arnOf('docs-portal'), { limit: 50 });
    expect(section.images).toHaveLength(3);
    expect(section.images.map(i => i.tags[0].split('-')[1])).toEqual([
      '3',
      '2',
      '1',
    ]);
    expect(ecrCalls()).toEqual({ 'ecr:DescribeImages': 1 });
    // The seed's scans found something.
    const counts = section.images.flatMap(i =>
      Object.values(i.scan?.findings ?? {}),
    );
    expect(counts.some(n => n! > 0)).toBe(true);
  });

  it('refuses an ARN of another account or region, or a malformed one, before any call', async () => {
    for (const arn of [
      arnOf('payments-api', '999999999999'),
      arnOf('payments-api', ACCOUNT, 'us-east-1'),
      `arn:aws-cn:ecr:${REGION}:${ACCOUNT}:repository/payments-api`,
      `arn:aws:s3:::payments-api`,
      arnOf('Payments-API'),
      arnOf('../payments-api'),
      'payments-api',
    ]) {
      await expect(ecr.listImages(arn, { limit: 5 })).rejects.toMatchObject({
        name: 'InputError',
      });
      await expect(ecr.getOwnerTag(arn)).rejects.toMatchObject({
        name: 'InputError',
      });
    }
    await expect(
      ecr.listImages(arnOf('payments-api'), { limit: 0 }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(sb.faults.total('aws')).toBe(0);
  });

  it('reads the owner tag in one call, undefined without one, NotFoundError for a missing repository', async () => {
    expect(await ecr.getOwnerTag(arnOf('payments-api'))).toBe(
      'component:default/payments-api',
    );
    expect(ecrCalls()).toEqual({ 'ecr:ListTagsForResource': 1 });

    sb.aws.ensureRepository('untagged-repo');
    expect(await ecr.getOwnerTag(arnOf('untagged-repo'))).toBeUndefined();

    await expect(ecr.getOwnerTag(arnOf('no-such-repo'))).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      ecr.listImages(arnOf('no-such-repo'), { limit: 5 }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
