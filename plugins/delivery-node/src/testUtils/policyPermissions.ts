/*
 * Slipway's real permission policy, evaluated the way the permission and
 * catalog backends evaluate it: the policy decides, and a conditional
 * decision is applied to the entity with the catalog's own permission
 * rules. For tests that must show a refusal with real identities, without
 * starting a permission backend.
 */

import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { SlipwayPermissionPolicy } from '../identity/policy';

/**
 * A user's ownership refs as Backstage's sign-in resolvers put them in the
 * token: the user and the groups its User entity is a member of.
 */
export function ownershipRefs(entities: Entity[], userRef: string): string[] {
  const user = entities.find(
    e => stringifyEntityRef(e).toLowerCase() === userRef.toLowerCase(),
  );
  const groups = [
    ...((user?.spec?.memberOf as string[] | undefined) ?? []),
    ...(user?.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef),
  ].map(g => stringifyEntityRef(parseEntityRef(g, { defaultKind: 'group' })));
  return [userRef, ...new Set(groups)];
}

/** A UserInfoService answering from the catalog's User entities. */
export function catalogUserInfo(entities: Entity[]): UserInfoService {
  return {
    async getUserInfo(credentials: BackstageCredentials) {
      const p = credentials.principal as { userEntityRef?: string };
      if (!p.userEntityRef) throw new Error('not a user');
      return {
        userEntityRef: p.userEntityRef,
        ownershipEntityRefs: ownershipRefs(entities, p.userEntityRef),
      };
    },
  };
}

const authorizeConditions = createConditionAuthorizer(
  Object.values(permissionRules),
);

/**
 * A PermissionsService running {@link SlipwayPermissionPolicy} over the
 * entities of `catalog` (Users and Groups included).
 */
export function policyPermissions(options: {
  catalog: CatalogService;
  entities: Entity[];
  platformGroups?: string[];
}): PermissionsService & { policy: SlipwayPermissionPolicy } {
  const policy = new SlipwayPermissionPolicy({
    userInfo: catalogUserInfo(options.entities),
    platformGroups: options.platformGroups ?? ['group:default/platform-team'],
  });
  return {
    policy,
    async authorize(requests, { credentials }) {
      // Backstage's permission client allows service principals outright.
      if ((credentials.principal as { type?: string }).type === 'service') {
        return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
      }
      return Promise.all(
        requests.map(async request => {
          const decision = await policy.handle(
            { permission: request.permission },
            { credentials, info: undefined as any },
          );
          if (decision.result !== AuthorizeResult.CONDITIONAL) {
            return { result: decision.result };
          }
          if (
            !isResourcePermission(request.permission) ||
            !('resourceRef' in request) ||
            !request.resourceRef
          ) {
            return { result: AuthorizeResult.DENY };
          }
          const entity = await options.catalog.getEntityByRef(
            request.resourceRef,
            { credentials },
          );
          return {
            result: authorizeConditions(decision, entity)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          };
        }),
      );
    },
    async authorizeConditional(requests, { credentials }) {
      return Promise.all(
        requests.map(
          r =>
            policy.handle(
              { permission: r.permission },
              { credentials, info: undefined as any },
            ) as any,
        ),
      );
    },
  };
}
