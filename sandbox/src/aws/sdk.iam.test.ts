/*
 * Round trips through the real AWS SDK v3 clients, pointed at the sandbox
 * with nothing but the endpoint changed: IAM roles with trust policies,
 * permissions boundaries, tags, and inline and attached policies.
 */

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
import { failure, SdkSandbox, startSdkSandbox } from './__testUtils__/sdk';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

let sdk: SdkSandbox;
let iam: IAMClient;

beforeAll(async () => {
  sdk = await startSdkSandbox();
  ({ iam } = sdk);
});

afterAll(() => sdk?.close());

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
