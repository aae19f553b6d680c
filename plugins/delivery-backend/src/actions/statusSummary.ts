/*
 * A service's delivery status as a caller without the page reads it (an
 * agent answering "why is payments-api not deployed yet?", a pipeline
 * deciding whether to promote): what runs where, what is in flight, what
 * failed, in a few sentences and as fields.
 */

import {
  DeliveryStatus,
  HOPS,
  TimelineEntry,
} from '@internal/backstage-plugin-delivery-common';

/** One environment, as the summary reports it. */
export interface EnvironmentSummary {
  environment: string;
  runningTag?: string;
  deployedByArgoCd: boolean;
  syncStatus?: string;
  healthStatus?: string;
  pinned: boolean;
  promoteTo?: string;
  rollbackTo?: string;
}

/** A commit on its way, and where it stands. */
export interface InFlightChange {
  commit: string;
  message: string;
  environment?: string;
  /** The last step done: pushed, built, imagePushed, tagBumped, synced. */
  reached: string;
  /** The step it waits on, or failed at. */
  next: string;
  failed: boolean;
  detail?: string;
}

export interface StatusSummary {
  entityRef: string;
  summary: string;
  environments: EnvironmentSummary[];
  inFlight: InFlightChange[];
  problems: string[];
}

const sha7 = (sha: string) => sha.slice(0, 7);

/**
 * Where one timeline entry stands: the last hop done and the one it waits
 * on or failed at; undefined once it is healthy, or when the history no
 * longer knows (an `unknown` hop).
 */
function progressOf(entry: TimelineEntry): InFlightChange | undefined {
  let reached = 'none';
  for (const hop of HOPS) {
    const h = entry.hops[hop];
    if (h.state === 'done') {
      reached = hop;
      continue;
    }
    if (h.state === 'unknown') return undefined;
    return {
      commit: sha7(entry.commit.sha),
      message: entry.commit.message.split('\n')[0],
      environment: entry.environment,
      reached,
      next: hop,
      failed: h.state === 'failed',
      detail: h.detail,
    };
  }
  return undefined;
}

/** The summary of `status`, for a text answer and for programs. */
export function summarizeStatus(status: DeliveryStatus): StatusSummary {
  const syncs = status.sync.data?.environments ?? [];
  const environments: EnvironmentSummary[] = status.releases.map(r => {
    const sync = syncs.find(s => s.environment === r.environment);
    return {
      environment: r.environment,
      runningTag: r.runningTag,
      deployedByArgoCd: r.deployed,
      syncStatus: sync?.syncStatus,
      healthStatus: sync?.healthStatus,
      pinned: r.pinned,
      promoteTo: r.promoteTo,
      rollbackTo: r.rollback.possible ? r.rollback.toTag : undefined,
    };
  });

  const inFlight = status.timeline
    .map(progressOf)
    .filter((c): c is InFlightChange => c !== undefined);

  const problems: string[] = [];
  for (const [name, section] of Object.entries({
    build: status.build,
    image: status.image,
    sync: status.sync,
    source: status.source,
    gitops: status.gitops,
  })) {
    if (section.state === 'error' || section.state === 'stale') {
      problems.push(
        `${name}: ${section.error?.message ?? section.state}${
          section.state === 'stale' ? ' (showing the last answer)' : ''
        }`,
      );
    }
  }
  const lastBuild = status.build.data?.builds[0];
  if (lastBuild?.status === 'failed') {
    problems.push(
      `build #${lastBuild.number} failed${
        lastBuild.commitSha ? ` for ${sha7(lastBuild.commitSha)}` : ''
      }: ${lastBuild.url}`,
    );
  }
  for (const s of syncs) {
    if (s.healthStatus === 'Degraded' || s.healthStatus === 'Missing') {
      problems.push(
        `${s.environment} is ${s.healthStatus}${
          s.healthMessage ? `: ${s.healthMessage}` : ''
        }`,
      );
    }
  }

  const where = environments.map(e => {
    if (!e.runningTag) return `${e.environment} runs nothing yet`;
    const state = e.deployedByArgoCd
      ? `${e.syncStatus ?? 'Unknown'}, ${e.healthStatus ?? 'Unknown'}`
      : 'in helm-charts; no Argo CD application deploys it';
    return `${e.environment} runs ${e.runningTag} (${state}${
      e.pinned ? ', pinned by a promotion' : ''
    })`;
  });
  const moving = inFlight.map(
    c =>
      `${c.commit} "${c.message}" ${c.failed ? 'failed at' : 'waits on'} ${
        c.next
      }${c.environment ? ` in ${c.environment}` : ''}${
        c.detail ? ` (${c.detail})` : ''
      }`,
  );
  const summary = [
    `${status.entityRef}: ${where.join('; ') || 'no environments'}.`,
    moving.length ? `In flight: ${moving.join('; ')}.` : 'Nothing in flight.',
    problems.length ? `Problems: ${problems.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    entityRef: status.entityRef,
    summary,
    environments,
    inFlight,
    problems,
  };
}
