import { ConflictError } from '@backstage/errors';
import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';

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
