import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';

/** A change to a service, as `ServiceAccess.authorize` decides it. @public */
export interface ServiceChangeRequest {
  /** What is being done, for the audit log: `rollback`, `decommission`, ... */
  action: string;
  /** The entity the change belongs to, as the caller names it. */
  entityRef: unknown;
  /** The permission the change needs on that entity. */
  permission: ResourcePermission<'catalog-entity'>;
  /** Who asks: the request's user, or the scaffolder task's initiator. */
  credentials: BackstageCredentials;
  /** Extra audit metadata (no secrets). */
  meta?: JsonObject;
}

/** The entity a change was allowed on. @public */
export interface AuthorizedService {
  entity: Entity;
  /** The entity's full ref: the value every upstream resource is bound to. */
  entityRef: string;
}

/** The normalised ref of an entity, as resources carry it in OWNER_TAG. @public */
export function bindingOf(entityRef: string): string {
  return stringifyEntityRef(
    parseEntityRef(entityRef, { defaultKind: 'component' }),
  ).toLowerCase();
}

/**
 * Refuses unless a resource is bound to `entityRef` (its OWNER_TAG tag,
 * label or annotation holds that exact ref). An entity can only act on
 * resources bound to itself, whatever its annotations point at.
 *
 * @public
 */
export function assertBoundTo(
  resource: string,
  binding: string | undefined,
  entityRef: string,
): void {
  if (binding !== undefined && binding.toLowerCase() === bindingOf(entityRef))
    return;
  throw new ConflictError(
    binding === undefined
      ? `${resource} is not bound to ${entityRef}: it carries no ${OWNER_TAG}; Slipway changes only resources bound to the entity asking`
      : `${resource} belongs to ${binding}, not ${entityRef}; an entity can only change resources bound to it`,
  );
}

/**
 * Decides every change to a service on who asks and which catalog entity
 * the change belongs to, through the permission framework, and audits each
 * decision. Shared by the delivery backend (rollback, promote) and the
 * scaffolder modules (create, adopt, decommission).
 *
 * @public
 */
export class ServiceAccess {
  readonly #catalog: CatalogService;
  readonly #permissions: PermissionsService;
  readonly #auditor: AuditorService;

  constructor(deps: {
    catalog: CatalogService;
    permissions: PermissionsService;
    auditor: AuditorService;
  }) {
    this.#catalog = deps.catalog;
    this.#permissions = deps.permissions;
    this.#auditor = deps.auditor;
  }

  /**
   * The entity named by `entityRef` as the caller sees it, once the caller
   * holds `permission` on it. An entity the caller cannot see is "not
   * found" (never a hint that it exists); a refusal is NotAllowedError.
   * Both outcomes are audited (event id `<action>-authorization`).
   */
  async authorize(request: ServiceChangeRequest): Promise<AuthorizedService> {
    const ref = parseEntityRefInput(request.entityRef);
    const event = await this.#auditor.createEvent({
      eventId: `${request.action}-authorization`,
      severityLevel: 'medium',
      meta: {
        actor: actorOf(request.credentials),
        entityRef: ref,
        permission: request.permission.name,
        ...request.meta,
      },
    });
    try {
      const allowed = await this.resolve({ ...request, entityRef: ref });
      await event.success({ meta: { decision: 'allow' } });
      return allowed;
    } catch (error) {
      await event.fail({ error: error as Error, meta: { decision: 'deny' } });
      throw error;
    }
  }

  /**
   * As {@link ServiceAccess.authorize}, without an audit event: for reads
   * (the delivery status), which are not changes.
   */
  async resolve(request: {
    entityRef: unknown;
    permission: ResourcePermission<'catalog-entity'>;
    credentials: BackstageCredentials;
  }): Promise<AuthorizedService> {
    const ref = parseEntityRefInput(request.entityRef);
    const entity = await this.#catalog.getEntityByRef(ref, {
      credentials: request.credentials,
    });
    if (!entity) throw new NotFoundError(`No entity ${ref}`);
    await this.#decide(request.permission, ref, request.credentials);
    return { entity, entityRef: ref };
  }

  /** Throws NotAllowedError unless the caller holds `permission` on `ref`. */
  async #decide(
    permission: ResourcePermission<'catalog-entity'>,
    ref: string,
    credentials: BackstageCredentials,
  ) {
    const [decision] = await this.#permissions.authorize(
      [{ permission, resourceRef: ref }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      const hint =
        permission.attributes.action === 'read'
          ? ''
          : ': only its owners (or a platform group) may';
      throw new NotAllowedError(
        `${actorOf(credentials)} may not ${permission.name} on ${ref}${hint}`,
      );
    }
  }
}

/**
 * An entity ref from a request, normalised (`component` by default); a
 * missing, over-long or malformed one is an InputError.
 *
 * @public
 */
export function parseEntityRefInput(entityRef: unknown): string {
  if (typeof entityRef !== 'string' || !entityRef || entityRef.length > 512) {
    throw new InputError('entityRef must be an entity reference string');
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(entityRef, { defaultKind: 'component' }),
    );
  } catch (e) {
    throw new InputError(`Invalid entityRef: ${(e as Error).message}`);
  }
}

/** The user or service behind credentials, for messages and audit events. @public */
export function actorOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p.type === 'user' && p.userEntityRef) return p.userEntityRef;
  if (p.type === 'service' && p.subject) return p.subject;
  return p.type;
}
