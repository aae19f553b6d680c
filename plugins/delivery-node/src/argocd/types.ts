/*
 * Minimal shapes of Argo CD's API objects, from
 * specs/argocd-v3.6.0-swagger.json (v1alpha1Application and friends). Only
 * the fields Slipway reads or writes are spelled out.
 */

/** Kubernetes object metadata (v1ObjectMeta), as far as Slipway uses it. @public */
export interface ArgoObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  uid?: string;
  resourceVersion?: string;
  generation?: number | string;
  creationTimestamp?: string;
}

/** v1alpha1ApplicationSource. @public */
export interface ArgoApplicationSource {
  repoURL: string;
  path?: string;
  targetRevision?: string;
  chart?: string;
  helm?: {
    valueFiles?: string[];
    releaseName?: string;
    values?: string;
    valuesObject?: Record<string, unknown>;
    parameters?: Array<{
      name?: string;
      value?: string;
      forceString?: boolean;
    }>;
    ignoreMissingValueFiles?: boolean;
  };
}

/** v1alpha1ResourceIgnoreDifferences. @public */
export interface ArgoIgnoreDifferences {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
  jqPathExpressions?: string[];
  managedFieldsManagers?: string[];
}

/** v1alpha1ApplicationSpec. @public */
export interface ArgoApplicationSpec {
  project: string;
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
  destination: { server?: string; name?: string; namespace?: string };
  syncPolicy?: {
    automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean };
    syncOptions?: string[];
    retry?: {
      limit?: number | string;
      backoff?: {
        duration?: string;
        factor?: number | string;
        maxDuration?: string;
      };
    };
  };
  ignoreDifferences?: ArgoIgnoreDifferences[];
  revisionHistoryLimit?: number | string;
}

/** v1alpha1HealthStatus. @public */
export interface ArgoHealthStatus {
  status?: string;
  message?: string;
  /** When the status last changed (application health only). */
  lastTransitionTime?: string;
}

/** v1alpha1ResourceStatus. @public */
export interface ArgoResourceStatus {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  status?: string;
  health?: ArgoHealthStatus;
}

/** v1alpha1ApplicationStatus, in part. @public */
export interface ArgoApplicationStatus {
  sync?: { status?: string; revision?: string; revisions?: string[] };
  health?: ArgoHealthStatus;
  resources?: ArgoResourceStatus[];
  conditions?: Array<{ type?: string; message?: string }>;
  operationState?: {
    phase?: string;
    message?: string;
    operation?: {
      initiatedBy?: { username?: string; automated?: boolean };
      /** Set by self-heal: how many times Argo CD has put drift back in a row. */
      sync?: { autoHealAttemptsCount?: number | string };
    };
    syncResult?: { revision?: string };
    startedAt?: string;
    finishedAt?: string;
  };
  history?: Array<{
    id?: number | string;
    revision?: string;
    deployStartedAt?: string;
    deployedAt?: string;
    /** Who started the sync; `automated` for auto-sync and self-heal. */
    initiatedBy?: { username?: string; automated?: boolean };
  }>;
  summary?: { images?: string[]; externalURLs?: string[] };
  reconciledAt?: string;
}

/** v1alpha1Application. @public */
export interface ArgoApplication {
  apiVersion?: string;
  kind?: string;
  metadata: ArgoObjectMeta;
  spec: ArgoApplicationSpec;
  status?: ArgoApplicationStatus;
}

/** v1alpha1ResourceNode, in part. @public */
export interface ArgoResourceNode {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  parentRefs?: Array<{
    group?: string;
    kind?: string;
    namespace?: string;
    name?: string;
  }>;
  health?: ArgoHealthStatus;
  images?: string[];
  info?: Array<{ name?: string; value?: string }>;
  networkingInfo?: { externalURLs?: string[] };
  createdAt?: string;
}

/** v1alpha1ApplicationTree. @public */
export interface ArgoApplicationTree {
  nodes?: ArgoResourceNode[];
  orphanedNodes?: ArgoResourceNode[];
  hosts?: unknown[];
}

/** v1alpha1RevisionMetadata. @public */
export interface ArgoRevisionMetadata {
  author?: string;
  date?: string;
  message?: string;
  tags?: string[];
  signatureInfo?: string;
}

/**
 * Identifies one live object of an application, as Argo CD's resource
 * endpoints take it (GetResource, ListResourceActions, RunResourceActionV2).
 * @public
 */
export interface ArgoResourceRef {
  /** API group; empty for the core group (Pod, Service). */
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}

/** v1alpha1ResourceAction: one action Argo CD offers on an object. @public */
export interface ArgoResourceAction {
  name?: string;
  disabled?: boolean;
  displayName?: string;
}

/** eventsEvent (a Kubernetes Event as Argo CD relays it), in part. @public */
export interface ArgoEvent {
  metadata?: ArgoObjectMeta;
  /** Normal or Warning. */
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: {
    kind?: string;
    name?: string;
    namespace?: string;
    uid?: string;
  };
}
