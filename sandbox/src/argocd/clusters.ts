/*
 * The clusters the sandbox's Argo CD deploys to: `in-cluster` (the cluster
 * Argo CD runs in, always known) and those registered like cluster secrets
 * (`argocd cluster add`; the seed registers its EKS clusters). An
 * application's destination names one by server URL or by name; what is
 * live for an application is what its last sync applied to that cluster.
 */

import { ArgoState, ClusterRecord, LiveState, StoredApp } from './store';
import { Application, ApplicationDestination } from './types';

/** The cluster Argo CD runs in, as a fresh install knows it. */
export const IN_CLUSTER: ClusterRecord = {
  name: 'in-cluster',
  server: 'https://kubernetes.default.svc',
};

/** Every known cluster: the registered ones (by name), then `in-cluster`, last as Argo CD lists it. */
export function knownClusters(s: ArgoState): ClusterRecord[] {
  const registered = Object.values(s.clusters).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  return [...registered, IN_CLUSTER];
}

/**
 * The cluster a destination names, found as Argo CD v3's
 * GetDestinationCluster finds it: by server URL, else by name (a name two
 * clusters share is ambiguous). Throws an Error with Argo CD's message when
 * there is no such cluster; a destination with neither is not looked up.
 */
export function destinationCluster(
  clusters: ClusterRecord[],
  dest: ApplicationDestination,
): ClusterRecord | undefined {
  if (dest.server) {
    const server = dest.server.replace(/\/+$/, '');
    const found = clusters.find(c => c.server === server);
    if (!found) {
      throw new Error(
        `error getting cluster by server "${dest.server}": rpc error: code = NotFound desc = cluster "${server}" not found`,
      );
    }
    return found;
  }
  if (dest.name) {
    const named = clusters.filter(c => c.name === dest.name);
    if (!named.length) {
      throw new Error(`there are no clusters with this name: ${dest.name}`);
    }
    if (named.length > 1) {
      throw new Error(
        `there are ${named.length} clusters with the same name: [${named
          .map(c => c.server)
          .join(' ')}]`,
      );
    }
    return named[0];
  }
  return undefined;
}

/** The API server URL an application deploys to (a name resolved), if its cluster is known. */
export function destinationServer(
  s: ArgoState,
  app: Application,
): string | undefined {
  try {
    return destinationCluster(knownClusters(s), app.spec.destination ?? {})
      ?.server;
  } catch {
    return undefined;
  }
}

/**
 * What is live for the application on the cluster it deploys to now: what
 * its last sync applied, when that was to the same cluster. An application
 * moved to another cluster finds nothing of its own there yet.
 */
export function liveOf(s: ArgoState, stored: StoredApp): LiveState | undefined {
  const live = stored.live;
  if (!live) return undefined;
  // State files written before clusters were tracked deployed to in-cluster.
  const appliedTo = live.server ?? IN_CLUSTER.server;
  return appliedTo === destinationServer(s, stored.app) ? live : undefined;
}
