/*
 * AWS IAM roles (awsQuery, Version 2010-05-08): roles with trust policy,
 * permissions boundary, tags, inline and attached managed policies. Policy
 * documents go back URL-encoded, as the real IAM returns them.
 */

import { StateFile } from '../state';
import { AwsAccount, AwsState, AwsTag, IamRole } from './model';
import {
  asList,
  AwsError,
  isoSeconds,
  paginate,
  QueryParams,
  randomString,
  UPPER_ALNUM,
  validationError,
  XmlValue,
} from './protocols';

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const POLICY_ARN =
  /^arn:aws:iam::(aws|\d{12}):policy\/(?:[\u0021-\u007E]*\/)?[\w+=,.@-]{1,128}$/;

/** The result members of one IAM action, or nothing for empty results. */
type ActionResult = Record<string, XmlValue> | undefined;

function noSuchRole(name: string) {
  return new AwsError(
    404,
    'NoSuchEntity',
    `The role with name ${name} cannot be found.`,
  );
}

function malformed(message: string) {
  return new AwsError(400, 'MalformedPolicyDocument', message);
}

/**
 * Checks a policy document the way IAM does for the parts that matter here:
 * JSON, a Statement list with Effect and Action, and Principal (trust
 * policies) or Resource (permission policies).
 */
export function validatePolicyDocument(
  text: string,
  kind: 'trust' | 'permissions',
): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw malformed('This policy contains invalid Json');
  const { Statement, Version } = doc as {
    Statement?: unknown;
    Version?: unknown;
  };
  if (
    Version !== undefined &&
    Version !== '2012-10-17' &&
    Version !== '2008-10-17'
  ) {
    throw malformed('The policy failed legacy parsing');
  }
  const statements = asList(Statement);
  if (statements.length === 0) throw malformed('Syntax errors in policy.');
  for (const s of statements as Array<Record<string, unknown>>) {
    if (!s || typeof s !== 'object')
      throw malformed('Syntax errors in policy.');
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      throw malformed(`Invalid effect: ${String(s.Effect)}`);
    if (s.Action === undefined && s.NotAction === undefined)
      throw malformed('Policy statement must contain actions.');
    if (kind === 'trust') {
      if (s.Principal === undefined && s.NotPrincipal === undefined)
        throw malformed(
          'AssumeRolepolicy contained an invalid principal: Missing Principal.',
        );
      if (s.Resource !== undefined || s.NotResource !== undefined)
        throw malformed('Has prohibited field Resource');
    } else {
      if (s.Resource === undefined && s.NotResource === undefined)
        throw malformed('Policy statement must contain resources.');
      if (s.Principal !== undefined || s.NotPrincipal !== undefined)
        throw malformed('Policy document should not specify a principal.');
    }
  }
}

/** Options of {@link IamService.ensureRole}. */
export interface EnsureRoleOptions {
  path?: string;
  description?: string;
  permissionsBoundary?: string;
  tags?: Record<string, string>;
}

/** Emulated IAM roles of one account. */
export class IamService {
  readonly #state: StateFile<AwsState>;
  readonly #account: AwsAccount;

  constructor(state: StateFile<AwsState>, account: AwsAccount) {
    this.#state = state;
    this.#account = account;
  }

  /** The actions, by name. */
  readonly operations: Record<string, (p: QueryParams) => ActionResult> = {
    CreateRole: p => this.#createRole(p),
    GetRole: p => ({ Role: this.#roleXml(this.#role(p.req('RoleName'))) }),
    ListRoles: p => this.#listRoles(p),
    DeleteRole: p => this.#deleteRole(p),
    UpdateRole: p => this.#updateRole(p),
    UpdateAssumeRolePolicy: p => this.#updateAssumeRolePolicy(p),
    PutRolePolicy: p => this.#putRolePolicy(p),
    GetRolePolicy: p => this.#getRolePolicy(p),
    DeleteRolePolicy: p => this.#deleteRolePolicy(p),
    ListRolePolicies: p => this.#listRolePolicies(p),
    AttachRolePolicy: p => this.#attachRolePolicy(p),
    DetachRolePolicy: p => this.#detachRolePolicy(p),
    ListAttachedRolePolicies: p => this.#listAttachedRolePolicies(p),
    TagRole: p => this.#tagRole(p),
    UntagRole: p => this.#untagRole(p),
    ListRoleTags: p => this.#listRoleTags(p),
    PutRolePermissionsBoundary: p => this.#putBoundary(p),
    DeleteRolePermissionsBoundary: p => this.#deleteBoundary(p),
  };

  /** `arn:aws:iam::<account>:role<path><name>` */
  roleArn(role: Pick<IamRole, 'path' | 'name'>): string {
    return `arn:aws:iam::${this.#account.accountId}:role${role.path}${
      role.name
    }`;
  }

  /** Creates the role unless a role of that name exists; returns its ARN. */
  ensureRole(
    name: string,
    assumeRolePolicy: string | object,
    options: EnsureRoleOptions = {},
  ): { arn: string } {
    const existing = this.#state.data.iam.roles[name.toLowerCase()];
    if (existing) return { arn: this.roleArn(existing) };
    const doc =
      typeof assumeRolePolicy === 'string'
        ? assumeRolePolicy
        : JSON.stringify(assumeRolePolicy);
    const role = this.#newRole({
      name,
      path: options.path ?? '/',
      assumeRolePolicy: doc,
      description: options.description,
      permissionsBoundary: options.permissionsBoundary,
      tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({
        Key,
        Value,
      })),
    });
    return { arn: this.roleArn(role) };
  }

  /** The role of that name, if any (a copy). */
  getRole(name: string): IamRole | undefined {
    const role = this.#state.data.iam.roles[name.toLowerCase()];
    return role ? structuredClone(role) : undefined;
  }

  // ------------------------------------------------------------ helpers

  #role(name: string): IamRole {
    const role = this.#state.data.iam.roles[name.toLowerCase()];
    if (!role) throw noSuchRole(name);
    return role;
  }

  #newRole(
    init: Omit<
      IamRole,
      | 'id'
      | 'createdAt'
      | 'maxSessionDuration'
      | 'inlinePolicies'
      | 'attachedPolicies'
    > & { maxSessionDuration?: number },
  ): IamRole {
    if (!ROLE_NAME.test(init.name)) {
      throw validationError(
        `Value '${init.name}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
      );
    }
    if (init.path.length > 512 || !PATH.test(init.path)) {
      throw validationError(
        `Value '${init.path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)`,
      );
    }
    if (init.assumeRolePolicy.length > 2048) {
      throw new AwsError(
        409,
        'LimitExceeded',
        'Cannot exceed quota for ACLSizePerRole: 2048',
      );
    }
    validatePolicyDocument(init.assumeRolePolicy, 'trust');
    if (init.description !== undefined && init.description.length > 1000) {
      throw validationError(
        "Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000",
      );
    }
    const maxSession = init.maxSessionDuration ?? 3600;
    if (maxSession < 3600 || maxSession > 43200) {
      throw validationError(
        `Value '${maxSession}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`,
      );
    }
    if (init.permissionsBoundary !== undefined)
      checkPolicyArn(init.permissionsBoundary);
    const tags = checkTags(init.tags, []);
    if (this.#state.data.iam.roles[init.name.toLowerCase()]) {
      throw new AwsError(
        409,
        'EntityAlreadyExists',
        `Role with name ${init.name} already exists.`,
      );
    }
    const role: IamRole = {
      ...init,
      tags,
      id: `AROA${randomString(17, UPPER_ALNUM)}`,
      createdAt: new Date().toISOString(),
      maxSessionDuration: maxSession,
      inlinePolicies: {},
      attachedPolicies: [],
    };
    this.#state.update(d => {
      d.iam.roles[role.name.toLowerCase()] = role;
    });
    return role;
  }

  #roleXml(role: IamRole, full = true): Record<string, XmlValue> {
    return {
      Path: role.path,
      RoleName: role.name,
      RoleId: role.id,
      Arn: this.roleArn(role),
      CreateDate: isoSeconds(role.createdAt),
      AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicy),
      Description: role.description,
      MaxSessionDuration: role.maxSessionDuration,
      PermissionsBoundary:
        full && role.permissionsBoundary
          ? {
              PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
              PermissionsBoundaryArn: role.permissionsBoundary,
            }
          : undefined,
      Tags:
        full && role.tags.length
          ? role.tags.map(t => ({ Key: t.Key, Value: t.Value }))
          : undefined,
      RoleLastUsed: full ? {} : undefined,
    };
  }

  #page<T>(items: T[], p: QueryParams) {
    const max = p.int('MaxItems');
    if (max !== undefined && (max < 1 || max > 1000)) {
      throw validationError(
        `Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
      );
    }
    const { page, next } = paginate(items, p.str('Marker'), max, 100, () =>
      validationError(
        "Value at 'marker' failed to satisfy constraint: Invalid marker",
      ),
    );
    return { page, IsTruncated: next !== undefined, Marker: next };
  }

  // ------------------------------------------------------------ roles

  #createRole(p: QueryParams): ActionResult {
    const max = p.int('MaxSessionDuration');
    const role = this.#newRole({
      name: p.req('RoleName'),
      path: p.str('Path') ?? '/',
      assumeRolePolicy: p.req('AssumeRolePolicyDocument'),
      description: p.str('Description'),
      maxSessionDuration: max,
      permissionsBoundary: p.str('PermissionsBoundary'),
      tags: tagsFrom(p),
    });
    return { Role: this.#roleXml(role) };
  }

  #listRoles(p: QueryParams): ActionResult {
    const prefix = p.str('PathPrefix') ?? '/';
    const roles = Object.values(this.#state.data.iam.roles)
      .filter(r => r.path.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, IsTruncated, Marker } = this.#page(roles, p);
    return {
      Roles: page.map(r => this.#roleXml(r, false)),
      IsTruncated,
      Marker,
    };
  }

  #deleteRole(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    if (role.attachedPolicies.length > 0) {
      throw new AwsError(
        409,
        'DeleteConflict',
        'Cannot delete entity, must detach all policies first.',
      );
    }
    if (Object.keys(role.inlinePolicies).length > 0) {
      throw new AwsError(
        409,
        'DeleteConflict',
        'Cannot delete entity, must delete policies first.',
      );
    }
    this.#state.update(d => {
      delete d.iam.roles[role.name.toLowerCase()];
    });
    return undefined;
  }

  #updateRole(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const description = p.str('Description');
    const max = p.int('MaxSessionDuration');
    if (description !== undefined && description.length > 1000) {
      throw validationError(
        "Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000",
      );
    }
    if (max !== undefined && (max < 3600 || max > 43200)) {
      throw validationError(
        `Value '${max}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`,
      );
    }
    this.#state.update(() => {
      if (description !== undefined) role.description = description;
      if (max !== undefined) role.maxSessionDuration = max;
    });
    return {};
  }

  #updateAssumeRolePolicy(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const doc = p.req('PolicyDocument');
    validatePolicyDocument(doc, 'trust');
    this.#state.update(() => {
      role.assumeRolePolicy = doc;
    });
    return undefined;
  }

  // ------------------------------------------------------------ inline policies

  #putRolePolicy(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const name = p.req('PolicyName');
    const doc = p.req('PolicyDocument');
    if (!POLICY_NAME.test(name)) {
      throw validationError(
        `Value '${name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
      );
    }
    validatePolicyDocument(doc, 'permissions');
    const others = Object.entries(role.inlinePolicies)
      .filter(([n]) => n !== name)
      .reduce((sum, [, d]) => sum + d.replace(/\s/g, '').length, 0);
    if (others + doc.replace(/\s/g, '').length > 10240) {
      throw new AwsError(
        409,
        'LimitExceeded',
        `Maximum policy size of 10240 bytes exceeded for role ${role.name}`,
      );
    }
    this.#state.update(() => {
      role.inlinePolicies[name] = doc;
    });
    return undefined;
  }

  #inline(role: IamRole, name: string): string {
    const doc = role.inlinePolicies[name];
    if (doc === undefined) {
      throw new AwsError(
        404,
        'NoSuchEntity',
        `The role policy with name ${name} cannot be found.`,
      );
    }
    return doc;
  }

  #getRolePolicy(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const name = p.req('PolicyName');
    return {
      RoleName: role.name,
      PolicyName: name,
      PolicyDocument: encodeURIComponent(this.#inline(role, name)),
    };
  }

  #deleteRolePolicy(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const name = p.req('PolicyName');
    this.#inline(role, name);
    this.#state.update(() => {
      delete role.inlinePolicies[name];
    });
    return undefined;
  }

  #listRolePolicies(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const { page, IsTruncated, Marker } = this.#page(
      Object.keys(role.inlinePolicies).sort(),
      p,
    );
    return { PolicyNames: page, IsTruncated, Marker };
  }

  // ------------------------------------------------------------ managed policies

  #attachRolePolicy(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const arn = p.req('PolicyArn');
    checkPolicyArn(arn);
    if (!role.attachedPolicies.includes(arn)) {
      if (role.attachedPolicies.length >= 20) {
        throw new AwsError(
          409,
          'LimitExceeded',
          'Cannot exceed quota for PoliciesPerRole: 20',
        );
      }
      this.#state.update(() => {
        role.attachedPolicies.push(arn);
      });
    }
    return undefined;
  }

  #detachRolePolicy(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const arn = p.req('PolicyArn');
    checkPolicyArn(arn);
    if (!role.attachedPolicies.includes(arn)) {
      throw new AwsError(404, 'NoSuchEntity', `Policy ${arn} was not found.`);
    }
    this.#state.update(() => {
      role.attachedPolicies = role.attachedPolicies.filter(a => a !== arn);
    });
    return undefined;
  }

  #listAttachedRolePolicies(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const prefix = p.str('PathPrefix') ?? '/';
    const attached = role.attachedPolicies
      .map(arn => ({ arn, path: policyPath(arn) }))
      .filter(a => a.path.startsWith(prefix))
      .map(a => ({
        PolicyName: a.arn.slice(a.arn.lastIndexOf('/') + 1),
        PolicyArn: a.arn,
      }));
    const { page, IsTruncated, Marker } = this.#page(attached, p);
    return { AttachedPolicies: page, IsTruncated, Marker };
  }

  // ------------------------------------------------------------ tags & boundary

  #tagRole(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const tags = checkTags(tagsFrom(p), role.tags);
    this.#state.update(() => {
      role.tags = tags;
    });
    return undefined;
  }

  #untagRole(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const keys = p.list('TagKeys');
    this.#state.update(() => {
      role.tags = role.tags.filter(t => !keys.includes(t.Key));
    });
    return undefined;
  }

  #listRoleTags(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const { page, IsTruncated, Marker } = this.#page(role.tags, p);
    return {
      Tags: page.map(t => ({ Key: t.Key, Value: t.Value })),
      IsTruncated,
      Marker,
    };
  }

  #putBoundary(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    const arn = p.req('PermissionsBoundary');
    checkPolicyArn(arn);
    this.#state.update(() => {
      role.permissionsBoundary = arn;
    });
    return undefined;
  }

  #deleteBoundary(p: QueryParams): ActionResult {
    const role = this.#role(p.req('RoleName'));
    this.#state.update(() => {
      delete role.permissionsBoundary;
    });
    return undefined;
  }
}

function checkPolicyArn(arn: string) {
  if (!POLICY_ARN.test(arn)) {
    throw new AwsError(400, 'InvalidInput', `ARN ${arn} is not valid.`);
  }
}

function policyPath(arn: string): string {
  const resource = arn.slice(arn.indexOf(':policy') + ':policy'.length);
  return resource.slice(0, resource.lastIndexOf('/') + 1) || '/';
}

function tagsFrom(p: QueryParams): AwsTag[] {
  return p
    .structList('Tags', ['Key', 'Value'])
    .map(t => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/** Merges `added` into `existing` (added wins), with IAM's tag rules. */
function checkTags(added: AwsTag[], existing: AwsTag[]): AwsTag[] {
  const seen = new Set<string>();
  for (const t of added) {
    if (
      t.Key.length < 1 ||
      t.Key.length > 128 ||
      !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(t.Key)
    ) {
      throw validationError(
        `Value '${t.Key}' at 'tags.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`,
      );
    }
    if (t.Value.length > 256) {
      throw validationError(
        "Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
      );
    }
    if (seen.has(t.Key.toLowerCase()))
      throw new AwsError(
        400,
        'InvalidInput',
        'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      );
    seen.add(t.Key.toLowerCase());
  }
  const merged = existing
    .filter(t => !seen.has(t.Key.toLowerCase()))
    .concat(added.map(t => ({ ...t })));
  if (merged.length > 50) {
    throw new AwsError(
      409,
      'LimitExceeded',
      'Cannot exceed quota for TagsPerRole: 50',
    );
  }
  return merged;
}
