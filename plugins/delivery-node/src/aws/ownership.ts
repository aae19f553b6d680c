import { ConflictError } from '@backstage/errors';
import {
  OWNER_TAG,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';

/** AWS tags as a plain map. */
export function tagMap(
  tags: Array<{ Key?: string; Value?: string }> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? [])
    if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/**
 * Throws a ConflictError unless `tags` carry OWNER_TAG with `owner` as value.
 * Slipway adopts, changes and deletes only what it owns.
 */
export function assertOwned(
  kind: string,
  name: string,
  tags: Record<string, string>,
  owner: string,
): void {
  const actual = tags[OWNER_TAG];
  if (actual === owner) return;
  const found =
    actual === undefined
      ? `it has no '${OWNER_TAG}' tag`
      : `its '${OWNER_TAG}' tag is '${actual}'`;
  throw new ConflictError(
    `${kind} '${name}' already exists but is not owned by ${owner}: it lacks the tag ${OWNER_TAG}=${owner} (${found}). Slipway only adopts or deletes resources carrying that tag; choose another name or tag the resource deliberately.`,
  );
}

/**
 * Who may take an existing resource while creating a service: the entity it
 * must be bound to, the scaffolder task asking, and whether the task's
 * initiator was allowed (and audited) to adopt existing resources on purpose.
 *
 * @public
 */
export interface CreationClaim {
  /** The OWNER_TAG value the resource must carry (`component:default/<name>`). */
  owner: string;
  /** The scaffolder task's id, written as TASK_TAG on what the task creates. */
  task?: string;
  /** True only after ServiceAccess allowed `slipway.service.adopt`. */
  adopt?: boolean;
}

/**
 * Throws a ConflictError unless an existing resource may be taken by this
 * claim: it is bound to the claim's owner, and either it was created by the
 * same task (a Retry) or the initiator adopts it on purpose. A new run never
 * takes over what another run or another service created.
 *
 * @public
 */
export function assertClaimable(
  kind: string,
  name: string,
  tags: Record<string, string>,
  claim: CreationClaim,
): void {
  assertOwned(kind, name, tags, claim.owner);
  if (claim.adopt) return;
  const task = tags[TASK_TAG];
  if (claim.task !== undefined && task === claim.task) return;
  throw new ConflictError(
    `${kind} '${name}' already exists for ${
      claim.owner
    } and was not created by this run (${
      task ? `task ${task} created it` : `it carries no ${TASK_TAG} tag`
    }). Creating a service never takes over existing resources; the service's owners adopt them on purpose with the 'adopt' input.`,
  );
}

/** The tags Slipway writes on a resource it creates for a claim. */
export function claimTags(claim: CreationClaim): Record<string, string> {
  return {
    [OWNER_TAG]: claim.owner,
    ...(claim.task !== undefined ? { [TASK_TAG]: claim.task } : {}),
  };
}
