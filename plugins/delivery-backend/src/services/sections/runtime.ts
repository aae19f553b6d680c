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
  RuntimeSection,
  Section,
  SyncSection,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplicationTree,
  ArgoEvent,
  ArgoResourceNode,
  ArgoResourceRef,
} from '@internal/backstage-plugin-delivery-node';
import { ArgoCdUpstream } from '../upstreams';
import { Entity } from '@backstage/catalog-model';
import { SectionLoadError } from '../SectionCache';
import { Plan, SectionContext } from './plan';
import { argocdTarget, healthStatusOf } from './sync';

/** Pods in trouble looked into (their live object and events), per application. */
const POD_DETAILS = 2;
/** Warning events kept per environment. */
const WARNINGS = 10;
/** The Rollout actions the page offers, in Argo CD's names. */
const ROLLOUT_ACTIONS: RolloutActionName[] = [
  'resume',
  'promote-full',
  'abort',
  'retry',
];

/**
 * What runs in each environment, read through Argo CD with the portal's
 * token (no Kubernetes credentials): per application, one resource tree,
 * then at once the live workload (and its HPA), the workload's events, a
 * Rollout's enabled actions, and for at most two restarting pods their
 * live object and events: two round trips. It reads the applications
 * the sync section found (and proved bound to the entity), so it asks for
 * the same applications the page shows and nothing else.
 */
export function planRuntime(
  ctx: SectionContext,
  entity: Entity,
  /** The sync section (the applications, their environments, or why not). */
  syncData: () => Promise<Section<SyncSection>>,
): Plan<RuntimeSection> {
  // The same applications, instances and allow-list as the sync section.
  const {
    instanceName: instance,
    appName,
    selector,
  } = argocdTarget(ctx, entity);
  return {
    resource: `${instance ?? ''}:${appName ?? selector}`,
    load: async () => {
      // A named application's tree is asked for at once, beside the sync
      // section's read of the application: what runs costs one round
      // trip more than the application, not two.
      const named = appName
        ? {
            client: ctx.upstreams.argocd.get(instance),
            tree: ctx.upstreams.argocd.get(instance).getResourceTree(appName),
          }
        : undefined;
      named?.tree.catch(() => undefined);
      const syncSection = await syncData();
      const sync = syncSection.data;
      if (!sync) {
        // Why the applications are not shown (refused binding, outage).
        throw new SectionLoadError(
          syncSection.error ?? {
            kind: 'upstream',
            message: 'Argo CD: the applications could not be read',
          },
        );
      }
      return {
        environments: await Promise.all(
          sync.environments.map(e => {
            const client = ctx.upstreams.argocd.get(e.instance);
            const tree =
              named &&
              e.appName === appName &&
              named.client.name === client.name
                ? named.tree
                : client.getResourceTree(e.appName);
            return environmentRuntime(client, e, tree);
          }),
        ),
      };
    },
  };
}

type Client = ReturnType<ArgoCdUpstream['get']>;

async function environmentRuntime(
  client: Client,
  env: EnvironmentSync,
  treeRead: Promise<ArgoApplicationTree>,
): Promise<EnvironmentRuntime> {
  const app = env.appName;
  const tree = await treeRead;
  const nodes = tree.nodes ?? [];
  const top = nodes.filter(n => !n.parentRefs?.length);
  const workloadNode =
    top.find(n => n.kind === 'Rollout' && n.group === 'argoproj.io') ??
    top.find(n => n.kind === 'Deployment' && n.group === 'apps');
  const hpaNode = top.find(n => n.kind === 'HorizontalPodAutoscaler');
  const isRollout = workloadNode?.kind === 'Rollout';
  // The workload's pods: those of its ReplicaSets (an AnalysisRun's check
  // Jobs have pods too, which are not the service).
  const workloadSets = new Set(
    nodes
      .filter(
        n =>
          n.kind === 'ReplicaSet' &&
          n.parentRefs?.some(
            r => r.kind === workloadNode?.kind && r.name === workloadNode?.name,
          ),
      )
      .map(n => n.name),
  );
  const podNodes = nodes.filter(
    n =>
      n.kind === 'Pod' &&
      n.group === '' &&
      n.parentRefs?.some(
        r => r.kind === 'ReplicaSet' && workloadSets.has(r.name),
      ),
  );
  // Restart counts and health are in the tree (Argo CD's `Restart Count`);
  // only pods in trouble are looked into: those that restarted (why they
  // stopped) and unhealthy ones that never ran (an image pull, scheduling).
  const restarts = (n: ArgoResourceNode) =>
    Number(info(n, 'Restart Count') ?? 0) || 0;
  const restartingNodes = podNodes
    .filter(n => restarts(n) > 0 || n.health?.status === 'Degraded')
    .sort((a, b) => restarts(b) - restarts(a))
    .slice(0, POD_DETAILS);
  // Everything else the tree names is read at once: one round trip after it.
  const [workload, hpa, workloadEvents, actions, podDetails] =
    await Promise.all([
      workloadNode
        ? client.getResource<LiveObject>(app, refOf(workloadNode))
        : undefined,
      hpaNode ? client.getResource<LiveObject>(app, refOf(hpaNode)) : undefined,
      workloadNode
        ? client.listEvents(app, eventQuery(workloadNode))
        : Promise.resolve([]),
      isRollout && workloadNode
        ? client.listResourceActions(app, refOf(workloadNode))
        : Promise.resolve([]),
      Promise.all(
        restartingNodes.map(async node => {
          const [live, events] = await Promise.all([
            client.getResource<LiveObject>(app, refOf(node)),
            client.listEvents(app, eventQuery(node)),
          ]);
          return { name: node.name, termination: lastTerminated(live), events };
        }),
      ),
    ]);
  const stableHash = isRollout ? str(workload?.status?.stableRS) : undefined;
  const pods = podNodes
    .map(n => podOf(n, nodes, stableHash))
    .sort((a, b) => b.restarts - a.restarts || a.name.localeCompare(b.name));
  for (const detail of podDetails) {
    const pod = pods.find(p => p.name === detail.name);
    if (pod && detail.termination) pod.lastTermination = detail.termination;
  }
  const podEvents = podDetails.map(d => d.events);
  const newestTermination = pods
    .filter(p => p.lastTermination)
    .sort((a, b) =>
      (b.lastTermination!.at ?? '').localeCompare(a.lastTermination!.at ?? ''),
    )[0];

  const rollout =
    isRollout && workloadNode && workload
      ? rolloutView(workloadNode, workload, nodes, pods, actions)
      : undefined;
  const desired = desiredPods(workload, hpa);
  return {
    environment: env.environment,
    appName: app,
    ...(workloadNode
      ? {
          workload: {
            kind: isRollout ? 'Rollout' : 'Deployment',
            name: workloadNode.name ?? '',
            namespace: workloadNode.namespace ?? '',
            health: healthOf(workloadNode.health?.status),
            ...(workloadNode.health?.message
              ? { healthMessage: workloadNode.health.message }
              : {}),
          },
        }
      : {}),
    readyPods: pods.filter(p => p.ready).length,
    ...(desired !== undefined ? { desiredPods: desired } : {}),
    pods,
    restarts: pods.reduce((n, p) => n + p.restarts, 0),
    ...(newestTermination
      ? {
          lastTermination: {
            pod: newestTermination.name,
            ...newestTermination.lastTermination,
          },
        }
      : {}),
    ...(hpaNode && hpa ? { hpa: hpaOf(hpaNode, hpa) } : {}),
    ...(rollout ? { rollout } : {}),
    selfHeals: selfHealsOf(env),
    warnings: warningsOf([...workloadEvents, ...podEvents.flat()]),
  };
}

/** A live Kubernetes object, as far as this file reads it. */
interface LiveObject {
  metadata?: { name?: string; generation?: number };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

function refOf(node: ArgoResourceNode): ArgoResourceRef {
  return {
    group: node.group ?? '',
    version: node.version ?? 'v1',
    kind: node.kind ?? '',
    namespace: node.namespace ?? '',
    name: node.name ?? '',
  };
}

function eventQuery(node: ArgoResourceNode) {
  return {
    resourceName: node.name,
    resourceNamespace: node.namespace,
    ...(node.uid ? { resourceUID: node.uid } : {}),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function healthOf(status: string | undefined): HealthStatus | undefined {
  return status ? healthStatusOf(status) : undefined;
}

function info(node: ArgoResourceNode, name: string): string | undefined {
  return node.info?.find(i => i.name === name)?.value;
}

/** The pod-template hash a ReplicaSet's name ends with (`<workload>-<hash>`). */
function hashOf(replicaSetName: string | undefined): string | undefined {
  return replicaSetName?.split('-').pop();
}

function podOf(
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
function lastTerminated(
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

function desiredPods(
  workload: LiveObject | undefined,
  hpa: LiveObject | undefined,
): number | undefined {
  return (
    num(hpa?.status?.desiredReplicas) ??
    num(workload?.spec?.replicas) ??
    num(workload?.status?.replicas)
  );
}

function hpaOf(node: ArgoResourceNode, hpa: LiveObject): HpaRuntime {
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

function rolloutView(
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
function selfHealsOf(env: EnvironmentSync): EnvironmentRuntime['selfHeals'] {
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

function warningsOf(events: ArgoEvent[]): RuntimeEvent[] {
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
