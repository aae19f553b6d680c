/*
 * The commit-to-running timeline: each recent app commit followed through
 * its build, its image, the tag bump in helm-charts, Argo CD's sync and the
 * rollout's health, in the environment CI deploys to. Pure: it only reads
 * the sections it is given. A hop whose evidence is missing (its section
 * failed, or the upstream keeps no record) is 'unknown'; nothing is made up.
 */

import {
  HOPS,
  type Build,
  type BuildSection,
  type GitOpsSection,
  type Hop,
  type HopName,
  type Image,
  type ImageSection,
  SEVERITIES,
  type SourceCommit,
  type SourceSection,
  type SyncSection,
  type TimelineEntry,
} from '@internal/backstage-plugin-delivery-common';
import { ChangeOrder, msBetween, shortSha } from './changeOrder';
import { Context, PENDING, UNKNOWN } from './context';
import type { HealthTransition } from './dora';
import {
  findBump,
  findBumpByPrefix,
  healthyHop,
  syncedHop,
  tagBumpedHop,
} from './deployHops';

/** What {@link buildTimeline} follows commits through; a section that failed or is not configured is left out. */
export interface TimelineInput {
  source?: SourceSection;
  build?: BuildSection;
  image?: ImageSection;
  sync?: SyncSection;
  gitops?: GitOpsSection;
  /** At most this many commits, the newest first. */
  limit: number;
  /** The first environment's recorded health (the delivery history). */
  health?: HealthTransition[];
}

/**
 * One line for an image's scan: `1 critical, 3 high`, `no findings`, or
 * what ECR says about a scan that has not completed.
 */
export function summariseFindings(scan: Image['scan']): string {
  if (!scan) {
    return 'not scanned';
  }
  const parts = SEVERITIES.filter(s => (scan.findings[s] ?? 0) > 0).map(
    s => `${scan.findings[s]} ${s.toLowerCase()}`,
  );
  if (parts.length > 0) {
    return parts.join(', ');
  }
  return scan.status === 'COMPLETE'
    ? 'no findings'
    : `scan ${scan.status.toLowerCase().replace(/_/g, ' ')}`;
}

/**
 * Follows the newest `limit` app commits from push to healthy in the first
 * environment of the sync section (the one CI deploys to). Newest first.
 *
 * Per commit C: pushed at C's commit time; built by the newest build of C;
 * the image tagged `<sha7>-<build>`; the helm-charts `deploy` change B that
 * set that tag; synced at the oldest Argo CD history entry whose revision
 * includes B (B itself or a newer change of the chart); healthy when the
 * environment runs the tag and Argo CD reports Healthy. Without the source
 * section there are no commits to follow and the timeline is empty.
 */
export function buildTimeline(input: TimelineInput): TimelineEntry[] {
  const commits = input.source?.commits ?? [];
  const context: Context = {
    commits,
    build: input.build,
    image: input.image,
    gitops: input.gitops,
    order: input.gitops
      ? new ChangeOrder(input.gitops.changes, input.gitops.branchCommits)
      : undefined,
    environment: input.sync?.environments[0],
    health: input.health,
  };
  return commits
    .slice(0, Math.max(0, Math.floor(input.limit)))
    .map(commit => followCommit(commit, context))
    .map(entry => withReach(entry, input));
}

/**
 * The later environments the entry's image reached: each one whose
 * helm-charts history has a promote (or rollback) that set the image's
 * tag there, the oldest such change; and whether it runs the tag now.
 */
function withReach(entry: TimelineEntry, input: TimelineInput): TimelineEntry {
  const tag = entry.imageTag;
  const later = (input.sync?.environments ?? []).slice(1);
  if (!tag || later.length === 0) return entry;
  const reached = later.flatMap(env => {
    const set = (input.gitops?.changes ?? []).filter(
      c =>
        c.environment === env.environment &&
        c.tag === tag &&
        (c.kind === 'promote' || c.kind === 'rollback'),
    );
    const running = env.images.some(i => i.endsWith(`:${tag}`));
    if (set.length === 0 && !running) return [];
    // Changes are newest first: the oldest is when the image got there.
    const first = set.at(-1);
    return [
      {
        environment: env.environment,
        ...(first?.committedAt ? { at: first.committedAt } : {}),
        running,
      },
    ];
  });
  return reached.length ? { ...entry, reached } : entry;
}

/** A hop that did not happen yet stops the road: what follows waits. */
function stops(hop: Hop): boolean {
  return (
    hop.state === 'pending' || hop.state === 'running' || hop.state === 'failed'
  );
}

function followCommit(commit: SourceCommit, ctx: Context): TimelineEntry {
  const entry: TimelineEntry = {
    commit,
    ...(ctx.environment ? { environment: ctx.environment.environment } : {}),
    hops: {
      pushed: { state: 'done', at: commit.committedAt, url: commit.url },
      built: UNKNOWN,
      imagePushed: UNKNOWN,
      tagBumped: UNKNOWN,
      synced: UNKNOWN,
      healthy: UNKNOWN,
    },
  };
  const hops = entry.hops;
  const remaining = (from: HopName) => {
    for (const name of HOPS.slice(HOPS.indexOf(from))) {
      hops[name] = { ...PENDING };
    }
  };

  const { hop: built, build } = builtHop(commit, ctx);
  hops.built = built;
  if (stops(built)) {
    remaining('imagePushed');
    return finish(entry);
  }

  const { hop: imagePushed, image, tag } = imageHop(commit, build, ctx);
  hops.imagePushed = imagePushed;
  if (image?.scan) {
    entry.findings = image.scan.findings;
  }
  if (stops(imagePushed)) {
    remaining('tagBumped');
    return finish(entry);
  }

  const bump = tag ? findBump(ctx.gitops, tag) : undefined;
  if (tag && (image || bump)) {
    entry.imageTag = tag;
  }
  hops.tagBumped = tagBumpedHop(bump, imagePushed, image, ctx);
  if (stops(hops.tagBumped)) {
    remaining('synced');
    return finish(entry);
  }
  if (!bump || !tag) {
    // Nothing to follow into Argo CD: synced and healthy stay unknown.
    return finish(entry);
  }

  hops.synced = syncedHop(bump, tag, ctx);
  if (stops(hops.synced)) {
    remaining('healthy');
    return finish(entry);
  }
  hops.healthy = healthyHop(bump, tag, hops.synced, ctx);
  return finish(entry);
}

/** Adds each hop's duration and the push-to-healthy total. */
function finish(entry: TimelineEntry): TimelineEntry {
  for (let i = 1; i < HOPS.length; i++) {
    const hop = entry.hops[HOPS[i]];
    const ms = msBetween(entry.hops[HOPS[i - 1]].at, hop.at);
    if (ms !== undefined && ms >= 0) {
      hop.durationMs = ms;
    }
  }
  const { pushed, healthy } = entry.hops;
  if (healthy.state === 'done') {
    const total = msBetween(pushed.at, healthy.at);
    if (total !== undefined && total >= 0) {
      entry.totalMs = total;
    }
  }
  return entry;
}

function builtHop(
  commit: SourceCommit,
  ctx: Context,
): { hop: Hop; build?: Build } {
  if (!ctx.build) {
    return { hop: { ...UNKNOWN } };
  }
  const builds = ctx.build.builds;
  const build = builds.find(b => b.commitSha === commit.sha);
  if (!build) {
    return {
      hop: newerThanNewestBuild(commit, builds, ctx.commits)
        ? { ...PENDING }
        : { state: 'unknown', detail: 'no build for this commit' },
    };
  }
  const base = { url: build.url };
  switch (build.status) {
    case 'succeeded':
      return {
        build,
        hop: {
          state: 'done',
          ...(build.finishedAt ? { at: build.finishedAt } : {}),
          detail: `#${build.number}`,
          ...base,
        },
      };
    case 'running':
      return {
        build,
        hop: { state: 'running', detail: `#${build.number}`, ...base },
      };
    case 'queued':
      return {
        build,
        hop: { state: 'pending', detail: `#${build.number} queued`, ...base },
      };
    case 'failed':
    case 'aborted':
      return {
        build,
        hop: {
          state: 'failed',
          ...(build.finishedAt ? { at: build.finishedAt } : {}),
          detail: `#${build.number} ${build.status}`,
          ...base,
        },
      };
    default:
      return {
        build,
        hop: { state: 'unknown', detail: `#${build.number}`, ...base },
      };
  }
}

/**
 * Whether CI may still build this commit: it is newer than the commit of the
 * newest build (by position on the branch, else by time when that commit is
 * not among the listed ones), or there is no build at all yet.
 */
function newerThanNewestBuild(
  commit: SourceCommit,
  builds: Build[],
  commits: SourceCommit[],
): boolean {
  const newest = builds[0];
  if (!newest) {
    return true;
  }
  const position = commits.indexOf(commit);
  const builtPosition = newest.commitSha
    ? commits.findIndex(c => c.sha === newest.commitSha)
    : -1;
  if (builtPosition >= 0) {
    return position < builtPosition;
  }
  const ms = msBetween(newest.startedAt, commit.committedAt);
  return ms !== undefined && ms > 0;
}

function imageHop(
  commit: SourceCommit,
  build: Build | undefined,
  ctx: Context,
): { hop: Hop; image?: Image; tag?: string } {
  const sha7 = shortSha(commit.sha);
  const matches = build
    ? (t: string) => t === `${sha7}-${build.number}`
    : (t: string) => t.startsWith(`${sha7}-`);
  // The tag CI would have given the image, when the build says.
  const expected = build ? `${sha7}-${build.number}` : undefined;

  if (!ctx.image) {
    // No image section: unknown, but the expected tag (or the tag a deploy
    // change of this commit set) still lets the gitops hops be followed.
    return {
      hop: { ...UNKNOWN },
      tag: expected ?? findBumpByPrefix(ctx.gitops, sha7)?.tag,
    };
  }
  for (const image of ctx.image.images) {
    const tag = image.tags.find(matches);
    if (tag) {
      return {
        image,
        tag,
        hop: {
          state: 'done',
          at: image.pushedAt,
          detail: `${tag} (${summariseFindings(image.scan)})`,
          url: ctx.image.url,
        },
      };
    }
  }
  // Not among the listed (newest) images. A deploy change that set the tag
  // proves it was pushed; we just do not know when.
  const bump = expected
    ? findBump(ctx.gitops, expected)
    : findBumpByPrefix(ctx.gitops, sha7);
  if (bump?.tag) {
    return {
      tag: bump.tag,
      hop: {
        state: 'done',
        detail: `${bump.tag} (not among the listed images)`,
      },
    };
  }
  if (build?.status === 'succeeded') {
    return { hop: { ...PENDING }, tag: expected };
  }
  return { hop: { state: 'unknown', detail: 'no image for this commit' } };
}
