/*
 * The resource tree and managed-resources views of an application, derived
 * from what is live for it: the chart's objects as applied, with the status
 * the runtime model gives them, and what their controllers created
 * (ReplicaSets, Pods, AnalysisRuns), each with the health and info Argo CD
 * computes (controller/cache/info.go, gitops-engine's health checks and the
 * Rollout Lua).
 */

import crypto from 'node:crypto';
import { resourceHealth } from './health';
import { DesiredState, RenderedResource } from './render';
import { LiveObject } from './runtime';
import { LiveState } from './store';

const hash = (...parts: string[]) =>
  crypto.createHash('sha256').update(parts.join('\0')).digest('hex');

interface ResourceRef {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

interface TreeNode extends ResourceRef {
  resourceVersion: string;
  createdAt: string;
  parentRefs?: ResourceRef[];
  health?: { status: string; message?: string };
  images?: string[];
  info?: Array<{ name: string; value: string }>;
  networkingInfo?: {
    targetLabels?: Record<string, string>;
    labels?: Record<string, string>;
    externalURLs?: string[];
  };
}

type Obj = Record<string, any>;

/** Kubernetes' quantity in milli-units, as resource.Quantity.MilliValue gives it. */
function milliValue(q: unknown): number {
  if (typeof q === 'number') return q * 1000;
  if (typeof q !== 'string') return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const factor: Record<string, number> = {
    '': 1000,
    m: 1,
    k: 1e6,
    M: 1e9,
    G: 1e12,
    Ki: 1024 * 1000,
    Mi: 1024 ** 2 * 1000,
    Gi: 1024 ** 3 * 1000,
  };
  return Math.round(n * (factor[m[2]] ?? 0));
}

/** What Argo CD's populatePodInfo puts in a pod's info. */
function podInfo(pod: Obj) {
  const containers: Obj[] = pod.spec?.containers ?? [];
  let reason: string = pod.status?.reason || pod.status?.phase || '';
  let restarts = 0;
  let ready = 0;
  let hasRunning = false;
  for (const c of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    restarts += Number(c.restartCount ?? 0);
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) {
      reason = `ExitCode:${c.state.terminated.exitCode}`;
    } else if (c.ready && c.state?.running) {
      hasRunning = true;
      ready += 1;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  const requests = (name: string) =>
    containers.reduce(
      (n, c) => n + milliValue(c.resources?.requests?.[name]),
      0,
    );
  const info = [
    ...(reason ? [{ name: 'Status Reason', value: reason }] : []),
    { name: 'Node', value: String(pod.spec?.nodeName ?? '') },
    { name: 'Containers', value: `${ready}/${containers.length}` },
    ...(restarts > 0
      ? [{ name: 'Restart Count', value: String(restarts) }]
      : []),
  ];
  if (!['Succeeded', 'Failed'].includes(pod.status?.phase)) {
    info.push(
      { name: 'cpu', value: String(requests('cpu')) },
      { name: 'memory', value: String(requests('memory')) },
    );
  }
  return info;
}

/** `Rev:N` from the revision annotation, as Argo CD shows it. */
function revisionInfo(obj: Obj) {
  const a = obj.metadata?.annotations ?? {};
  const text =
    a['deployment.kubernetes.io/revision'] ?? a['rollout.argoproj.io/revision'];
  const n = parseInt(text ?? '', 10);
  return n > 0 ? [{ name: 'Revision', value: `Rev:${n}` }] : [];
}

/** One tree node for a live object. */
export function treeNode(o: LiveObject, externalURLs: string[] = []): TreeNode {
  const obj = o.object;
  const node: TreeNode = {
    group: o.group,
    version: o.version,
    kind: o.kind,
    namespace: o.namespace,
    name: o.name,
    uid: o.uid,
    resourceVersion: String(obj.metadata?.resourceVersion ?? ''),
    createdAt: String(obj.metadata?.creationTimestamp ?? ''),
  };
  if (o.owner) {
    node.parentRefs = [{ ...o.owner, namespace: o.namespace }];
  }
  const health = resourceHealth(obj);
  if (health) node.health = health;
  const info = revisionInfo(obj);
  if (o.kind === 'Pod' && o.group === '') {
    info.push(...podInfo(obj));
    node.images = [
      ...new Set<string>(
        (obj.spec?.containers ?? []).map((c: Obj) => String(c.image)),
      ),
    ];
    node.networkingInfo = { labels: obj.metadata?.labels ?? {} };
  } else if (o.kind === 'Service' && o.group === '') {
    node.networkingInfo = { targetLabels: obj.spec?.selector ?? {} };
  } else if (o.kind === 'Ingress') {
    node.networkingInfo = { externalURLs };
  }
  if (info.length) node.info = info;
  return node;
}

/** v1alpha1ApplicationTree for an application, from its live objects. */
export function resourceTree(objects: LiveObject[], externalURLs: string[]) {
  return { nodes: objects.map(o => treeNode(o, externalURLs)) };
}

/** applicationManagedResourcesResponse: target vs live manifests per object. */
export function managedResources(
  live: LiveState | undefined,
  desired: DesiredState | undefined,
) {
  const liveBy = new Map(
    (live?.resources ?? []).map(r => [`${r.group}/${r.kind}/${r.name}`, r]),
  );
  const targetBy = new Map(
    (desired?.resources ?? []).map(r => [`${r.group}/${r.kind}/${r.name}`, r]),
  );
  const keys = [...new Set([...targetBy.keys(), ...liveBy.keys()])];
  return {
    items: keys.map(k => {
      const target = targetBy.get(k);
      const liveR = liveBy.get(k);
      const r = (target ?? liveR) as RenderedResource;
      const liveState = liveR ? JSON.stringify(liveR.manifest) : 'null';
      const targetState = target ? JSON.stringify(target.manifest) : 'null';
      return {
        group: r.group,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        targetState,
        liveState,
        normalizedLiveState: liveState,
        predictedLiveState: targetState,
        modified: liveState !== targetState,
        hook: false,
        resourceVersion: liveR
          ? String(parseInt(hash(liveState).slice(0, 6), 16))
          : '',
      };
    }),
  };
}
