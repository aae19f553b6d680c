/*
 * The resource tree and managed-resources views of an application, derived
 * from what its last sync applied to its destination cluster: the chart's
 * objects plus the ReplicaSet and Pod a Deployment would own.
 */

import crypto from 'node:crypto';
import { DesiredState, RenderedResource } from './render';
import { k8sTime, LiveState, StoredApp } from './store';

const hash = (...parts: string[]) =>
  crypto.createHash('sha256').update(parts.join('\0')).digest('hex');

/** A stable, UUID-shaped id for one object of one application. */
function uidFor(appUid: string, kind: string, name: string) {
  const h = hash(appUid, kind, name);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(
    16,
    20,
  )}-${h.slice(20, 32)}`;
}

interface TreeNode {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  createdAt: string;
  parentRefs?: Array<{
    group: string;
    kind: string;
    namespace: string;
    name: string;
    uid: string;
  }>;
  health?: { status: string; message?: string };
  images?: string[];
  info?: Array<{ name: string; value: string }>;
  networkingInfo?: {
    targetLabels?: Record<string, string>;
    labels?: Record<string, string>;
    externalURLs?: string[];
  };
}

/** v1alpha1ApplicationTree for an application, from what is live for it. */
export function resourceTree(stored: StoredApp, live: LiveState | undefined) {
  if (!live) return { nodes: [] as TreeNode[] };
  const appUid = stored.app.metadata.uid ?? stored.app.metadata.name ?? '';
  const createdAt = k8sTime(live.createdAt);
  const syncedAt = k8sTime(live.syncedAt);
  const health = stored.app.status?.health;
  const nodes: TreeNode[] = [];
  const rv = (r: RenderedResource) =>
    String(parseInt(hash(JSON.stringify(r.manifest)).slice(0, 6), 16));
  for (const r of live.resources) {
    const uid = uidFor(appUid, r.kind, r.name);
    const node: TreeNode = {
      group: r.group,
      version: r.version,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      uid,
      resourceVersion: rv(r),
      createdAt,
    };
    const labels =
      (r.manifest.metadata as { labels?: Record<string, string> })?.labels ??
      {};
    if (r.kind === 'Deployment') {
      node.health = health
        ? {
            status: health.status,
            ...(health.message ? { message: health.message } : {}),
          }
        : { status: 'Unknown' };
      node.info = [
        {
          name: 'Revision',
          value: `Rev:${(stored.app.status?.history?.length ?? 0) || 1}`,
        },
      ];
      const podTemplate = hash(JSON.stringify(r.manifest)).slice(0, 10);
      const rsName = `${r.name}-${podTemplate}`;
      const rsUid = uidFor(appUid, 'ReplicaSet', rsName);
      nodes.push(node, {
        group: 'apps',
        version: 'v1',
        kind: 'ReplicaSet',
        namespace: r.namespace,
        name: rsName,
        uid: rsUid,
        resourceVersion: rv(r),
        createdAt: syncedAt,
        parentRefs: [
          {
            group: 'apps',
            kind: 'Deployment',
            namespace: r.namespace,
            name: r.name,
            uid,
          },
        ],
        health: node.health,
        info: node.info,
      });
      const podName = `${rsName}-${hash(rsName).slice(0, 5)}`;
      const degraded = health?.status === 'Degraded';
      const progressing = health?.status === 'Progressing';
      let podHealth: { status: string; message?: string } = {
        status: 'Healthy',
      };
      let podReason = 'Running';
      if (degraded) {
        podHealth = {
          status: 'Degraded',
          message: health?.message ?? 'ImagePullBackOff',
        };
        podReason = 'ImagePullBackOff';
      } else if (progressing) {
        podHealth = { status: 'Progressing' };
        podReason = 'ContainerCreating';
      }
      nodes.push({
        group: '',
        version: 'v1',
        kind: 'Pod',
        namespace: r.namespace,
        name: podName,
        uid: uidFor(appUid, 'Pod', podName),
        resourceVersion: rv(r),
        createdAt: syncedAt,
        parentRefs: [
          {
            group: 'apps',
            kind: 'ReplicaSet',
            namespace: r.namespace,
            name: rsName,
            uid: rsUid,
          },
        ],
        health: podHealth,
        images: [...live.images],
        info: [
          {
            name: 'Status Reason',
            value: podReason,
          },
          { name: 'Node', value: 'sandbox-node-1' },
          {
            name: 'Containers',
            value: degraded || progressing ? '0/1' : '1/1',
          },
        ],
        networkingInfo: { labels },
      });
      continue;
    }
    if (r.kind === 'Service') {
      node.health = { status: 'Healthy' };
      node.networkingInfo = { targetLabels: labels };
    } else if (r.kind === 'Ingress') {
      node.health = { status: 'Healthy' };
      node.networkingInfo = {
        externalURLs: stored.app.status?.summary?.externalURLs ?? [],
      };
    } else if (r.kind === 'HorizontalPodAutoscaler') {
      node.health = { status: 'Healthy' };
    }
    nodes.push(node);
  }
  return { nodes };
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
