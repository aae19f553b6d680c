/*
 * Jenkins: a JSON API client per instance (`jenkins.instances`, the
 * community Jenkins plugin's config), for the delivery status' builds.
 */

export { JenkinsClient, jenkinsBuildStatus } from './JenkinsClient';
export type {
  JenkinsClientOptions,
  JenkinsGetBuildsOptions,
  JenkinsInstanceConfig,
} from './JenkinsClient';
export { JenkinsInstances, readJenkinsInstances } from './JenkinsInstances';
export type { JenkinsInstancesOptions } from './JenkinsInstances';
