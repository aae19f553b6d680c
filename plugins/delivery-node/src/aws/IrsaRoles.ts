import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  NoSuchEntityException,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoleTags,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  Role,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ConflictError } from '@backstage/errors';
import { AwsClients } from './AwsClients';
import {
  assertClaimable,
  assertOwned,
  claimTags,
  CreationClaim,
  tagMap,
} from './ownership';
import { issuerHostPath, PolicyDocument } from './policies';
import { PodIdentityAssociations } from './PodIdentityAssociations';

function tagList(claim: CreationClaim) {
  return Object.entries(claimTags(claim)).map(([Key, Value]) => ({
    Key,
    Value,
  }));
}

/** What Slipway wants a service's role to be. @public */
export interface ServiceRoleSpec extends CreationClaim {
  roleName: string;
  path: string;
  trustPolicy: PolicyDocument;
  permissionsBoundaryArn: string;
  description?: string;
}

/** A role as IAM reports it, documents decoded. @public */
export interface ServiceRoleState {
  roleName: string;
  roleArn: string;
  path: string;
  trustPolicy: unknown;
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
  /** Inline policies: name → decoded document. */
  inlinePolicies: Record<string, unknown>;
  attachedPolicyArns: string[];
}

/** What deleting a role removed. @public */
export interface ServiceRoleDeletion {
  deleted: boolean;
  inlinePolicies: string[];
  detachedPolicies: string[];
  associations: string[];
}

function decode(doc: string | undefined): unknown {
  return doc === undefined ? undefined : JSON.parse(decodeURIComponent(doc));
}

/**
 * IAM roles for services (IRSA or EKS Pod Identity), created with the
 * configured permissions boundary, adopted, changed or deleted only when they
 * carry this service's OWNER_TAG. Every method is idempotent.
 *
 * @public
 */
export class IrsaRoles {
  readonly #clients: AwsClients;

  readonly #pods: PodIdentityAssociations;

  constructor(clients: AwsClients) {
    this.#clients = clients;
    this.#pods = new PodIdentityAssociations(clients.eks);
  }

  /** `arn:aws:iam::<account>:role<path><name>`, without asking AWS. */
  expectedRoleArn(roleName: string, path: string): string {
    const { partition, accountId } = this.#clients.settings;
    return `arn:${partition}:iam::${accountId}:role${path}${roleName}`;
  }

  /**
   * A cluster's OIDC issuer as IAM names it (no `https://`): the configured
   * `oidcIssuer` when given (a cluster in another account), else read with
   * DescribeCluster.
   */
  async issuerHostPath(
    clusterName: string,
    oidcIssuer?: string,
  ): Promise<string> {
    if (oidcIssuer) return issuerHostPath(oidcIssuer);
    const res = await this.#clients.eks.send(
      new DescribeClusterCommand({ name: clusterName }),
    );
    const issuer = res.cluster?.identity?.oidc?.issuer;
    if (!issuer) {
      throw new Error(
        `EKS cluster '${clusterName}' has no OIDC issuer; IRSA needs one (or use mode 'pod-identity')`,
      );
    }
    return issuerHostPath(issuer);
  }

  async #role(roleName: string): Promise<Role | undefined> {
    try {
      return (
        await this.#clients.iam.send(new GetRoleCommand({ RoleName: roleName }))
      ).Role;
    } catch (e) {
      if (e instanceof NoSuchEntityException) return undefined;
      throw e;
    }
  }

  // The SDK's paginators follow IAM's Marker/IsTruncated pages.
  async #tags(roleName: string): Promise<Record<string, string>> {
    const tags: Array<{ Key?: string; Value?: string }> = [];
    const pages = paginateListRoleTags(
      { client: this.#clients.iam },
      { RoleName: roleName },
    );
    for await (const page of pages) tags.push(...(page.Tags ?? []));
    return tagMap(tags);
  }

  async #inlineNames(roleName: string): Promise<string[]> {
    const names: string[] = [];
    const pages = paginateListRolePolicies(
      { client: this.#clients.iam },
      { RoleName: roleName },
    );
    for await (const page of pages) names.push(...(page.PolicyNames ?? []));
    return names;
  }

  async #attachedArns(roleName: string): Promise<string[]> {
    const arns: string[] = [];
    const pages = paginateListAttachedRolePolicies(
      { client: this.#clients.iam },
      { RoleName: roleName },
    );
    for await (const page of pages) {
      arns.push(...(page.AttachedPolicies ?? []).map(p => p.PolicyArn!));
    }
    return arns;
  }

  /** The role with its documents, tags and policies; undefined when missing. */
  async describe(roleName: string): Promise<ServiceRoleState | undefined> {
    const role = await this.#role(roleName);
    if (!role) return undefined;
    const inlinePolicies: Record<string, unknown> = {};
    for (const name of await this.#inlineNames(roleName)) {
      const res = await this.#clients.iam.send(
        new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
      );
      inlinePolicies[name] = decode(res.PolicyDocument);
    }
    return {
      roleName: role.RoleName!,
      roleArn: role.Arn!,
      path: role.Path!,
      trustPolicy: decode(role.AssumeRolePolicyDocument),
      permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn,
      tags: await this.#tags(roleName),
      inlinePolicies,
      attachedPolicyArns: await this.#attachedArns(roleName),
    };
  }

  /**
   * Creates the role (trust policy, boundary, OWNER_TAG and TASK_TAG), or
   * takes an existing one the claim allows ({@link assertClaimable}) and
   * converges its trust policy, boundary and tags. Throws ConflictError for
   * any other existing role, before changing it.
   */
  async ensureRole(
    spec: ServiceRoleSpec,
  ): Promise<{ roleArn: string; roleName: string; adopted: boolean }> {
    const existing = await this.#role(spec.roleName);
    if (existing) return this.#adopt(existing, spec);
    try {
      const res = await this.#clients.iam.send(
        new CreateRoleCommand({
          RoleName: spec.roleName,
          Path: spec.path,
          AssumeRolePolicyDocument: JSON.stringify(spec.trustPolicy),
          PermissionsBoundary: spec.permissionsBoundaryArn,
          Description: spec.description,
          Tags: tagList(spec),
        }),
      );
      return {
        roleArn: res.Role!.Arn!,
        roleName: res.Role!.RoleName!,
        adopted: false,
      };
    } catch (e) {
      if (!(e instanceof EntityAlreadyExistsException)) throw e;
      const raced = await this.#role(spec.roleName);
      if (!raced) throw e;
      return this.#adopt(raced, spec);
    }
  }

  async #adopt(role: Role, spec: ServiceRoleSpec) {
    const { iam } = this.#clients;
    assertClaimable(
      'IAM role',
      spec.roleName,
      await this.#tags(spec.roleName),
      spec,
    );
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: spec.roleName,
        PolicyDocument: JSON.stringify(spec.trustPolicy),
      }),
    );
    if (
      role.PermissionsBoundary?.PermissionsBoundaryArn !==
      spec.permissionsBoundaryArn
    ) {
      await iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: spec.roleName,
          PermissionsBoundary: spec.permissionsBoundaryArn,
        }),
      );
    }
    await iam.send(
      new TagRoleCommand({
        RoleName: spec.roleName,
        Tags: tagList(spec),
      }),
    );
    return { roleArn: role.Arn!, roleName: role.RoleName!, adopted: true };
  }

  /**
   * Makes `policyName` the role's only Slipway inline policy with `document`
   * (deleted when the document has no statements). Other inline policies
   * whose name starts with `slipway-` are removed; foreign ones are kept.
   */
  async putInlinePolicy(
    roleName: string,
    owner: string,
    policyName: string,
    document: PolicyDocument,
  ): Promise<{ policyName: string; statements: number }> {
    assertOwned('IAM role', roleName, await this.#tags(roleName), owner);
    const { iam } = this.#clients;
    if (document.Statement.length) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: policyName,
          PolicyDocument: JSON.stringify(document),
        }),
      );
    }
    for (const name of await this.#inlineNames(roleName)) {
      if (
        name.startsWith('slipway-') &&
        (name !== policyName || !document.Statement.length)
      ) {
        await this.#deleteInline(roleName, name);
      }
    }
    return { policyName, statements: document.Statement.length };
  }

  async #deleteInline(roleName: string, policyName: string) {
    try {
      await this.#clients.iam.send(
        new DeleteRolePolicyCommand({
          RoleName: roleName,
          PolicyName: policyName,
        }),
      );
    } catch (e) {
      if (!(e instanceof NoSuchEntityException)) throw e;
    }
  }

  /**
   * Creates the pod identity association for namespace/serviceAccount →
   * roleArn, or reuses (and repoints) one Slipway owns for this service.
   * Throws ConflictError when another owner's association holds the pair.
   */
  ensurePodIdentityAssociation(
    opts: Parameters<PodIdentityAssociations['ensure']>[0],
  ): Promise<{ associationId: string; adopted: boolean }> {
    return this.#pods.ensure(opts);
  }

  /**
   * Checks a role may be deleted: 'missing' when there is nothing to delete,
   * ConflictError when it is not owned.
   */
  async checkDeletable(
    roleName: string,
    owner: string,
  ): Promise<{ state: 'missing' } | { state: 'present'; roleArn: string }> {
    const role = await this.#role(roleName);
    if (!role) return { state: 'missing' };
    assertOwned('IAM role', roleName, await this.#tags(roleName), owner);
    return { state: 'present', roleArn: role.Arn! };
  }

  /**
   * Deletes the pod identity associations on `clusterName` that point at the
   * role and carry OWNER_TAG = owner. Returns their ids.
   */
  deleteOwnedAssociations(
    clusterName: string,
    roleArn: string,
    owner: string,
  ): Promise<string[]> {
    return this.#pods.deleteOwned(clusterName, roleArn, owner);
  }

  /** Deletes every inline policy and detaches every managed policy of an owned role. */
  async removeRolePolicies(
    roleName: string,
    owner: string,
  ): Promise<{ inlinePolicies: string[]; detachedPolicies: string[] }> {
    const check = await this.checkDeletable(roleName, owner);
    if (check.state === 'missing') {
      return { inlinePolicies: [], detachedPolicies: [] };
    }
    const inlinePolicies = await this.#inlineNames(roleName);
    for (const name of inlinePolicies) await this.#deleteInline(roleName, name);
    const detachedPolicies = await this.#attachedArns(roleName);
    for (const arn of detachedPolicies) {
      try {
        await this.#clients.iam.send(
          new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }),
        );
      } catch (e) {
        if (!(e instanceof NoSuchEntityException)) throw e;
      }
    }
    return { inlinePolicies, detachedPolicies };
  }

  /** Deletes an owned role whose policies are gone. False when already gone. */
  async deleteRole(roleName: string, owner: string): Promise<boolean> {
    const check = await this.checkDeletable(roleName, owner);
    if (check.state === 'missing') return false;
    try {
      await this.#clients.iam.send(
        new DeleteRoleCommand({ RoleName: roleName }),
      );
      return true;
    } catch (e) {
      if (e instanceof NoSuchEntityException) return false;
      if (
        (e as Error).name === 'DeleteConflict' ||
        (e as Error).name === 'DeleteConflictException'
      ) {
        throw new ConflictError(
          `IAM role '${roleName}' still has policies or instance profiles attached: ${
            (e as Error).message
          }`,
        );
      }
      throw e;
    }
  }
}
