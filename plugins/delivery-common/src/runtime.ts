/*
 * The runtime section of the delivery status (what runs in each
 * environment, read through Argo CD) and the canary actions' request and
 * answer. Part of the wire format in status.ts; no credential here.
 */

import type { HealthStatus } from './status';

/** One pod of a service's workload, from Argo CD's resource tree. @public */
export interface PodRuntime {
  name: string;
  /** Argo CD's `Status Reason` (Running, CrashLoopBackOff, ContainerCreating, ...). */
  reason?: string;
  /** Ready containers of all (`Containers`, e.g. "1/1"). */
  containers?: string;
  ready: boolean;
  restarts: number;
  health?: HealthStatus;
  images: string[];
  /** The ReplicaSet it belongs to: stable or canary under a Rollout. */
  role?: 'stable' | 'canary';
  /** Why its container last stopped, read for pods that restarted. */
  lastTermination?: { reason?: string; exitCode?: number; at?: string };
  createdAt?: string;
}

/** The HorizontalPodAutoscaler of a workload. @public */
export interface HpaRuntime {
  name: string;
  minReplicas?: number;
  maxReplicas: number;
  currentReplicas?: number;
  desiredReplicas?: number;
  /** The CPU target and reading, in percent of the pods' requests. */
  targetCpuPercent?: number;
  currentCpuPercent?: number;
  lastScaleTime?: string;
}

/** One analysis of a canary (an Argo Rollouts AnalysisRun). @public */
export interface AnalysisRunView {
  name: string;
  /** Pending, Running, Successful, Failed, Error, Inconclusive. */
  phase?: string;
  message?: string;
  startedAt?: string;
}

/** A rollout action's name, as Argo CD's Rollout actions call it. @public */
export type RolloutActionName = 'resume' | 'promote-full' | 'abort' | 'retry';

/** An Argo Rollouts Rollout as the page shows it. @public */
export interface RolloutView {
  name: string;
  namespace: string;
  strategy: 'canary' | 'blueGreen';
  /** Argo Rollouts' status.phase: Healthy, Progressing, Paused, Degraded. */
  phase?: string;
  message?: string;
  /** The steps, as short phrases ("set weight 20%", "pause", "pause 30s"). */
  steps: string[];
  /** Index of the current step (0-based); equal to steps.length when all ran. */
  currentStep?: number;
  /** The canary's share of traffic now, in percent. */
  canaryWeight?: number;
  paused: boolean;
  /** When the pause began, and why (CanaryPauseStep, BlueGreenPause, ...). */
  pausedSince?: string;
  pauseReason?: string;
  aborted: boolean;
  stableImage?: string;
  canaryImage?: string;
  analysisRuns: AnalysisRunView[];
  /** What the owners may do now: Argo CD's enabled actions on the Rollout. */
  actions: RolloutActionName[];
}

/** One Kubernetes event worth a developer's attention. @public */
export interface RuntimeEvent {
  type: 'Normal' | 'Warning';
  reason?: string;
  message?: string;
  /** The object it is about, as kind/name. */
  object?: string;
  count?: number;
  lastSeen?: string;
}

/** What runs in one environment, read through Argo CD. @public */
export interface EnvironmentRuntime {
  environment: string;
  appName: string;
  /** The workload: a Deployment (rolling update) or a Rollout (canary). */
  workload?: {
    kind: 'Deployment' | 'Rollout';
    name: string;
    namespace: string;
    health?: HealthStatus;
    healthMessage?: string;
  };
  /** Pods ready of desired. */
  readyPods: number;
  desiredPods?: number;
  pods: PodRuntime[];
  /** Restarts of the pods now running (their totals), and the newest termination's reason. */
  restarts: number;
  /**
   * Restarts in the last hour, from the restart counts the backend
   * sampled (absent without its history); `since` when it counts from
   * later than an hour ago (the pods were first seen then).
   */
  restartsLastHour?: { restarts: number; since?: string };
  lastTermination?: {
    pod: string;
    reason?: string;
    exitCode?: number;
    at?: string;
  };
  hpa?: HpaRuntime;
  rollout?: RolloutView;
  /**
   * Argo CD's self-heal syncs that put drifted objects back: the last one
   * (Argo CD keeps no history of them), with how many ran in a row.
   */
  selfHeals: Array<{ at: string; attempts?: number; revision?: string }>;
  /** Warning events, newest first (at most 10). */
  warnings: RuntimeEvent[];
}

/** The runtime section: one entry per environment, in promotion order. @public */
export interface RuntimeSection {
  environments: EnvironmentRuntime[];
}

/** Body of `POST /api/delivery/rollout`. @public */
export interface RolloutActionRequest {
  entityRef: string;
  environment: string;
  action: RolloutActionName;
}

/** What a rollout action returns. @public */
export interface RolloutActionResult {
  entityRef: string;
  environment: string;
  action: RolloutActionName;
  rollout: string;
}

/** A change's canary in progress (from the runtime section's Rollout). @public */
export interface CanaryProgress {
  /** The steps, as short phrases. */
  steps: string[];
  /** Index of the current step; equal to steps.length when all ran. */
  currentStep?: number;
  /** The canary's share of traffic now, in percent. */
  weight?: number;
  paused: boolean;
  pausedSince?: string;
  aborted: boolean;
  /** Argo Rollouts' message (why it paused or aborted). */
  message?: string;
}
