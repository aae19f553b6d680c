/*
 * What the Argo CD emulation persists (StateFile 'argocd'): applications with
 * their status, the sandbox's idea of what is "live" for each on its
 * destination cluster, the registered clusters, projects, and issued session
 * tokens.
 */

import crypto from 'node:crypto';
import { RenderedResource } from './render';
import { ImageBehaviour, RecordedEvent, WorkloadRuntime } from './runtime';
import { Application, ApplicationSource, AppProject } from './types';

/** What the last successful sync applied to the (imaginary) cluster. */
export interface LiveState {
  /**
   * API server URL of the cluster the objects were applied to (absent in
   * state files written before clusters were tracked: in-cluster).
   */
  server?: string;
  revision: string;
  source: ApplicationSource;
  digest: string;
  images: string[];
  resources: RenderedResource[];
  /** Epoch ms of the sync that applied this state. */
  syncedAt: number;
  /**
   * Until this epoch ms the rollout reported Progressing (the health model
   * before runtime.ts; still written, no longer read).
   */
  progressingUntil: number;
  /** Epoch ms when the objects were first created. */
  createdAt: number;
  /**
   * What runs: ReplicaSets, pods, the canary's progress, the HPA, events
   * (see runtime.ts). Absent in state files written before it existed:
   * built from the resources at the next pass.
   */
  runtime?: WorkloadRuntime;
}

/** An application as stored: the API object plus the live state behind it. */
export interface StoredApp {
  app: Application;
  live?: LiveState;
  /** Events about the Application itself (syncs, actions run), newest last. */
  events?: RecordedEvent[];
}

/** What the control API's scenarios set (see the README). */
export interface Scenarios {
  /** Per `<ECR repository>:<tag>`: what the image does when it runs. */
  images: Record<string, ImageBehaviour>;
  /** Applications whose pods are under load (the HPA scales up). */
  load: Record<string, boolean>;
}

/** A cluster registered with Argo CD (a cluster secret), never with credentials. */
export interface ClusterRecord {
  name: string;
  /** The Kubernetes API server URL, no trailing slash. */
  server: string;
}

/** A session token the API server issued. */
export interface TokenRecord {
  sub: string;
  iat: number;
  exp: number;
}

/** The whole persisted document. */
export interface ArgoState {
  version: 1;
  /** HMAC key for session tokens; stays in the data folder, never logged. */
  secret: string;
  tokens: Record<string, TokenRecord>;
  projects: Record<string, AppProject>;
  apps: Record<string, StoredApp>;
  /** Registered clusters by server URL; in-cluster is always known besides. */
  clusters: Record<string, ClusterRecord>;
  /** A cluster-wide counter like etcd's, for metadata.resourceVersion. */
  resourceVersion: number;
  /** Behaviours set through the control API (absent in older state files). */
  scenarios?: Scenarios;
}

/** Namespace the emulated Argo CD runs in. */
export const ARGOCD_NAMESPACE = 'argocd';

/** A Kubernetes timestamp (RFC 3339, seconds precision). */
export function k8sTime(d: Date | number): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The built-in `default` project, as a fresh Argo CD install has it. */
export function defaultProject(now: Date): AppProject {
  return {
    metadata: {
      name: 'default',
      namespace: ARGOCD_NAMESPACE,
      uid: crypto.randomUUID(),
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: k8sTime(now),
    },
    spec: {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
    status: {},
  };
}

export function initialState(now: Date): ArgoState {
  return {
    version: 1,
    secret: crypto.randomBytes(32).toString('base64url'),
    tokens: {},
    projects: { default: defaultProject(now) },
    apps: {},
    clusters: {},
    resourceVersion: 1,
  };
}

/** Gives `obj` the next resourceVersion. */
export function bumpVersion(
  state: ArgoState,
  obj: { metadata: { resourceVersion?: string } },
) {
  state.resourceVersion += 1;
  obj.metadata.resourceVersion = String(state.resourceVersion);
}
