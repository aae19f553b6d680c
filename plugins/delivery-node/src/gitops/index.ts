/*
 * The helm-charts capability: the layout (`charts/<name>/`, values.yaml and
 * values-<env>.yaml), the chart rendering, fast-forward-only updates
 * through GitHub's Git Data API, comment-preserving YAML edits, every
 * commit-message format, the release rules (pinned or shared tags,
 * rollback targets) and promote/rollback as commits.
 */

export { HelmChartsRepo } from './HelmChartsRepo';
export type {
  ChangeResult,
  HelmChartsRepoOptions,
  UpdateLogger,
  UpdateOptions,
  UpdateResult,
} from './HelmChartsRepo';
export type { WorkTree } from './WorkTree';
export { safeRepoPath } from './WorkTree';
export { editYaml, readYaml } from './yamlEdit';
export type { YamlEdit } from './yamlEdit';
export {
  readGitOpsSettings,
  readHelmChartsSettings,
  readReservedNamespaces,
} from './config';
export {
  CHART_COMMIT_TRAILERS,
  IMAGE_TAG_PATTERN,
  chartCommitNames,
  checkCommitSha,
  checkEntityRef,
  checkImageTag,
  formatChartCommit,
  formatChartRegisterCommit,
  formatChartUnregisterCommit,
  parseChartCommit,
} from './chartCommits';
export {
  NAMESPACE_ANNOTATION,
  checkChartPath,
  checkEnvironments,
  checkImageRepository,
  checkOverrides,
  checkRoleArn,
  checkServiceSettings,
  readBaseChart,
  renderChart,
  sameFiles,
} from './chart';
export type { ChartInput, ServiceSettings } from './chart';
export type { ChartCommit, ParsedChartCommit } from './chartCommits';
export { ChartReleases } from './releases';
export type {
  ChartReleaseResult,
  PromoteOptions,
  RollbackOptions,
  TagFile,
} from './releases';
export {
  environmentReleases,
  followsSharedRefusal,
  planRollback,
} from './releasePlan';
export type { RollbackRefusal, RollbackTarget, TagChange } from './releasePlan';
export type { GitOpsSettings, HelmChartsSettings } from './config';
