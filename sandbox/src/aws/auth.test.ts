/*
 * Signature checks, injected faults (the SDK's own retries) and persistence.
 */

import { loopbackRequest } from '../__testUtils__/loopback';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  CreatePodIdentityAssociationCommand,
  DescribeClusterCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SANDBOX_AWS_CREDENTIALS } from './index';
import { removeDir, RunningAws, startAws } from './testServer';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

const region = 'eu-west-1';
let env: RunningAws;

beforeAll(async () => {
  env = await startAws();
});

afterAll(async () => {
  await env?.close();
  if (env) removeDir(env.dataDir);
});

afterEach(() => {
  env.faults.clear();
});

function creds() {
  return { ...SANDBOX_AWS_CREDENTIALS };
}

async function failure(
  fn: () => Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** A raw HTTP request to the sandbox, its body as text. */
async function request(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
) {
  const res = await loopbackRequest(`${env.endpoint}${path}`, {
    method,
    headers,
    body,
  });
  return { status: res.status, headers: res.headers, body: res.text };
}

describe('authentication', () => {
  it('refuses an unsigned JSON request with 403 MissingAuthenticationTokenException', async () => {
    const res = await request(
      'POST',
      '/',
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target':
          'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      },
      '{}',
    );
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).__type).toBe(
      'MissingAuthenticationTokenException',
    );
    expect(res.headers['x-amzn-errortype']).toBe(
      'MissingAuthenticationTokenException',
    );
  });

  it('refuses an unsigned query request with 403 MissingAuthenticationToken XML', async () => {
    const res = await request(
      'POST',
      '/',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'Action=GetCallerIdentity&Version=2011-06-15',
    );
    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(res.body).toContain(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    );
  });

  it('rejects a wrong secret with the protocol’s signature error', async () => {
    const wrong = {
      accessKeyId: SANDBOX_AWS_CREDENTIALS.accessKeyId,
      secretAccessKey: 'not-the-secret',
    };
    const ecr = new ECRClient({
      endpoint: env.endpoint,
      region,
      credentials: wrong,
    });
    const ecrErr = await failure(() =>
      ecr.send(new DescribeRepositoriesCommand({})),
    );
    expect(ecrErr.name).toBe('InvalidSignatureException');
    expect(ecrErr.$metadata?.httpStatusCode).toBe(403);

    const iam = new IAMClient({
      endpoint: env.endpoint,
      region,
      credentials: wrong,
    });
    const iamErr = await failure(() =>
      iam.send(new GetRoleCommand({ RoleName: 'x' })),
    );
    expect(iamErr.name).toBe('SignatureDoesNotMatch');
    expect(iamErr.$metadata?.httpStatusCode).toBe(403);
    ecr.destroy();
    iam.destroy();
  });

  it('rejects an unknown access key', async () => {
    const other = {
      accessKeyId: 'AKIAOTHERKEY00000000',
      secretAccessKey: SANDBOX_AWS_CREDENTIALS.secretAccessKey,
    };
    const sts = new STSClient({
      endpoint: env.endpoint,
      region,
      credentials: other,
    });
    expect(
      (await failure(() => sts.send(new GetCallerIdentityCommand({})))).name,
    ).toBe('InvalidClientTokenId');
    const eks = new EKSClient({
      endpoint: env.endpoint,
      region,
      credentials: other,
    });
    expect(
      (await failure(() => eks.send(new DescribeClusterCommand({ name: 'x' }))))
        .name,
    ).toBe('UnrecognizedClientException');
    sts.destroy();
    eks.destroy();
  });

  it('rejects ECR requests signed for another region', async () => {
    const ecr = new ECRClient({
      endpoint: env.endpoint,
      region: 'us-east-1',
      credentials: creds(),
    });
    const err = await failure(() =>
      ecr.send(new DescribeRepositoriesCommand({})),
    );
    expect(err.name).toBe('InvalidSignatureException');
    expect(err.message).toMatch(/region/);
    ecr.destroy();
  });

  it('rejects a correctly signed request whose body was changed afterwards', async () => {
    const signer = new SignatureV4({
      credentials: creds(),
      region,
      service: 'ecr',
      sha256: Sha256,
      applyChecksum: false,
    });
    const host = `127.0.0.1:${env.port}`;
    const signedBody = JSON.stringify({ repositoryName: 'signed-body' });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: env.port,
      path: '/',
      query: {},
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.CreateRepository',
      },
      body: signedBody,
    });
    const headers = signed.headers;
    const ok = await request('POST', '/', headers, signedBody);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).repository.repositoryName).toBe('signed-body');

    const tampered = await request(
      'POST',
      '/',
      headers,
      JSON.stringify({ repositoryName: 'tampered-body' }),
    );
    expect(tampered.status).toBe(403);
    expect(JSON.parse(tampered.body).__type).toBe('InvalidSignatureException');
    const ecr = new ECRClient({
      endpoint: env.endpoint,
      region,
      credentials: creds(),
    });
    const gone = await failure(() =>
      ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: ['tampered-body'] }),
      ),
    );
    expect(gone).toBeInstanceOf(RepositoryNotFoundException);
    ecr.destroy();
  });
});

describe('faults', () => {
  it('throttles the next requests; the SDK retries on its own', async () => {
    const ecr = new ECRClient({
      endpoint: env.endpoint,
      region,
      credentials: creds(),
    });
    env.faults.resetCounters();
    env.faults.set({ aws: { throttleNext: 2 } });
    const res = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(res.repositories).toBeDefined();
    expect(env.faults.counters().aws['ecr:DescribeRepositories']).toBe(3);
    expect(res.$metadata.attempts).toBe(3);
    ecr.destroy();
  });

  it('throttles query-protocol calls with code Throttling', async () => {
    const sts = new STSClient({
      endpoint: env.endpoint,
      region,
      credentials: creds(),
      maxAttempts: 1,
    });
    env.faults.set({ aws: { throttleNext: 1 } });
    const err = await failure(() => sts.send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe('Throttling');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(
      '123456789012',
    );
    sts.destroy();
  });

  it('answers injected errors in each protocol', async () => {
    env.faults.set({ aws: { errorRate: 1, errorStatuses: [503] } });
    const eks = new EKSClient({
      endpoint: env.endpoint,
      region,
      credentials: creds(),
      maxAttempts: 1,
    });
    const eksErr = await failure(() =>
      eks.send(new DescribeClusterCommand({ name: 'x' })),
    );
    expect(eksErr.name).toBe('ServiceUnavailable');
    expect(eksErr.$metadata?.httpStatusCode).toBe(503);
    env.faults.set({ aws: { errorRate: 1, errorStatuses: [500] } });
    const iam = new IAMClient({
      endpoint: env.endpoint,
      region,
      credentials: creds(),
      maxAttempts: 1,
    });
    const iamErr = await failure(() =>
      iam.send(new GetRoleCommand({ RoleName: 'x' })),
    );
    expect(iamErr.name).toBe('InternalFailure');
    expect(iamErr.$metadata?.httpStatusCode).toBe(500);
    eks.destroy();
    iam.destroy();
  });
});

describe('persistence', () => {
  it('keeps repositories, roles, clusters and associations across restarts', async () => {
    const first = await startAws();
    const config = () => ({
      endpoint: first.endpoint,
      region,
      credentials: creds(),
    });
    const ecr1 = new ECRClient(config());
    await ecr1.send(
      new CreateRepositoryCommand({
        repositoryName: 'survivor',
        imageTagMutability: 'IMMUTABLE',
      }),
    );
    const iam1 = new IAMClient(config());
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    const role = await iam1.send(
      new CreateRoleCommand({
        RoleName: 'survivor',
        AssumeRolePolicyDocument: JSON.stringify(trust),
      }),
    );
    const { issuer } = first.aws.ensureCluster('c1');
    const eks1 = new EKSClient(config());
    await eks1.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'c1',
        namespace: 'ns',
        serviceAccount: 'sa',
        roleArn: role.Role!.Arn!,
      }),
    );
    const digest = first.aws.putImage('survivor', 'v1').digest;
    for (const c of [ecr1, iam1, eks1]) c.destroy();
    await first.close();

    const second = await startAws(first.dataDir);
    try {
      const config2 = {
        endpoint: second.endpoint,
        region,
        credentials: creds(),
      };
      const ecr2 = new ECRClient(config2);
      const repos = await ecr2.send(
        new DescribeRepositoriesCommand({ repositoryNames: ['survivor'] }),
      );
      expect(repos.repositories?.[0].imageTagMutability).toBe('IMMUTABLE');
      expect(second.aws.hasImage('survivor', 'v1')).toBe(true);
      expect(second.aws.putImage('survivor', 'v1').digest).toBe(digest);
      const missing = await failure(() =>
        ecr2.send(
          new DescribeRepositoriesCommand({
            repositoryNames: ['never-created'],
          }),
        ),
      );
      expect(missing).toBeInstanceOf(RepositoryNotFoundException);
      const iam2 = new IAMClient(config2);
      expect(
        (await iam2.send(new GetRoleCommand({ RoleName: 'survivor' }))).Role
          ?.RoleId,
      ).toBe(role.Role?.RoleId);
      const eks2 = new EKSClient(config2);
      expect(
        (await eks2.send(new DescribeClusterCommand({ name: 'c1' }))).cluster
          ?.identity?.oidc?.issuer,
      ).toBe(issuer);
      const assocs = await eks2.send(
        new ListPodIdentityAssociationsCommand({ clusterName: 'c1' }),
      );
      expect(assocs.associations?.map(a => a.serviceAccount)).toEqual(['sa']);
      for (const c of [ecr2, iam2, eks2]) c.destroy();
    } finally {
      await second.close();
      removeDir(first.dataDir);
    }
  });
});
