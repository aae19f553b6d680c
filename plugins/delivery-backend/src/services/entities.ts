import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * The entity named by `entityRef`, as the caller sees it, once the caller
 * may do `permission` on it. An entity the caller cannot see is "not found"
 * (never a hint that it exists); a denied permission is NotAllowedError.
 */
export async function resolveEntity(
  deps: { catalog: CatalogService; permissions: PermissionsService },
  entityRef: unknown,
  credentials: BackstageCredentials,
  permission: ResourcePermission<'catalog-entity'>,
): Promise<{ entity: Entity; entityRef: string }> {
  if (typeof entityRef !== 'string' || entityRef.length > 512) {
    throw new InputError('entityRef must be an entity reference string');
  }
  let ref: string;
  try {
    ref = stringifyEntityRef(
      parseEntityRef(entityRef, { defaultKind: 'component' }),
    );
  } catch (e) {
    throw new InputError(`Invalid entityRef: ${(e as Error).message}`);
  }
  const entity = await deps.catalog.getEntityByRef(ref, { credentials });
  if (!entity) {
    throw new NotFoundError(`No entity ${ref}`);
  }
  const [decision] = await deps.permissions.authorize(
    [{ permission, resourceRef: ref }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`Not allowed: ${permission.name} on ${ref}`);
  }
  return { entity, entityRef: ref };
}
