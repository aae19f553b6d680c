import {
  EnvironmentRuntime,
  EnvironmentSync,
  RuntimeSection,
  Section,
  SyncSection,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplicationTree,
  ArgoResourceNode,
  ArgoResourceRef,
} from '@internal/backstage-plugin-delivery-node';
import { ArgoCdUpstream } from '../upstreams';
import { Entity } from '@backstage/catalog-model';
import { SectionLoadError } from '../SectionCache';
import { Plan, SectionContext } from './plan';
import {
  desiredPods,
  healthOf,
  hpaOf,
  info,
  lastTerminated,
  LiveObject,
  podOf,
  rolloutView,
  selfHealsOf,
  str,
  warningsOf,
} from './runtimeObjects';
import { argocdTarget } from './sync';

/** Pods in trouble looked into (their live object and events), per application. */
const POD_DETAILS = 2;

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
  entityRef: string,
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
          sync.environments.map(async e => {
            const client = ctx.upstreams.argocd.get(e.instance);
            const tree =
              named &&
              e.appName === appName &&
              named.client.name === client.name
                ? named.tree
                : client.getResourceTree(e.appName);
            const runtime = await environmentRuntime(client, e, tree);
            // Sampled once per load (once per TTL for every replica).
            const window = await ctx.restartsLastHour?.(
              entityRef,
              runtime.environment,
              runtime.pods,
            );
            return window ? { ...runtime, restartsLastHour: window } : runtime;
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
