/*
 * GitHub: a reader of the REST API (commits, Actions runs, files,
 * repositories) with conditional requests, for the delivery status.
 */

export { GitHubReader, workflowRunStatus } from './GitHubReader';
export type {
  GitHubReaderFromConfigOptions,
  GitHubReaderOptions,
  GitHubReaderStats,
  ListCommitsOptions,
  ListWorkflowRunsOptions,
} from './GitHubReader';
export { declaresEntity } from './catalogInfo';
