/*
 * What the Rollout card says: the actions' labels and outcomes, the step
 * and pause in words, and the confirmations. No React here.
 */

import type {
  RolloutActionName,
  RolloutView,
} from '@internal/backstage-plugin-delivery-common';
import { imageTag } from '../common';

/** The button of each action, in the order a person reads them. */
export const ACTIONS: Array<{ name: RolloutActionName; label: string }> = [
  { name: 'resume', label: 'Promote' },
  { name: 'promote-full', label: 'Promote full' },
  { name: 'abort', label: 'Abort' },
  { name: 'retry', label: 'Retry' },
];

/** What each action did, for the line after it succeeded. */
export const DONE: Record<RolloutActionName, string> = {
  resume: 'Promoted: the canary goes on to its next step',
  'promote-full':
    'Promoted full: the canary skips its remaining steps and becomes stable',
  abort: 'Aborted: traffic goes back to the stable version',
  retry: 'Retrying: the canary starts again from its first step',
};

/** "Step 2 of 4", or that every step ran. */
export function stepSummary(rollout: RolloutView): string | undefined {
  const total = rollout.steps.length;
  if (total === 0) {
    return undefined;
  }
  if (rollout.currentStep === undefined) {
    return `${total} steps`;
  }
  return rollout.currentStep >= total
    ? `All ${total} steps done`
    : `Step ${rollout.currentStep + 1} of ${total}`;
}

/** Why a Rollout is paused, in words (Argo Rollouts' pause reasons). */
export function pausePhrase(rollout: RolloutView): string {
  const step =
    rollout.currentStep !== undefined
      ? rollout.steps[rollout.currentStep]
      : undefined;
  switch (rollout.pauseReason) {
    case 'CanaryPauseStep':
      // A timed pause goes on by itself; only an open one needs a person.
      return step && /^pause \d/.test(step)
        ? `a timed pause (${step.replace(/^pause /, '')}); it goes on by itself`
        : 'waiting for a promotion';
    case 'BlueGreenPause':
      return 'waiting for a promotion to switch traffic';
    case 'InconclusiveAnalysisRun':
    case 'InconclusiveAnalysis':
      return 'an analysis was inconclusive: promote or abort';
    case 'InconclusiveExperiment':
      return 'an experiment was inconclusive: promote or abort';
    case undefined:
      return 'paused on the Rollout itself';
    default:
      return rollout.pauseReason;
  }
}

/** A snapshot of what an action changes, to tell when it took effect. */
export function rolloutState(rollout: RolloutView): string {
  return [
    rollout.phase,
    rollout.currentStep,
    rollout.paused,
    rollout.pausedSince,
    rollout.aborted,
  ].join('|');
}

/** The confirm dialog's question and what it tells. */
export function confirmation(
  action: RolloutActionName,
  environment: string,
  rollout: RolloutView,
): { title: string; text: string } | undefined {
  const canary = rollout.canaryImage
    ? imageTag(rollout.canaryImage)
    : 'the canary';
  const stable = rollout.stableImage
    ? imageTag(rollout.stableImage)
    : 'the stable version';
  switch (action) {
    case 'promote-full':
      return {
        title: `Promote the canary in ${environment} fully?`,
        text: `Skips the remaining steps and analyses: ${canary} takes all the traffic at once and becomes the stable version.`,
      };
    case 'abort':
      return {
        title: `Abort the canary in ${environment}?`,
        text: `All the traffic goes back to ${stable} and the canary's pods are scaled down. The Rollout stays Degraded until you Retry, or roll back in helm-charts.`,
      };
    default:
      // Promote (one step) and Retry are what the pause and the abort wait for.
      return undefined;
  }
}
