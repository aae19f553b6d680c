import type { Build, Image } from '@internal/backstage-plugin-delivery-common';
import { BATCH, HistoryStore, iso } from './store';

/*
 * The builds and images of each entity as its build and image sections
 * listed them (`delivery_builds`, `delivery_images`), for the timeline once
 * CI and ECR list only the newest.
 */

const BUILDS = 'delivery_builds';
const IMAGES = 'delivery_images';

/**
 * Records the builds a build section listed (one read, a write for the
 * new or changed ones); returns how many were written. The entity's
 * environments are left out of an image (they are now's, not history).
 */
export async function recordBuilds(
  store: HistoryStore,
  entityRef: string,
  provider: string,
  builds: Build[],
): Promise<number> {
  return recordJson(
    store,
    BUILDS,
    { entity_ref: entityRef, provider },
    'number',
    'build',
    builds.map(b => ({
      entity_ref: entityRef,
      provider,
      number: b.number,
      commit_sha: b.commitSha ?? null,
      started_at: iso(b.startedAt),
      build: JSON.stringify(b),
    })),
  );
}

/**
 * Upserts the `rows` (of one scope: `where`) whose JSON column `json`
 * differs from what is recorded under their `key`; returns how many. One
 * read per 500 rows.
 */
async function recordJson(
  store: HistoryStore,
  table: string,
  where: Record<string, string>,
  key: string,
  json: string,
  rows: Array<Record<string, string | number | null>>,
): Promise<number> {
  const known = new Map<string, unknown>();
  for (let i = 0; i < rows.length; i += 500) {
    const found: Array<Record<string, unknown>> = await store
      .db(table)
      .where(where)
      .whereIn(
        key,
        rows.slice(i, i + 500).map(r => r[key]!),
      )
      .select(key, json);
    for (const f of found) known.set(String(f[key]), f[json]);
  }
  const changed = rows.filter(r => known.get(String(r[key])) !== r[json]);
  for (let i = 0; i < changed.length; i += BATCH) {
    await store
      .db(table)
      .insert(changed.slice(i, i + BATCH))
      .onConflict([...Object.keys(where), key])
      .merge();
  }
  return changed.length;
}

/** The recorded builds of these app commits, newest first. */
export async function buildsOf(
  store: HistoryStore,
  entityRef: string,
  provider: string,
  commitShas: string[],
): Promise<Build[]> {
  const out: Build[] = [];
  for (let i = 0; i < commitShas.length; i += 500) {
    const rows: Array<{ build: string }> = await store
      .db(BUILDS)
      .where({ entity_ref: entityRef, provider })
      .whereIn('commit_sha', commitShas.slice(i, i + 500))
      .orderBy('number', 'desc')
      .select('build');
    out.push(...rows.map(r => JSON.parse(r.build) as Build));
  }
  return out.sort((a, b) => b.number - a.number);
}

/** Records the images an image section listed; returns how many were written. */
export async function recordImages(
  store: HistoryStore,
  entityRef: string,
  images: Image[],
): Promise<number> {
  return recordJson(
    store,
    IMAGES,
    { entity_ref: entityRef },
    'digest',
    'image',
    images.map(img => ({
      entity_ref: entityRef,
      digest: img.digest,
      pushed_at: iso(img.pushedAt),
      image: JSON.stringify({ ...img, environments: [] }),
    })),
  );
}

/**
 * The recorded images pushed at or after `since` with a tag in `tags`,
 * newest first (their environments empty: those are now's).
 */
export async function imagesTagged(
  store: HistoryStore,
  entityRef: string,
  tags: string[],
  since: string,
): Promise<Image[]> {
  const wanted = new Set(tags);
  const rows: Array<{ image: string }> = await store
    .db(IMAGES)
    .where({ entity_ref: entityRef })
    .andWhere('pushed_at', '>=', iso(since))
    .orderBy('pushed_at', 'desc')
    .select('image');
  return rows
    .map(r => JSON.parse(r.image) as Image)
    .filter(img => img.tags.some(t => wanted.has(t)));
}

/** Deletes the builds and images older than `before`; returns how many. */
export async function pruneBuildsAndImages(
  store: HistoryStore,
  before: string,
): Promise<number> {
  const builds = await store
    .db(BUILDS)
    .where('started_at', '<=', before)
    .delete();
  const images = await store
    .db(IMAGES)
    .where('pushed_at', '<=', before)
    .delete();
  return builds + images;
}
