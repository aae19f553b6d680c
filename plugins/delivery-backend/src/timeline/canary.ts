import type {
  RuntimeSection,
  TimelineEntry,
} from '@internal/backstage-plugin-delivery-common';

/**
 * Marks the timeline entry whose image a Rollout in its environment is
 * rolling out now with the canary's progress: the steps between its Synced
 * and its Healthy.
 */
export function withCanary(
  timeline: TimelineEntry[],
  runtime: RuntimeSection | undefined,
): void {
  for (const entry of timeline) {
    const rollout = runtime?.environments.find(
      e => e.environment === entry.environment,
    )?.rollout;
    if (
      !rollout?.canaryImage ||
      !entry.imageTag ||
      imageTagOf(rollout.canaryImage) !== entry.imageTag
    ) {
      continue;
    }
    entry.canary = {
      steps: rollout.steps,
      ...(rollout.currentStep !== undefined
        ? { currentStep: rollout.currentStep }
        : {}),
      ...(rollout.canaryWeight !== undefined
        ? { weight: rollout.canaryWeight }
        : {}),
      paused: rollout.paused,
      ...(rollout.pausedSince ? { pausedSince: rollout.pausedSince } : {}),
      aborted: rollout.aborted,
      ...(rollout.message ? { message: rollout.message } : {}),
    };
  }
}

/** The tag of an image reference (`host[:port]/repo:tag[@digest]`). */
function imageTagOf(ref: string): string | undefined {
  const name = ref.split('@')[0];
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : undefined;
}
