/*
 * The subset of Argo CD's v1alpha1 types the sandbox reads and writes,
 * mirroring the definitions in specs/argocd-v3.6.0-swagger.json (same field
 * names, same nesting). Unknown fields a client sends are kept as they are.
 */

/** k8s ObjectMeta (v1ObjectMeta). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [key: string]: unknown;
}

/** v1alpha1ApplicationSourceHelm. */
export interface ApplicationSourceHelm {
  valueFiles?: string[];
  values?: string;
  valuesObject?: unknown;
  parameters?: Array<{ name?: string; value?: string; forceString?: boolean }>;
  ignoreMissingValueFiles?: boolean;
  releaseName?: string;
  [key: string]: unknown;
}

/** v1alpha1ApplicationSource. */
export interface ApplicationSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  ref?: string;
  name?: string;
  helm?: ApplicationSourceHelm;
  [key: string]: unknown;
}

/** v1alpha1ApplicationDestination. */
export interface ApplicationDestination {
  server?: string;
  name?: string;
  namespace?: string;
}

/** v1alpha1SyncPolicyAutomated. */
export interface SyncPolicyAutomated {
  enabled?: boolean;
  prune?: boolean;
  selfHeal?: boolean;
  allowEmpty?: boolean;
}

/** v1alpha1SyncPolicy. */
export interface SyncPolicy {
  automated?: SyncPolicyAutomated;
  syncOptions?: string[];
  retry?: unknown;
  [key: string]: unknown;
}

/** v1alpha1ApplicationSpec. */
export interface ApplicationSpec {
  project?: string;
  source?: ApplicationSource;
  sources?: ApplicationSource[];
  destination?: ApplicationDestination;
  syncPolicy?: SyncPolicy;
  ignoreDifferences?: unknown[];
  revisionHistoryLimit?: number;
  info?: Array<{ name?: string; value?: string }>;
  [key: string]: unknown;
}

/** v1alpha1OperationInitiator. */
export interface OperationInitiator {
  username?: string;
  automated?: boolean;
}

/** v1alpha1SyncOperation. */
export interface SyncOperation {
  revision?: string;
  revisions?: string[];
  prune?: boolean;
  dryRun?: boolean;
  source?: ApplicationSource;
  syncOptions?: string[];
  [key: string]: unknown;
}

/** v1alpha1Operation. */
export interface Operation {
  sync?: SyncOperation;
  initiatedBy?: OperationInitiator;
  info?: Array<{ name?: string; value?: string }>;
  retry?: unknown;
}

/** v1alpha1ResourceResult. */
export interface ResourceResult {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status: string;
  message: string;
  hookPhase: string;
  syncPhase: string;
  images?: string[];
}

/** v1alpha1OperationState. */
export interface OperationState {
  operation: Operation;
  phase: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating';
  message: string;
  startedAt: string;
  finishedAt?: string;
  syncResult?: {
    revision: string;
    source?: ApplicationSource;
    resources?: ResourceResult[];
  };
}

/** v1alpha1HealthStatus / v1alpha1AppHealthStatus. */
export interface HealthStatus {
  status:
    | 'Healthy'
    | 'Progressing'
    | 'Degraded'
    | 'Suspended'
    | 'Missing'
    | 'Unknown';
  message?: string;
  lastTransitionTime?: string;
}

/** applicationv1alpha1ResourceStatus. */
export interface ResourceStatus {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status: 'Synced' | 'OutOfSync' | 'Unknown';
  health?: HealthStatus;
  requiresPruning?: boolean;
}

/** v1alpha1RevisionHistory. */
export interface RevisionHistory {
  id: number;
  revision: string;
  source: ApplicationSource;
  deployStartedAt: string;
  deployedAt: string;
  initiatedBy: OperationInitiator;
}

/** v1alpha1ApplicationCondition. */
export interface ApplicationCondition {
  type: string;
  message: string;
  lastTransitionTime?: string;
}

/** v1alpha1ApplicationStatus. */
export interface ApplicationStatus {
  sync?: {
    status: 'Synced' | 'OutOfSync' | 'Unknown';
    revision?: string;
    comparedTo?: {
      source?: ApplicationSource;
      destination?: ApplicationDestination;
    };
  };
  health?: HealthStatus;
  history?: RevisionHistory[];
  operationState?: OperationState;
  reconciledAt?: string;
  resources?: ResourceStatus[];
  summary?: { images?: string[]; externalURLs?: string[] };
  conditions?: ApplicationCondition[];
  sourceType?: string;
  controllerNamespace?: string;
}

/** v1alpha1Application. */
export interface Application {
  metadata: ObjectMeta;
  spec: ApplicationSpec;
  status?: ApplicationStatus;
  operation?: Operation;
}

/** v1alpha1AppProjectSpec (the fields the sandbox enforces, the rest kept). */
export interface AppProjectSpec {
  description?: string;
  sourceRepos?: string[];
  destinations?: ApplicationDestination[];
  clusterResourceWhitelist?: Array<{ group?: string; kind?: string }>;
  [key: string]: unknown;
}

/** v1alpha1AppProject. */
export interface AppProject {
  metadata: ObjectMeta;
  spec: AppProjectSpec;
  status?: Record<string, unknown>;
}
