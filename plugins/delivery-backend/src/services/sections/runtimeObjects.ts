/*
 * How the runtime section reads Argo CD's answers: pods from the resource
 * tree, the HPA, a Rollout's canary, warnings and self-heals, as the page
 * shows them. Pure functions; the calls are in runtime.ts.
 */

import {
  AnalysisRunView,
  EnvironmentRuntime,
  EnvironmentSync,
  HealthStatus,
  HpaRuntime,
  PodRuntime,
  RolloutActionName,
  RolloutView,
  RuntimeEvent,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoEvent,
  ArgoResourceNode,
} from '@internal/backstage-plugin-delivery-node';
import { healthStatusOf } from './sync';

/** Warning events kept per environment. */
const WARNINGS = 10;
/** The Rollout actions the page offers, in Argo CD's names. */
const ROLLOUT_ACTIONS: RolloutActionName[] = [
  'resume',
  'promote-full',
  'abort',
  'retry',
];

/** A live Kubernetes object, as far as this file reads it. */
export interface LiveObject {
  metadata?: { name?: string; generation?: number };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function healthOf(status: string | undefined): HealthStatus | undefined {
  return status ? healthStatusOf(status) : undefined;
}

export function info(node: ArgoResourceNode, name: string): string | undefined {
  return node.info?.find(i => i.name === name)?.value;
}

/** The pod-template hash a ReplicaSet's name ends with (`<workload>-<hash>`). */
function hashOf(replicaSetName: string | undefined): string | undefined {
  return replicaSetName?.split('-').pop();
}

export function podOf(
  node: ArgoResourceNode,
  nodes: ArgoResourceNode[],
  stableHash: string | undefined,
): PodRuntime {
  const containers = info(node, 'Containers');
  const [ready, total] = (containers ?? '').split('/').map(Number);
  const rs = node.parentRefs?.find(r => r.kind === 'ReplicaSet');
  const rsNode =
    rs && nodes.find(n => n.kind === 'ReplicaSet' && n.name === rs.name);
  let role: PodRuntime['role'];
  if (stableHash && rsNode) {
    role = hashOf(rsNode.name) === stableHash ? 'stable' : 'canary';
  }
  return {
    name: node.name ?? '',
    ...(info(node, 'Status Reason')
      ? { reason: info(node, 'Status Reason') }
      : {}),
    ...(containers ? { containers } : {}),
    ready: Number.isFinite(total) && total > 0 && ready === total,
    restarts: Number(info(node, 'Restart Count') ?? 0) || 0,
    ...(healthOf(node.health?.status)
      ? { health: healthOf(node.health?.status) }
      : {}),
    images: node.images ?? [],
    ...(role ? { role } : {}),
    ...(node.createdAt ? { createdAt: node.createdAt } : {}),
  };
}

/** The newest `lastState.terminated` over a pod's containers. */
export function lastTerminated(
  pod: LiveObject | undefined,
): PodRuntime['lastTermination'] {
  const statuses: any[] = pod?.status?.containerStatuses ?? [];
  const terminated = statuses
    .map(c => c?.lastState?.terminated)
    .filter(Boolean)
    .sort((a, b) =>
      String(b.finishedAt ?? '').localeCompare(String(a.finishedAt ?? '')),
    )[0];
  if (!terminated) return undefined;
  return {
    ...(str(terminated.reason) ? { reason: terminated.reason } : {}),
    ...(num(terminated.exitCode) !== undefined
      ? { exitCode: terminated.exitCode }
      : {}),
    ...(str(terminated.finishedAt) ? { at: terminated.finishedAt } : {}),
  };
}

export function desiredPods(
  workload: LiveObject | undefined,
  hpa: LiveObject | undefined,
): number | undefined {
  return (
    num(hpa?.status?.desiredReplicas) ??
    num(workload?.spec?.replicas) ??
    num(workload?.status?.replicas)
  );
}

export function hpaOf(node: ArgoResourceNode, hpa: LiveObject): HpaRuntime {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  const cpuTarget = (spec.metrics ?? []).find(
    (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu',
  );
  const cpuNow = (status.currentMetrics ?? []).find(
    (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu',
  );
  const out: HpaRuntime = {
    name: node.name ?? '',
    maxReplicas: num(spec.maxReplicas) ?? 0,
  };
  const set = <K extends keyof HpaRuntime>(
    k: K,
    v: HpaRuntime[K] | undefined,
  ) => {
    if (v !== undefined) out[k] = v;
  };
  set('minReplicas', num(spec.minReplicas));
  set('currentReplicas', num(status.currentReplicas));
  set('desiredReplicas', num(status.desiredReplicas));
  set('targetCpuPercent', num(cpuTarget?.resource?.target?.averageUtilization));
  set('currentCpuPercent', num(cpuNow?.resource?.current?.averageUtilization));
  set('lastScaleTime', str(status.lastScaleTime));
  return out;
}

/** A canary step as a short phrase. */
function stepPhrase(step: Record<string, any>): string {
  if (step.setWeight !== undefined) return `set weight ${step.setWeight}%`;
  if (step.pause !== undefined) {
    return step.pause?.duration !== undefined
      ? `pause ${step.pause.duration}`
      : 'pause until promoted';
  }
  if (step.analysis !== undefined) return 'analysis';
  if (step.experiment !== undefined) return 'experiment';
  return Object.keys(step)[0] ?? 'step';
}

export function rolloutView(
  node: ArgoResourceNode,
  live: LiveObject,
  nodes: ArgoResourceNode[],
  pods: PodRuntime[],
  actions: Array<{ name?: string; disabled?: boolean }>,
): RolloutView {
  const spec = live.spec ?? {};
  const status = live.status ?? {};
  const canary = spec.strategy?.canary;
  const steps: any[] = canary?.steps ?? [];
  const pause = (status.pauseConditions ?? [])[0];
  const paused = Boolean(pause) || spec.paused === true;
  const imageOf = (role: 'stable' | 'canary') =>
    pods.find(p => p.role === role && p.images.length)?.images[0];
  const stableImage = imageOf('stable');
  const rolling =
    Boolean(status.currentPodHash) && status.currentPodHash !== status.stableRS;
  // The canary's image is the Rollout's own pod template: its pods may be
  // gone (an abort scales them to 0), and Argo CD lists images on Pods only.
  const canaryImage = rolling
    ? str(spec.template?.spec?.containers?.[0]?.image) ?? imageOf('canary')
    : undefined;
  const weight = canaryWeightOf(status, steps, rolling);
  const analysisRuns: AnalysisRunView[] = nodes
    .filter(n => n.kind === 'AnalysisRun')
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))
    .slice(0, 3)
    .map(n => ({
      name: n.name ?? '',
      ...(n.health?.status ? { phase: analysisPhase(n.health.status) } : {}),
      ...(n.health?.message ? { message: n.health.message } : {}),
      ...(n.createdAt ? { startedAt: n.createdAt } : {}),
    }));
  const enabled = new Set(
    actions.filter(a => a.name && !a.disabled).map(a => a.name!),
  );
  return {
    name: node.name ?? '',
    namespace: node.namespace ?? '',
    strategy: spec.strategy?.blueGreen ? 'blueGreen' : 'canary',
    ...(str(status.phase) ? { phase: status.phase } : {}),
    ...(str(status.message) ? { message: status.message } : {}),
    steps: steps.map(stepPhrase),
    ...(num(status.currentStepIndex) !== undefined
      ? { currentStep: status.currentStepIndex }
      : {}),
    ...(weight !== undefined ? { canaryWeight: weight } : {}),
    paused,
    ...(str(pause?.startTime) ? { pausedSince: pause.startTime } : {}),
    ...(str(pause?.reason) ? { pauseReason: pause.reason } : {}),
    aborted: status.abort === true,
    ...(stableImage ? { stableImage } : {}),
    ...(canaryImage ? { canaryImage } : {}),
    analysisRuns,
    actions: ROLLOUT_ACTIONS.filter(a => enabled.has(a)),
  };
}

/**
 * The canary's share now: Argo Rollouts' `status.canary.weights` where a
 * traffic router sets them; without one (the chart's basic canary, a share
 * of the pods) the last `setWeight` at or before the current step, as the
 * Argo Rollouts kubectl plugin shows it. None once the canary is stable.
 */
function canaryWeightOf(
  status: Record<string, any>,
  steps: any[],
  rolling: boolean,
): number | undefined {
  const routed = num(status.canary?.weights?.canary?.weight);
  if (routed !== undefined) return routed;
  if (!rolling || status.abort === true) return undefined;
  const at = num(status.currentStepIndex) ?? 0;
  let weight: number | undefined;
  for (let i = 0; i <= Math.min(at, steps.length - 1); i++) {
    if (num(steps[i]?.setWeight) !== undefined) weight = steps[i].setWeight;
  }
  return weight;
}

/** Argo CD's health of an AnalysisRun, as the run's phase. */
function analysisPhase(health: string): string {
  switch (health) {
    case 'Healthy':
      return 'Successful';
    case 'Degraded':
      return 'Failed';
    case 'Progressing':
      return 'Running';
    default:
      return health;
  }
}

/**
 * Argo CD putting drifted objects back: its self-heal syncs only the
 * drifted objects and writes no history entry, so the last operation is
 * what shows it (with how many times in a row it ran).
 */
export function selfHealsOf(
  env: EnvironmentSync,
): EnvironmentRuntime['selfHeals'] {
  const op = env.operation;
  if (!op?.selfHeal || op.phase !== 'Succeeded') return [];
  return [
    {
      at: op.finishedAt ?? op.startedAt ?? '',
      attempts: op.selfHeal.attempts,
      ...(env.revision ? { revision: env.revision } : {}),
    },
  ];
}

export function warningsOf(events: ArgoEvent[]): RuntimeEvent[] {
  const seen = new Set<string>();
  return events
    .filter(e => e.type === 'Warning')
    .filter(e => {
      const key =
        e.metadata?.uid ?? `${e.involvedObject?.uid}:${e.reason}:${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(e => ({
      type: 'Warning' as const,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.message ? { message: e.message } : {}),
      ...(e.involvedObject?.kind
        ? { object: `${e.involvedObject.kind}/${e.involvedObject.name ?? ''}` }
        : {}),
      ...(e.count !== undefined ? { count: Number(e.count) } : {}),
      ...(e.lastTimestamp ?? e.eventTime
        ? { lastSeen: e.lastTimestamp ?? e.eventTime }
        : {}),
    }))
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
    .slice(0, WARNINGS);
}
