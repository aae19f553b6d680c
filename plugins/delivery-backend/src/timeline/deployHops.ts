/*
 * The timeline's deploy-side hops: the tag bump in helm-charts, Argo CD's
 * sync of it and the rollout's health, in the environment CI deploys to.
 */

import type {
  ChartChange,
  EnvironmentSync,
  GitOpsSection,
  Hop,
  Image,
  ImageSection,
} from '@internal/backstage-plugin-delivery-common';
import {
  firstDeployment,
  msBetween,
  shortSha,
  tagOfImage,
} from './changeOrder';
import { Context, PENDING, UNKNOWN } from './context';

/** The first (oldest) CI deploy change that set `tag`. */
export function findBump(
  gitops: GitOpsSection | undefined,
  tag: string,
): ChartChange | undefined {
  return oldest(
    gitops?.changes.filter(c => c.kind === 'deploy' && c.tag === tag),
  );
}

export function findBumpByPrefix(
  gitops: GitOpsSection | undefined,
  sha7: string,
): ChartChange | undefined {
  return oldest(
    gitops?.changes.filter(
      c => c.kind === 'deploy' && c.tag?.startsWith(`${sha7}-`),
    ),
  );
}

function oldest<T>(newestFirst: T[] | undefined): T | undefined {
  return newestFirst?.[newestFirst.length - 1];
}

export function tagBumpedHop(
  bump: ChartChange | undefined,
  imagePushed: Hop,
  image: Image | undefined,
  ctx: Context,
): Hop {
  if (!ctx.gitops) {
    return { ...UNKNOWN };
  }
  if (bump) {
    return {
      state: 'done',
      at: bump.committedAt,
      detail: shortSha(bump.sha),
      url: bump.url,
    };
  }
  if (imagePushed.state !== 'done' || !image) {
    return { ...UNKNOWN };
  }
  // The list of changes is bounded: an image pushed before its oldest entry
  // may have been deployed by a change that is no longer listed.
  const changes = ctx.gitops.changes;
  const listedSince = oldest(changes)?.committedAt;
  const ms = msBetween(image.pushedAt, listedSince);
  if (changes.length > 0 && ms !== undefined && ms > 0) {
    return {
      state: 'unknown',
      detail: 'not among the listed helm-charts changes',
    };
  }
  return { ...PENDING };
}

function runsTag(env: EnvironmentSync, tag: string): boolean {
  return env.images.some(i => tagOfImage(i) === tag);
}

export function syncedHop(bump: ChartChange, tag: string, ctx: Context): Hop {
  const env = ctx.environment;
  const order = ctx.order;
  if (!env || !order) {
    return { ...UNKNOWN };
  }
  const first = firstDeployment(env.history, bump.sha, order);
  if (first) {
    return {
      state: 'done',
      at: first.deployedAt,
      detail: shortSha(first.revision),
    };
  }
  const current = order.includes(env.revision, bump.sha);
  if (current || runsTag(env, tag)) {
    // Synced, but the bounded history no longer holds when.
    return {
      state: 'done',
      ...(env.revision ? { detail: shortSha(env.revision) } : {}),
    };
  }
  if (env.operation?.phase === 'Running') {
    return { state: 'running' };
  }
  if (current === undefined && env.revision !== undefined) {
    return {
      state: 'unknown',
      detail: `at ${shortSha(env.revision)}, not a listed change of this chart`,
    };
  }
  return { ...PENDING };
}

export function healthyHop(
  bump: ChartChange,
  tag: string,
  synced: Hop,
  ctx: Context,
): Hop {
  const env = ctx.environment;
  const order = ctx.order;
  if (!env || !order) {
    return { ...UNKNOWN };
  }
  const url = env.appUrl;
  if (runsTag(env, tag) && order.includes(env.revision, bump.sha) !== false) {
    switch (env.healthStatus) {
      case 'Healthy':
        return { state: 'done', ...latest(env.healthSince, synced.at), url };
      case 'Progressing':
        return {
          state: 'running',
          ...(env.healthMessage ? { detail: env.healthMessage } : {}),
          url,
        };
      case 'Degraded':
      case 'Missing':
        return {
          state: 'failed',
          ...(env.healthSince ? { at: env.healthSince } : {}),
          detail: env.healthMessage ?? env.healthStatus,
          url,
        };
      default:
        return { state: 'unknown', detail: env.healthStatus, url };
    }
  }
  // Argo CD keeps no health per history entry: once another tag runs, only
  // the recorded health (the delivery history) knows how this change ran.
  const running = currentTag(env, ctx.image);
  if (synced.state === 'done' && running && running !== tag) {
    return (
      recordedHop(bump, ctx, `replaced by ${running}`, url) ?? {
        state: 'unknown',
        detail: `superseded by ${running}`,
        url,
      }
    );
  }
  return { ...UNKNOWN };
}

/**
 * How `bump` ran, from the recorded health: the transitions whose revision
 * deployed it (its change, or a later chart commit before the
 * environment's next tag change). Degraded at any point is a failure.
 */
function recordedHop(
  bump: ChartChange,
  ctx: Context,
  replaced: string,
  url: string,
): Hop | undefined {
  const { health, gitops, order, environment } = ctx;
  if (!health?.length || !gitops || !order || !environment) return undefined;
  // The timeline follows the first environment, which CI's deploys reach.
  const setsTag = gitops.changes.filter(
    c =>
      c.tag !== undefined &&
      (c.environment === environment.environment ||
        c.environment === undefined),
  );
  const ran = health.filter(
    t =>
      t.revision !== undefined &&
      setsTag.find(c => order.includes(t.revision, c.sha) === true)?.sha ===
        bump.sha,
  );
  const degraded = ran.find(t => t.status === 'Degraded');
  if (degraded) {
    return {
      state: 'failed',
      at: degraded.since,
      detail: `Degraded while it ran (recorded); ${replaced}`,
      url,
    };
  }
  const healthy = ran.find(t => t.status === 'Healthy');
  if (healthy) {
    return {
      state: 'done',
      at: healthy.since,
      detail: `Healthy (recorded); ${replaced}`,
      url,
    };
  }
  return undefined;
}

/** `{ at }` with the later of two times, either of which may be unknown. */
function latest(a: string | undefined, b: string | undefined): { at?: string } {
  if (a === undefined || b === undefined) {
    const at = a ?? b;
    return at === undefined ? {} : { at };
  }
  return { at: Date.parse(a) >= Date.parse(b) ? a : b };
}

/** The tag of the service's image the environment runs now. */
function currentTag(
  env: EnvironmentSync,
  image: ImageSection | undefined,
): string | undefined {
  const own = image
    ? env.images.find(i => i.startsWith(`${image.repositoryUri}:`))
    : env.images.find(i => /^[0-9a-f]{7,}-\d+$/.test(tagOfImage(i) ?? ''));
  return own === undefined ? undefined : tagOfImage(own);
}
