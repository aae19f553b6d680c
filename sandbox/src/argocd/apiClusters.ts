/*
 * Argo CD's ClusterService, read side: list (with the `server`, `name` and
 * `id.type`/`id.value` filters) and get by server URL or by name. Clusters
 * are answered as the API server answers them: name, server, connection
 * state and info (Kubernetes version, how many applications deploy there),
 * never credentials. The seed registers clusters through ensureCluster.
 */

import { Ctx, Router, sendJson } from '../http';
import { ApiDeps, op } from './apiCommon';
import { destinationServer, IN_CLUSTER, knownClusters } from './clusters';
import { grpcError, GrpcCode, permissionDenied } from './errors';
import { ArgoState, ClusterRecord, k8sTime } from './store';

/** The Kubernetes version every sandbox cluster reports (that of the sandbox's EKS clusters). */
const KUBERNETES_VERSION = '1.31';

/** Registers the cluster routes. */
export function clusterRoutes(r: Router, d: ApiDeps) {
  r.add('GET', '/api/v1/clusters', op('ClusterService_List'), c =>
    listClusters(d, c),
  );
  r.add('GET', '/api/v1/clusters/:id', op('ClusterService_Get'), c =>
    getCluster(d, c),
  );
}

/**
 * Registers a cluster like a cluster secret does (`argocd cluster add`), or
 * renames the one registered with that server URL; for the seed.
 */
export function ensureCluster(d: ApiDeps, cluster: ClusterRecord) {
  const server = cluster.server.replace(/\/+$/, '');
  if (server === IN_CLUSTER.server) {
    throw new Error(`${server} is in-cluster, known without registering`);
  }
  d.state.update(s => {
    s.clusters[server] = { name: cluster.name, server };
    s.resourceVersion += 1;
  });
}

/** The clusters a `server`, `name` or `id.type`/`id.value` query selects, as Argo CD filters them. */
function selected(
  clusters: ClusterRecord[],
  q: URLSearchParams,
): ClusterRecord[] {
  let out = clusters;
  const id = q.get('id.value');
  if (id) out = out.filter(idMatcher(q.get('id.type'), id));
  const name = q.get('name');
  if (name) out = out.filter(c => c.name === name);
  const server = q.get('server');
  if (server) out = out.filter(c => c.server === server);
  return out;
}

/**
 * What an `id.type`/`id.value` pair selects: a cluster by name (`name`, or
 * URL-escaped with `name_escaped`), else by server URL.
 */
function idMatcher(
  type: string | null,
  value: string,
): (c: ClusterRecord) => boolean {
  if (type === 'name') return c => c.name === value;
  if (type === 'name_escaped') {
    let name: string;
    try {
      name = decodeURIComponent(value);
    } catch {
      throw grpcError(
        GrpcCode.InvalidArgument,
        `failed to unescape cluster name: invalid URL escape "${value}"`,
      );
    }
    return c => c.name === name;
  }
  return c => c.server === value;
}

/** A cluster as the API server answers it (v1alpha1Cluster, credentials never included). */
function clusterView(d: ApiDeps, s: ArgoState, c: ClusterRecord) {
  const applicationsCount = Object.values(s.apps).filter(
    a => destinationServer(s, a.app) === c.server,
  ).length;
  // Argo CD watches a cluster only while applications deploy to it.
  const connectionState = applicationsCount
    ? { status: 'Successful', attemptedAt: k8sTime(d.clock()) }
    : {
        status: 'Unknown',
        message: 'Cluster has no applications and is not being monitored.',
        attemptedAt: k8sTime(d.clock()),
      };
  return {
    server: c.server,
    name: c.name,
    // The deprecated top-level fields, still filled in for old clients.
    connectionState,
    serverVersion: KUBERNETES_VERSION,
    info: {
      connectionState,
      serverVersion: KUBERNETES_VERSION,
      applicationsCount,
    },
  };
}

function listClusters(d: ApiDeps, ctx: Ctx) {
  const s = d.state.data;
  sendJson(ctx.res, 200, {
    metadata: {},
    items: selected(knownClusters(s), ctx.url.searchParams).map(c =>
      clusterView(d, s, c),
    ),
  });
}

/**
 * One cluster: by server URL (the path's id.value), or by name with
 * `id.type=name`. A cluster that does not exist is answered like one the
 * caller may not see, as Argo CD does.
 */
function getCluster(d: ApiDeps, ctx: Ctx) {
  const s = d.state.data;
  const found = knownClusters(s).find(
    idMatcher(ctx.url.searchParams.get('id.type'), ctx.params.id),
  );
  if (!found) throw permissionDenied();
  sendJson(ctx.res, 200, clusterView(d, s, found));
}
