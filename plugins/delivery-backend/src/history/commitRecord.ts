import { BATCH, DAY_MS, HistoryStore, iso } from './store';

/*
 * The app repository commits of each entity (`delivery_commits`), for
 * DORA's lead time past the source section's list.
 */

const COMMITS = 'delivery_commits';

/**
 * Records app commits of the entities' default branch (a push webhook's
 * commits, or the source section's list); a commit already recorded is
 * left as it is. Returns how many were new.
 */
export async function recordCommits(
  store: HistoryStore,
  entityRefs: string[],
  list: Array<{ sha: string; committedAt: string }>,
  from: 'push' | 'source',
): Promise<number> {
  const since = store.now() - store.retentionMs;
  const rows = entityRefs.flatMap(entityRef =>
    list
      .filter(c => Date.parse(c.committedAt) > since)
      .map(c => ({
        entity_ref: entityRef,
        sha: c.sha,
        committed_at: iso(c.committedAt),
        recorded_from: from,
      })),
  );
  if (rows.length === 0) return 0;
  const known = new Set<string>();
  for (const ref of entityRefs) {
    const shas = rows.filter(r => r.entity_ref === ref).map(r => r.sha);
    for (let i = 0; i < shas.length; i += 500) {
      const found: Array<{ sha: string }> = await store
        .db(COMMITS)
        .where({ entity_ref: ref })
        .whereIn('sha', shas.slice(i, i + 500))
        .select('sha');
      for (const f of found) known.add(`${ref}\n${f.sha}`);
    }
  }
  const fresh = rows.filter(r => !known.has(`${r.entity_ref}\n${r.sha}`));
  for (let i = 0; i < fresh.length; i += BATCH) {
    await store
      .db(COMMITS)
      .insert(fresh.slice(i, i + BATCH))
      .onConflict(['entity_ref', 'sha'])
      .ignore();
  }
  return fresh.length;
}

/**
 * The entity's app commits for DORA's lead time, newest first: `current`
 * (the source section's newest, in the branch's order; recorded here
 * when new, and their times corrected from it) followed by the recorded
 * ones it does not list, committed within the last `days`, by commit
 * time.
 */
export async function commits(
  store: HistoryStore,
  entityRef: string,
  current: Array<{ sha: string; committedAt: string }>,
  days: number,
): Promise<Array<{ sha: string; committedAt: string }>> {
  const since = new Date(
    Math.max(store.now() - days * DAY_MS, store.now() - store.retentionMs),
  ).toISOString();
  const rows: Array<{ sha: string; committed_at: string }> = await store
    .db(COMMITS)
    .where({ entity_ref: entityRef })
    .andWhere('committed_at', '>', since)
    .select('sha', 'committed_at');
  const recorded = new Map(rows.map(r => [r.sha, r.committed_at]));
  const listed = current.filter(c =>
    Number.isFinite(Date.parse(c.committedAt)),
  );
  const fresh = listed.filter(c => !recorded.has(c.sha));
  if (fresh.length > 0) {
    await recordCommits(store, [entityRef], fresh, 'source');
  }
  // The source section's time is the committer date: it wins.
  for (const c of listed) {
    const was = recorded.get(c.sha);
    if (was !== undefined && was !== iso(c.committedAt)) {
      await store
        .db(COMMITS)
        .where({ entity_ref: entityRef, sha: c.sha })
        .update({
          committed_at: iso(c.committedAt),
          recorded_from: 'source',
        });
    }
  }
  const shown = new Set(listed.map(c => c.sha));
  const older = rows
    .filter(r => !shown.has(r.sha))
    .map(r => ({ sha: r.sha, committedAt: r.committed_at }))
    .sort((a, b) => Date.parse(b.committedAt) - Date.parse(a.committedAt));
  return [
    ...listed.map(c => ({ sha: c.sha, committedAt: iso(c.committedAt) })),
    ...older,
  ];
}

/** Deletes the commits older than `before`; returns how many. */
export function pruneCommits(store: HistoryStore, before: string) {
  return store.db(COMMITS).where('committed_at', '<=', before).delete();
}
