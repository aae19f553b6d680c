/*
 * The delivery backend's wire format: what `GET /api/delivery/status` returns
 * for one entity, and what the rollback and promote endpoints take and give
 * back. The browser imports these types; nothing here carries a credential.
 */

import type { CanaryProgress, RuntimeSection } from './runtime';

/**
 * How a section ended up:
 * - `ok`: fresh from the upstream (or from the cache within its TTL);
 * - `stale`: the upstream failed, `data` is the last good answer (`error` says why, `fetchedAt` how old);
 * - `missing`: the entity has no annotation for this upstream (nothing was asked);
 * - `error`: the upstream failed and there is nothing cached.
 *
 * @public
 */
export type SectionState = 'ok' | 'stale' | 'missing' | 'error';

/** Why a section is missing, stale or failed. @public */
export interface SectionError {
  /** `not-configured`: annotation absent; `not-found`: the upstream has no such resource; `forbidden`: the annotation names a resource of another entity; `upstream`: the upstream failed or timed out. */
  kind: 'not-configured' | 'not-found' | 'forbidden' | 'upstream';
  /** One sentence a developer can act on; never a credential or a raw stack. */
  message: string;
  /** When this failure was first seen (ISO 8601), for "unavailable since". */
  since?: string;
}

/** One section of the status: the data and how fresh it is. @public */
export interface Section<T> {
  state: SectionState;
  data?: T;
  /** When `data` was read from the upstream (ISO 8601). */
  fetchedAt?: string;
  error?: SectionError;
}

/** A build's outcome, normalised over Jenkins and GitHub Actions. @public */
export type BuildStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'aborted'
  | 'unknown';

/** One CI build (a Jenkins build or a GitHub Actions run). @public */
export interface Build {
  /** Jenkins build number or Actions run number; part of the image tag. */
  number: number;
  status: BuildStatus;
  /** The app commit it built (full SHA), when the upstream says. */
  commitSha?: string;
  startedAt: string;
  /** Set once the build has finished. */
  finishedAt?: string;
  durationMs?: number;
  /** The build's page on Jenkins or GitHub. */
  url: string;
}

/** The build section: the newest builds first. @public */
export interface BuildSection {
  provider: 'jenkins' | 'github-actions';
  /** The job's or the workflow's page. */
  url?: string;
  builds: Build[];
}

/** ECR's severity names, most severe first. @public */
export const SEVERITIES = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
] as const;

/** One of ECR's severity names. @public */
export type Severity = (typeof SEVERITIES)[number];

/** One image in the service's ECR repository. @public */
export interface Image {
  digest: string;
  tags: string[];
  pushedAt: string;
  sizeBytes?: number;
  scan?: {
    /** ECR's scan status (`COMPLETE`, `IN_PROGRESS`, `FAILED`, ...). */
    status: string;
    findings: Partial<Record<Severity, number>>;
    completedAt?: string;
  };
  /** Environments whose Argo CD application runs this image now. */
  environments: string[];
}

/** The image section: the newest images first. @public */
export interface ImageSection {
  repositoryName: string;
  repositoryUri: string;
  /** The repository in the AWS console. */
  url: string;
  images: Image[];
}

/** Argo CD's sync status names. @public */
export type SyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';

/** Argo CD's health status names. @public */
export type HealthStatus =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Suspended'
  | 'Missing'
  | 'Unknown';

/** One entry of an Argo CD application's (bounded) sync history. @public */
export interface Deployment {
  id: number;
  /** The helm-charts commit that was deployed. */
  revision: string;
  deployStartedAt?: string;
  deployedAt: string;
  /** Started by Argo CD itself (auto-sync or self-heal), not by a person. */
  automated?: boolean;
}

/** One environment's Argo CD application. @public */
export interface EnvironmentSync {
  /** From the application's values file (`values-<env>.yaml`), else its name. */
  environment: string;
  instance: string;
  appName: string;
  /** The application in Argo CD's UI. */
  appUrl: string;
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  healthMessage?: string;
  /** When the health last changed (Argo CD's `lastTransitionTime`). */
  healthSince?: string;
  /** The helm-charts commit the application is synced to. */
  revision?: string;
  /** Images the application runs (`summary.images`). */
  images: string[];
  /** The last sync operation. */
  operation?: {
    phase: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    /**
     * Argo CD's self-heal: an automated sync of the drifted objects alone
     * (no history entry), with how many times in a row it has run.
     */
    selfHeal?: { attempts: number };
  };
  /** Newest first, at most the backend's history limit. */
  history: Deployment[];
}

/** The sync section: one entry per environment, in promotion order. @public */
export interface SyncSection {
  environments: EnvironmentSync[];
}

/** A commit in the service's app repository. @public */
export interface SourceCommit {
  sha: string;
  /** The first line of the message. */
  message: string;
  author?: string;
  committedAt: string;
  url: string;
}

/** The source section: the newest commits on the default branch first. @public */
export interface SourceSection {
  /** `<owner>/<repo>`; the commits are its default branch's. */
  repository: string;
  commits: SourceCommit[];
}

/** What a helm-charts commit did to a service, read from its message. @public */
export type ChartChangeKind = 'deploy' | 'promote' | 'rollback' | 'other';

/** A helm-charts commit that touched `charts/<name>/`. @public */
export interface ChartChange {
  sha: string;
  message: string;
  committedAt: string;
  url: string;
  kind: ChartChangeKind;
  /** The image tag the commit set, when the message says. */
  tag?: string;
  /** The environment whose values file it changed; absent for the shared values.yaml. */
  environment?: string;
  /** For a rollback, the commit it reverts. */
  reverts?: string;
}

/** The gitops section: the newest helm-charts changes first. @public */
export interface GitOpsSection {
  repository: string;
  path: string;
  changes: ChartChange[];
  /**
   * The branch's newest commits (every chart's), newest first. Argo CD
   * deploys the branch head, often another chart's commit; this places such
   * a revision relative to the chart's changes.
   */
  branchCommits?: string[];
  /**
   * Promotions waiting for an approval: open pull requests in helm-charts
   * that promote this service (into an environment with `changes:
   * pull-request`). The environment moves when one is merged.
   */
  promotions?: OpenPromotion[];
}

/**
 * One environment of the portal's road (`slipway.environments`), as the
 * wizard's picker and the page show it. @public
 */
export interface EnvironmentSummary {
  name: string;
  /** How a promotion reaches it: a commit, or a pull request to approve. */
  changes: 'commit' | 'pull-request';
  /** The EKS cluster it runs on, when configured. */
  cluster?: string;
}

/** A promotion waiting in a pull request. @public */
export interface OpenPromotion {
  /** The environment it promotes into. */
  environment: string;
  /** The environment the tag comes from. */
  from?: string;
  tag?: string;
  /** The user who asked Slipway for it (the commit's Requested-by). */
  requestedBy?: string;
  number: number;
  url: string;
  state: 'open';
  openedAt?: string;
}

/** How far one hop of a change got. @public */
export type HopState = 'done' | 'running' | 'failed' | 'pending' | 'unknown';

/** One hop of the road from commit to running. @public */
export interface Hop {
  state: HopState;
  /** When the hop finished (or failed). */
  at?: string;
  /** Time from the previous hop's `at` to this one's. */
  durationMs?: number;
  /** A short fact: build number, image tag, findings, helm-charts commit, health message. */
  detail?: string;
  url?: string;
}

/** The hops, in road order. @public */
export const HOPS = [
  'pushed',
  'built',
  'imagePushed',
  'tagBumped',
  'synced',
  'healthy',
] as const;

/** A hop's name. @public */
export type HopName = (typeof HOPS)[number];

/** One app commit followed from push to running, in one environment. @public */
export interface TimelineEntry {
  commit: SourceCommit;
  /** The environment followed: the one CI deploys to (the first). */
  environment?: string;
  imageTag?: string;
  findings?: Partial<Record<Severity, number>>;
  hops: Record<HopName, Hop>;
  /** Push to healthy, when the change got there. */
  totalMs?: number;
  /**
   * Where its canary is, when its image is the one a Rollout in the
   * followed environment is rolling out now: the steps between Synced and
   * Healthy.
   */
  canary?: CanaryProgress;
  /**
   * The later environments (after the followed one) its image reached, in
   * promotion order: when the promotion that set it was committed, and
   * whether the environment runs it now.
   */
  reached?: EnvironmentReach[];
}

/** A later environment a change's image reached. @public */
export interface EnvironmentReach {
  environment: string;
  /** When the helm-charts change that set the image there was committed. */
  at?: string;
  /** The environment runs the image now (its Argo CD application). */
  running: boolean;
}

/**
 * DORA's keys over one window (DORA.md in the delivery backend). Rollbacks
 * are rework, not change deployments: they neither count towards the
 * deployment frequency nor dilute the change failure rate.
 *
 * @public
 */
export interface DoraWindow {
  days: number;
  /** Change deployments (deploys and promotions, not rollbacks) that reached the environment in the window. */
  deployments: number;
  /** Change deployments per day. */
  deploymentsPerDay: number;
  /** Median of commit → deployed over the changes deployed in the window. */
  leadTimeMedianMs?: number;
  /** Change deployments in the window that failed / change deployments in the window. */
  changeFailureRate?: number;
  failedDeployments: number;
  /** Rollbacks that reached the environment in the window: unplanned deployments made because a change failed. */
  rollbacks: number;
  /** DORA's deployment rework rate: rollbacks / all deployments (changes and rollbacks) in the window. */
  reworkRate?: number;
  /** Median of failure → next good deployment over the failures restored in the window. */
  timeToRestoreMedianMs?: number;
}

/** The DORA report for a service's production-most environment. @public */
export interface DoraReport {
  environment: string;
  /** 7, 30 and 90 days, ending at `generatedAt`. */
  windows: DoraWindow[];
  /** What the figures were computed from; see the delivery plugin's README. */
  basis: string;
}

/**
 * What Rollback would do in one environment, or why it is not offered.
 *
 * @public
 */
export type RollbackOption =
  | { possible: true; fromTag: string; toTag: string }
  | { possible: false; reason: string };

/**
 * One environment's release facts and the actions possible there, decided
 * by the backend's helm-charts capability (the page only shows them).
 *
 * @public
 */
export interface EnvironmentRelease {
  environment: string;
  /** The tag it runs (its Argo CD application), else the tag helm-charts sets for it. */
  runningTag?: string;
  /** True when an Argo CD application deploys it. */
  deployed: boolean;
  /** True when its own values-<env>.yaml pins the tag; otherwise it follows the shared values.yaml that CI bumps. */
  pinned: boolean;
  rollback: RollbackOption;
  /** The next environment in promotion order, when there is one: Promote copies `runningTag` there. */
  promoteTo?: string;
}

/** What `GET /api/delivery/status?entityRef=` returns. @public */
export interface DeliveryStatus {
  entityRef: string;
  generatedAt: string;
  source: Section<SourceSection>;
  build: Section<BuildSection>;
  image: Section<ImageSection>;
  sync: Section<SyncSection>;
  /** Pods, restarts, HPA and the canary of each environment (absent from older backends). */
  runtime?: Section<RuntimeSection>;
  gitops: Section<GitOpsSection>;
  /** Newest commit first. */
  timeline: TimelineEntry[];
  dora?: DoraReport;
  /** Environments in promotion order (server config), for rollback and promote. */
  environments: string[];
  /**
   * The environments whose promotions open a pull request (`changes:
   * pull-request`): they move when it is merged. Absent from older backends.
   */
  approvals?: string[];
  /** Per environment, in promotion order: what runs and which release actions are possible. */
  releases: EnvironmentRelease[];
}

/** Body of `POST /api/delivery/rollback`. @public */
export interface RollbackRequest {
  entityRef: string;
  environment: string;
}

/** Body of `POST /api/delivery/promote`. @public */
export interface PromoteRequest {
  entityRef: string;
  from: string;
  to: string;
  /** The tag the page showed `from` running; the promote is refused (409) if `from` moved since. */
  tag?: string;
}

/** What rollback and promote return. @public */
export interface ReleaseResult {
  /** The helm-charts commit made (push mode). */
  commitSha: string;
  commitUrl?: string;
  /** The pull request opened (pull-request mode). */
  pullRequestUrl?: string;
  environment: string;
  fromTag?: string;
  toTag: string;
}
