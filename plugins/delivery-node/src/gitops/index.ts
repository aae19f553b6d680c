/*
 * The helm-charts GitOps repository: fast-forward-only updates from shallow
 * checkouts, and comment-preserving YAML edits.
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
export { readGitOpsSettings, readHelmChartsSettings } from './config';
export type { GitOpsSettings, HelmChartsSettings } from './config';
