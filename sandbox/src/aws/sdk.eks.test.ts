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
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { SEED } from '../seed';
import { failure, SdkSandbox, startSdkSandbox } from './__testUtils__/sdk';
import { RunningAws } from './testServer';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

let sdk: SdkSandbox;
let env: RunningAws;
let eks: EKSClient;

/** The seed's clusters: non-prod (dev, staging) and prod. */
const { nonprod: NONPROD, prod: PROD } = SEED.clusters;

beforeAll(async () => {
  sdk = await startSdkSandbox();
  ({ env, eks } = sdk);
});

afterAll(() => sdk?.close());

describe('EKS', () => {
  it('describes a seeded cluster with its OIDC issuer', async () => {
    const { issuer } = env.aws.ensureCluster(NONPROD);
    expect(issuer).toMatch(
      /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
    );
    expect(env.aws.ensureCluster(NONPROD).issuer).toBe(issuer);
    const { cluster } = await eks.send(
      new DescribeClusterCommand({ name: NONPROD }),
    );
    expect(cluster).toMatchObject({
      name: NONPROD,
      arn: `arn:aws:eks:eu-west-1:123456789012:cluster/${NONPROD}`,
      status: 'ACTIVE',
      identity: { oidc: { issuer } },
    });
    expect(cluster?.endpoint).toMatch(
      /^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/,
    );
    expect(cluster?.createdAt).toBeInstanceOf(Date);

    const missing = await failure(() =>
      eks.send(new DescribeClusterCommand({ name: 'nope' })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(
      (missing as ResourceNotFoundException).$metadata.httpStatusCode,
    ).toBe(404);
  });

  it('lists the non-prod and prod clusters, each with its own OIDC issuer and endpoint', async () => {
    const nonprod = env.aws.ensureCluster(NONPROD);
    const prod = env.aws.ensureCluster(PROD);
    expect(prod.issuer).not.toBe(nonprod.issuer);
    expect(prod.endpoint).not.toBe(nonprod.endpoint);

    const { clusters } = await eks.send(new ListClustersCommand({}));
    expect(clusters).toEqual([NONPROD, PROD]);
    const paged = await eks.send(new ListClustersCommand({ maxResults: 1 }));
    expect(paged.clusters).toEqual([NONPROD]);
    const rest = await eks.send(
      new ListClustersCommand({ nextToken: paged.nextToken }),
    );
    expect(rest.clusters).toEqual([PROD]);

    for (const [name, ensured] of [
      [NONPROD, nonprod],
      [PROD, prod],
    ] as const) {
      const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
      expect(cluster?.identity?.oidc?.issuer).toBe(ensured.issuer);
      expect(cluster?.endpoint).toBe(ensured.endpoint);
    }
  });

  it('creates, lists, filters and deletes pod identity associations', async () => {
    env.aws.ensureCluster(NONPROD);
    const roleArn = 'arn:aws:iam::123456789012:role/slipway/payments-api';
    const { association } = await eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: NONPROD,
        namespace: 'payments',
        serviceAccount: 'payments-api',
        roleArn,
        tags: { team: 'a' },
      }),
    );
    expect(association).toMatchObject({
      clusterName: NONPROD,
      namespace: 'payments',
      serviceAccount: 'payments-api',
      roleArn,
      tags: { team: 'a' },
    });
    expect(association?.associationId).toMatch(/^a-[a-z0-9]{17}$/);
    expect(association?.associationArn).toBe(
      `arn:aws:eks:eu-west-1:123456789012:podidentityassociation/${NONPROD}/${association?.associationId}`,
    );

    const again = await failure(() =>
      eks.send(
        new CreatePodIdentityAssociationCommand({
          clusterName: NONPROD,
          namespace: 'payments',
          serviceAccount: 'payments-api',
          roleArn,
        }),
      ),
    );
    expect(again).toBeInstanceOf(ResourceInUseException);

    await eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: NONPROD,
        namespace: 'orders',
        serviceAccount: 'orders-api',
        roleArn,
      }),
    );
    const all = await eks.send(
      new ListPodIdentityAssociationsCommand({ clusterName: NONPROD }),
    );
    expect(all.associations?.map(a => a.namespace).sort()).toEqual([
      'orders',
      'payments',
    ]);
    const filtered = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: NONPROD,
        namespace: 'payments',
        serviceAccount: 'payments-api',
      }),
    );
    expect(filtered.associations).toEqual([
      {
        clusterName: NONPROD,
        namespace: 'payments',
        serviceAccount: 'payments-api',
        associationArn: association?.associationArn,
        associationId: association?.associationId,
      },
    ]);
    const paged = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: NONPROD,
        maxResults: 1,
      }),
    );
    expect(paged.associations).toHaveLength(1);
    expect(paged.nextToken).toBeDefined();

    const described = await eks.send(
      new DescribePodIdentityAssociationCommand({
        clusterName: NONPROD,
        associationId: association!.associationId!,
      }),
    );
    expect(described.association?.roleArn).toBe(roleArn);

    await eks.send(
      new DeletePodIdentityAssociationCommand({
        clusterName: NONPROD,
        associationId: association!.associationId!,
      }),
    );
    const deleted = await failure(() =>
      eks.send(
        new DescribePodIdentityAssociationCommand({
          clusterName: NONPROD,
          associationId: association!.associationId!,
        }),
      ),
    );
    expect(deleted).toBeInstanceOf(ResourceNotFoundException);
    expect(
      env.aws.podIdentityAssociations(NONPROD).map(a => a.namespace),
    ).toEqual(['orders']);
  });
});
