import type {
  BuildSection,
  ImageSection,
  ReleaseResult,
  SourceCommit,
} from '@internal/backstage-plugin-delivery-common';
import type {
  ArgoApplication,
  ArgoApplicationTree,
  ArgoEvent,
  ArgoResourceAction,
  ArgoResourceRef,
  GitHubFiles,
  PromoteOptions,
  PullRequestSummary,
  RollbackOptions,
} from '@internal/backstage-plugin-delivery-node';

/*
 * What the delivery backend needs from each upstream. The real
 * implementations are delivery-node's clients (see plugin.ts); these
 * narrow views keep the status service independent of how they are built.
 */

/** GitHub: the app repository's commits and Actions runs, the helm-charts history. @public */
export interface GitHubUpstream extends GitHubFiles {
  listCommits(
    owner: string,
    repo: string,
    options?: { sha?: string; path?: string; since?: string; perPage?: number },
  ): Promise<Array<SourceCommit & { fullMessage?: string }>>;
  listWorkflowRuns(
    owner: string,
    repo: string,
    options?: { branch?: string; perPage?: number },
  ): Promise<BuildSection>;
  listPullRequests(
    owner: string,
    repo: string,
    options?: {
      base?: string;
      state?: 'open' | 'closed' | 'all';
      perPage?: number;
    },
  ): Promise<PullRequestSummary[]>;
}

/** Jenkins: one job's builds. @public */
export interface JenkinsUpstream {
  get(instance?: string): {
    getBuilds(
      jobFullName: string,
      options: { limit: number },
    ): Promise<BuildSection>;
  };
}

/** ECR: a repository's images and its owner tag. @public */
export interface EcrUpstream {
  listImages(
    repositoryArn: string,
    options: { limit: number },
  ): Promise<ImageSection>;
  getOwnerTag(repositoryArn: string): Promise<string | undefined>;
}

/** Argo CD: applications by name or label selector, their live objects and resource actions, per instance. @public */
export interface ArgoCdUpstream {
  names(): string[];
  has(name?: string): boolean;
  get(name?: string): {
    readonly name: string;
    getApplication(name: string): Promise<ArgoApplication>;
    listApplications(options?: {
      selector?: string;
    }): Promise<ArgoApplication[]>;
    applicationUrl(name: string, appNamespace?: string): string;
    getResourceTree(name: string): Promise<ArgoApplicationTree>;
    getResource<T = Record<string, unknown>>(
      name: string,
      ref: ArgoResourceRef,
    ): Promise<T | undefined>;
    listResourceActions(
      name: string,
      ref: ArgoResourceRef,
    ): Promise<ArgoResourceAction[]>;
    runResourceAction(
      name: string,
      ref: ArgoResourceRef,
      action: string,
    ): Promise<void>;
    listEvents(
      name: string,
      options?: {
        resourceName?: string;
        resourceNamespace?: string;
        resourceUID?: string;
      },
    ): Promise<ArgoEvent[]>;
  };
}

/** The helm-charts repository: where it is, and the release commits. @public */
export interface HelmChartsUpstream {
  owner: string;
  repo: string;
  branch: string;
  /** Web URL of the repository (no `.git`). */
  webUrl: string;
  promote(options: PromoteOptions): Promise<ReleaseResult>;
  rollback(options: RollbackOptions): Promise<ReleaseResult>;
}

/** Every upstream the delivery backend reads. @public */
export interface DeliveryUpstreams {
  github: GitHubUpstream;
  jenkins: JenkinsUpstream;
  ecr: EcrUpstream;
  argocd: ArgoCdUpstream;
  helmCharts: HelmChartsUpstream;
}
