/*
 * The wizard's rollout strategy: how a change reaches a new service's pods.
 * charts/service reads it as `rollout.strategy` in values.yaml: `rolling`
 * (its default) renders a Deployment, `canary` an Argo Rollouts Rollout with
 * a canary Service and an AnalysisTemplate (charts/service/README.md).
 *
 * gitops:chart:register writes `canary` into the new chart's values.yaml
 * with a comment-preserving edit; `rolling` is left to the chart's default,
 * so a rolling chart stays byte-identical to the base chart's values (and
 * to charts registered before the choice existed). The preflight checks the
 * same rules before anything is created.
 */

import { NameProblem } from '@internal/backstage-plugin-delivery-common';
import type { ScaffolderZod } from '@internal/backstage-plugin-delivery-common';
import { editYaml, readYaml } from '@internal/backstage-plugin-delivery-node';

/** The strategies charts/service offers, the chart's default first. */
export const ROLLOUT_STRATEGIES = ['rolling', 'canary'] as const;

/** One of {@link ROLLOUT_STRATEGIES}. */
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

/** The input's description, shared by the preflight and the chart step. */
export const ROLLOUT_STRATEGY_DESCRIPTION =
  "How a change reaches the pods: 'rolling' (the default) is a Deployment's rolling update; 'canary' is an Argo Rollouts Rollout that moves a share of the pods to the new version step by step while an analysis checks them, and aborts on a failed check (the cluster needs the Argo Rollouts controller). Set as rollout.strategy in the chart's values.yaml.";

/** The optional rollout strategy input. */
export function rolloutStrategyInput(z: ScaffolderZod) {
  return z
    .enum(ROLLOUT_STRATEGIES, { description: ROLLOUT_STRATEGY_DESCRIPTION })
    .optional();
}

/** Checks a rollout strategy: absent, or one of {@link ROLLOUT_STRATEGIES}. */
export function checkRolloutStrategy(
  v: unknown,
  field = 'rolloutStrategy',
): NameProblem {
  if (v === undefined) return undefined;
  return (ROLLOUT_STRATEGIES as readonly unknown[]).includes(v)
    ? undefined
    : `${field} must be ${ROLLOUT_STRATEGIES.join(' or ')} (got '${String(
        v,
      ).slice(0, 40)}')`;
}

/**
 * Checks that the base chart can do what is asked: a canary needs a chart
 * whose values.yaml has `rollout.strategy` (charts/service from 0.2.0). A
 * chart without it would ignore the key, or refuse it with its schema, and
 * the service would not get the canary it asked for.
 */
export function checkBaseChartStrategy(
  baseValuesYaml: string,
  strategy: RolloutStrategy | undefined,
): NameProblem {
  if (strategy === undefined || strategy === 'rolling') return undefined;
  return readYaml(baseValuesYaml, ['rollout', 'strategy']) === undefined
    ? `rollout strategy ${strategy} is not offered by the base chart (slipway.gitops.baseChartDir): its values.yaml has no rollout.strategy`
    : undefined;
}

/**
 * The chart's values.yaml with the rollout strategy set: `canary` is
 * written (comments and layout kept); `rolling` or none leaves the file as
 * it is, since rolling is the chart's default.
 */
export function withRolloutStrategy(
  valuesYaml: string,
  strategy: RolloutStrategy | undefined,
): string {
  if (strategy === undefined || strategy === 'rolling') return valuesYaml;
  return editYaml(valuesYaml, [[['rollout', 'strategy'], strategy]]);
}
