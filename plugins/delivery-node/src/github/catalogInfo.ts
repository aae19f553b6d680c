import { parseAllDocuments } from 'yaml';

/**
 * Whether a repository's catalog-info.yaml declares the entity `kind`,
 * `namespace`, `name` (compared as entity refs are: case-insensitively).
 * A repository proves it belongs to a service by declaring it; text that is
 * not YAML declares nothing.
 *
 * @public
 */
export function declaresEntity(
  text: string,
  entity: { kind: string; namespace?: string; name: string },
): boolean {
  const want = refOf(entity.kind, entity.namespace, entity.name);
  try {
    return parseAllDocuments(text).some(doc => {
      const value = doc.toJS() as {
        kind?: unknown;
        metadata?: { name?: unknown; namespace?: unknown };
      } | null;
      if (!value || typeof value.kind !== 'string') return false;
      const { name, namespace } = value.metadata ?? {};
      if (typeof name !== 'string') return false;
      return (
        refOf(
          value.kind,
          typeof namespace === 'string' ? namespace : undefined,
          name,
        ) === want
      );
    });
  } catch {
    return false;
  }
}

function refOf(kind: string, namespace: string | undefined, name: string) {
  return `${kind}:${namespace ?? 'default'}/${name}`.toLowerCase();
}
