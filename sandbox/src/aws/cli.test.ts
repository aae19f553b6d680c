/*
 * The same services through the real `aws` CLI (botocore), with only
 * --endpoint-url pointing at the sandbox.
 */

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SANDBOX_AWS_CREDENTIALS } from './index';
import { removeDir, RunningAws, startAws } from './testServer';

jest.setTimeout(120_000);

/** The Debian awscli by default; SLIPWAY_AWS_CLI overrides. */
function findAwsCli(): string | undefined {
  if (process.env.SLIPWAY_AWS_CLI) return process.env.SLIPWAY_AWS_CLI;
  if (fs.existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'aws')))
      return path.join(dir, 'aws');
  }
  return undefined;
}

const cli = findAwsCli();
let env: RunningAws;
let home: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function aws(...args: string[]): Promise<CliResult> {
  return new Promise(resolve => {
    execFile(
      cli!,
      [
        '--endpoint-url',
        env.endpoint,
        '--region',
        'eu-west-1',
        '--output',
        'json',
        ...args,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          AWS_ACCESS_KEY_ID: SANDBOX_AWS_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: SANDBOX_AWS_CREDENTIALS.secretAccessKey,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
          AWS_MAX_ATTEMPTS: '1',
        },
      },
      (err, stdout, stderr) => {
        let code = 0;
        if (err) code = typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs the CLI and parses its JSON output, failing with its stderr. */
async function awsJson<T = any>(...args: string[]): Promise<T> {
  const res = await aws(...args);
  if (res.code !== 0) {
    throw new Error(`aws ${args.join(' ')} exited ${res.code}: ${res.stderr}`);
  }
  return res.stdout.trim() ? JSON.parse(res.stdout) : ({} as T);
}

beforeAll(async () => {
  if (!cli) {
    throw new Error(
      'The aws CLI was not found (looked for SLIPWAY_AWS_CLI, /usr/bin/aws and PATH). Install it with `apt-get install -y awscli`.',
    );
  }
  env = await startAws();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-aws-cli-home-'));
});

afterAll(async () => {
  await env?.close();
  if (env) removeDir(env.dataDir);
  if (home) removeDir(home);
});

describe('aws CLI', () => {
  it('creates and describes ECR repositories and images', async () => {
    const created = await awsJson(
      'ecr',
      'create-repository',
      '--repository-name',
      'cli/orders',
      '--image-tag-mutability',
      'IMMUTABLE',
      '--image-scanning-configuration',
      'scanOnPush=true',
      '--tags',
      'Key=team,Value=orders',
    );
    expect(created.repository).toMatchObject({
      repositoryName: 'cli/orders',
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
      repositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/cli/orders',
    });

    const dup = await aws(
      'ecr',
      'create-repository',
      '--repository-name',
      'cli/orders',
    );
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('RepositoryAlreadyExistsException');

    const described = await awsJson('ecr', 'describe-repositories');
    expect(
      described.repositories.map(
        (r: { repositoryName: string }) => r.repositoryName,
      ),
    ).toEqual(['cli/orders']);

    const tags = await awsJson(
      'ecr',
      'list-tags-for-resource',
      '--resource-arn',
      created.repository.repositoryArn,
    );
    expect(tags.tags).toEqual([{ Key: 'team', Value: 'orders' }]);

    const lifecycle = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: {
            tagStatus: 'untagged',
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: 7,
          },
          action: { type: 'expire' },
        },
      ],
    });
    await awsJson(
      'ecr',
      'put-lifecycle-policy',
      '--repository-name',
      'cli/orders',
      '--lifecycle-policy-text',
      lifecycle,
    );
    const got = await awsJson(
      'ecr',
      'get-lifecycle-policy',
      '--repository-name',
      'cli/orders',
    );
    expect(JSON.parse(got.lifecyclePolicyText)).toEqual(JSON.parse(lifecycle));

    env.aws.putImage('cli/orders', 'v1', {
      pushedAt: new Date('2026-01-02T03:04:05Z'),
      findings: { HIGH: 2 },
    });
    const images = await awsJson(
      'ecr',
      'describe-images',
      '--repository-name',
      'cli/orders',
    );
    expect(images.imageDetails).toHaveLength(1);
    expect(images.imageDetails[0].imageTags).toEqual(['v1']);
    // CLI v2 prints ISO 8601, v1 the raw epoch seconds.
    const pushedAt = images.imageDetails[0].imagePushedAt;
    const pushedMs =
      typeof pushedAt === 'number' ? pushedAt * 1000 : Date.parse(pushedAt);
    expect(new Date(pushedMs).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(
      images.imageDetails[0].imageScanFindingsSummary.findingSeverityCounts,
    ).toEqual({ HIGH: 2 });
  });

  it('creates and reads IAM roles', async () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    };
    const created = await awsJson(
      'iam',
      'create-role',
      '--role-name',
      'cli-role',
      '--path',
      '/slipway/',
      '--assume-role-policy-document',
      JSON.stringify(trust),
      '--permissions-boundary',
      'arn:aws:iam::123456789012:policy/Boundary',
      '--tags',
      'Key=team,Value=orders',
    );
    expect(created.Role.Arn).toBe(
      'arn:aws:iam::123456789012:role/slipway/cli-role',
    );
    const { Role } = await awsJson(
      'iam',
      'get-role',
      '--role-name',
      'cli-role',
    );
    // botocore decodes IAM's URL-encoded policy documents.
    expect(Role.AssumeRolePolicyDocument).toEqual(trust);
    expect(Role.PermissionsBoundary.PermissionsBoundaryArn).toBe(
      'arn:aws:iam::123456789012:policy/Boundary',
    );
    expect(Role.Tags).toEqual([{ Key: 'team', Value: 'orders' }]);

    const missing = await aws('iam', 'get-role', '--role-name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NoSuchEntity');
  });

  it('answers sts get-caller-identity', async () => {
    expect(await awsJson('sts', 'get-caller-identity')).toEqual({
      UserId: 'AIDASLIPWAYSANDBOXUSR',
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/slipway-sandbox',
    });
  });

  it('describes and lists EKS clusters', async () => {
    const { issuer } = env.aws.ensureCluster('cli-cluster');
    const { cluster } = await awsJson(
      'eks',
      'describe-cluster',
      '--name',
      'cli-cluster',
    );
    expect(cluster.identity.oidc.issuer).toBe(issuer);
    expect(cluster.status).toBe('ACTIVE');

    const missing = await aws('eks', 'describe-cluster', '--name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('ResourceNotFoundException');

    // Pod Identity (Nov 2023) postdates Debian's awscli 2.9; the SDK tests cover it.
    const { clusters } = await awsJson('eks', 'list-clusters');
    expect(clusters).toEqual(['cli-cluster']);
  });

  it('is refused with a wrong secret', async () => {
    const res = await new Promise<CliResult>(resolve => {
      execFile(
        cli!,
        [
          '--endpoint-url',
          env.endpoint,
          '--region',
          'eu-west-1',
          'sts',
          'get-caller-identity',
        ],
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: home,
            AWS_ACCESS_KEY_ID: SANDBOX_AWS_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: 'wrong',
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_CONFIG_FILE: '/dev/null',
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
            AWS_MAX_ATTEMPTS: '1',
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('SignatureDoesNotMatch');
  });
});
