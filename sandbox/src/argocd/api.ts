/*
 * Argo CD's REST API (the grpc-gateway paths of specs/argocd-v3.6.0-swagger.json)
 * for sessions, version, applications, projects and clusters. Operation
 * names are the swagger operationIds prefixed with `argocd:`.
 *
 * Each resource registers its own routes: apiSessions (sessions and
 * version), apiApplications (applications), apiAppResources (resource tree,
 * managed resources), apiAppSync (sync, rollback, terminate, revision
 * metadata), apiProjects (projects) and apiClusters (clusters). apiCommon
 * holds what they share.
 */

import { Router } from '../http';
import { applicationRoutes, upsertApp } from './apiApplications';
import { appResourceRoutes } from './apiAppResources';
import { appSyncRoutes } from './apiAppSync';
import { clusterRoutes, ensureCluster } from './apiClusters';
import { ApiDeps } from './apiCommon';
import { projectRoutes, upsertProject } from './apiProjects';
import { sessionRoutes } from './apiSessions';
import { ClusterRecord } from './store';
import { Application, AppProject } from './types';

export type { ApiDeps } from './apiCommon';
export { ARGOCD_VERSION } from './apiSessions';

/** Operations that need no session (as in Argo CD's auth exemptions). */
export const PUBLIC_OPERATIONS = new Set([
  'argocd:SessionService_Create',
  'argocd:SessionService_Delete',
  'argocd:SessionService_GetUserInfo',
  'argocd:VersionService_Version',
]);

/** The Argo CD REST API on top of the state and the controller. */
export class ArgoApi {
  readonly router = new Router();

  constructor(private readonly d: ApiDeps) {
    sessionRoutes(this.router, d);
    applicationRoutes(this.router, d);
    appResourceRoutes(this.router, d);
    appSyncRoutes(this.router, d);
    projectRoutes(this.router, d);
    clusterRoutes(this.router, d);
  }

  /**
   * Creates (or with `upsert`, updates) an application. Shared by the API and
   * the seed. Returns the stored application.
   */
  upsertApp(
    input: Application,
    opts: { upsert: boolean; validate: boolean },
  ): Promise<Application> {
    return upsertApp(this.d, input, opts);
  }

  /** Creates or (with upsert) updates a project; shared with the seed. */
  upsertProject(input: AppProject, upsert: boolean): AppProject {
    return upsertProject(this.d, input, upsert);
  }

  /** Registers a cluster (or renames the one with its server URL); for the seed. */
  ensureCluster(cluster: ClusterRecord) {
    ensureCluster(this.d, cluster);
  }
}
