/*
 * Round trips through the real AWS SDK v3 clients, pointed at the sandbox
 * with nothing but the endpoint changed: EKS clusters and pod identity
 * associations.
 */

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
import { failure, SdkSandbox, startSdkSandbox } from './__testUtils__/sdk';
import { RunningAws } from './testServer';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

let sdk: SdkSandbox;
let env: RunningAws;
let eks: EKSClient;

beforeAll(async () => {
  sdk = await startSdkSandbox();
  ({ env, eks } = sdk);
});

afterAll(() => sdk?.close());

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
