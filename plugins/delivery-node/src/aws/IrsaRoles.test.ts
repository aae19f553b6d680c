import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AttachRolePolicyCommand } from '@aws-sdk/client-iam';
import { ConfigReader } from '@backstage/config';
import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';
import { AwsClients } from './AwsClients';
import { IrsaRoles } from './IrsaRoles';
import { podIdentityTrustPolicy } from './policies';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

describe('IrsaRoles against the sandbox', () => {
  let sb: Sandbox;
  let dataDir: string;
  let clients: AwsClients;
  let roles: IrsaRoles;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-irsa-'));
    sb = await startSandbox({
      dataDir,
      ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
      seed: false,
    });
    sb.aws.ensureCluster('dev');
    clients = AwsClients.fromConfig(
      new ConfigReader({
        aws: { mainAccount: { ...SANDBOX_CREDENTIALS.aws } },
        slipway: {
          aws: {
            accountId: '123456789012',
            region: 'eu-west-1',
            endpoint: sb.urls.aws,
            iam: {
              permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/b',
            },
            eks: { clusterName: 'dev' },
          },
        },
      }),
    );
    roles = new IrsaRoles(clients);
  });
  afterAll(async () => {
    await sb.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('removeRolePolicies detaches managed policies and deletes inline ones, so the role can go', async () => {
    const owner = 'component:default/svc';
    await roles.ensureRole({
      roleName: 'svc',
      path: '/slipway/',
      owner,
      trustPolicy: podIdentityTrustPolicy(),
      permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/b',
    });
    await roles.putInlinePolicy('svc', owner, 'slipway-svc', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::b/*'],
        },
      ],
    });
    await clients.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'svc',
        PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );

    expect(await roles.removeRolePolicies('svc', owner)).toEqual({
      inlinePolicies: ['slipway-svc'],
      detachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    expect(await roles.deleteRole('svc', owner)).toBe(true);
    expect(await roles.deleteRole('svc', owner)).toBe(false);
    expect(sb.aws.getRole('svc')).toBeUndefined();
  });

  it('refuses to touch the policies of a role it does not own', async () => {
    sb.aws.ensureRole('other', podIdentityTrustPolicy(), {
      tags: { [OWNER_TAG]: 'component:default/other' },
    });
    await expect(
      roles.removeRolePolicies('other', 'component:default/svc'),
    ).rejects.toThrow(`lacks the tag ${OWNER_TAG}=component:default/svc`);
  });
});
