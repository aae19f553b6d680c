export { createChartRegisterAction } from './chartRegister';
export type { ChartRegisterActionOptions } from './chartRegister';
export { createChartUnregisterAction } from './chartUnregister';
export type { ChartUnregisterActionOptions } from './chartUnregister';
export { createApplicationCreateAction } from './applicationCreate';
export type { ApplicationCreateActionOptions } from './applicationCreate';
export { createApplicationWaitAction } from './applicationWait';
export type { ApplicationWaitActionOptions } from './applicationWait';
export { createApplicationDeleteAction } from './applicationDelete';
export type { ApplicationDeleteActionOptions } from './applicationDelete';
export { createCatalogUnregisterAction } from './catalogUnregister';
export { createCatalogRegisterAction } from './catalogRegister';
export { createRepositoryPublishAction } from './repositoryPublish';
export type { RepositoryPublishActionOptions } from './repositoryPublish';
export { createServicePreflightAction } from './servicePreflight';
export type {
  PreflightGitHub,
  ServicePreflightActionOptions,
} from './servicePreflight';
