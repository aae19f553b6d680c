export * from './plan';
export { planSource, planBuild } from './source';
export { planImage, withEnvironments } from './image';
export { planSync } from './sync';
export { planGitOps, BRANCH_SECTION, PULLS_SECTION } from './gitops';
export { planRuntime } from './runtime';
