/*
 * GitHub: a reader of the REST API (commits, Actions runs, files,
 * repositories) with conditional requests, for the delivery status.
 */

export { GitHubReader } from './GitHubReader';
export { gitHubHosts } from './hosts';
export type { GitHubFiles } from './GitHubFiles';
export { AppRepositories, taskTopic } from './AppRepositories';
export type {
  AppRepositorySpec,
  ExistingRepository,
  InitialCommit,
} from './AppRepositories';
export { workflowRunStatus } from './workflowRuns';
export type { PullRequestSummary } from './readerShapes';
export type {
  GitHubReaderFromConfigOptions,
  GitHubReaderOptions,
  GitHubReaderStats,
  ListCommitsOptions,
  ListWorkflowRunsOptions,
} from './GitHubReader';
export { declaresEntity } from './catalogInfo';
