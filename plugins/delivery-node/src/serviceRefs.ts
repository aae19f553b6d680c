import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { ArgoCdInstances } from './argocd/ArgoCdInstances';
import { AwsClients } from './aws/AwsClients';
import { GitHubReader } from './github/GitHubReader';
import { HelmChartsRepo } from './gitops/HelmChartsRepo';
import { JenkinsInstances } from './jenkins/JenkinsInstances';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { gitHubHosts } from './github/hosts';
import { readHelmChartsSettings } from './gitops/config';
import { readEnvironments } from './environments';
import { ServiceInventory } from './inventory/ServiceInventory';

/*
 * The upstream clients, built once per backend from the root config and
 * shared by every module and plugin that needs them (one set of SDK
 * clients, one Argo CD session cache, one helm-charts writer).
 */

/** The AWS SDK clients built from `slipway.aws`. @public */
export const awsClientsServiceRef = createServiceRef<AwsClients>({
  id: 'slipway.aws-clients',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => AwsClients.fromConfig(config),
    }),
});

/** The helm-charts GitOps repository from `slipway.gitops.helmCharts`. @public */
export const helmChartsRepoServiceRef = createServiceRef<HelmChartsRepo>({
  id: 'slipway.helm-charts-repo',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => HelmChartsRepo.fromConfig(config),
    }),
});

/** The Argo CD instances from `argocd.appLocatorMethods`. @public */
export const argoCdInstancesServiceRef = createServiceRef<ArgoCdInstances>({
  id: 'slipway.argocd-instances',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => ArgoCdInstances.fromConfig(config),
    }),
});

/**
 * The GitHub reader (ETag cache, rate-limit handling) for the host of
 * `slipway.gitops.helmCharts.repoUrl`. @public
 */
export const gitHubReaderServiceRef = createServiceRef<GitHubReader>({
  id: 'slipway.github-reader',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => GitHubReader.fromConfig(config),
    }),
});

/** The Jenkins instances from `jenkins`. @public */
export const jenkinsInstancesServiceRef = createServiceRef<JenkinsInstances>({
  id: 'slipway.jenkins-instances',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => JenkinsInstances.fromConfig(config),
    }),
});

/**
 * The {@link ServiceInventory}: a service's resources in every upstream
 * (catalog, app repository, ECR, IAM, helm-charts, Argo CD), on the
 * backend's shared clients, read with the plugin's own credentials. @public
 */
export const serviceInventoryServiceRef = createServiceRef<ServiceInventory>({
  id: 'slipway.service-inventory',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        aws: awsClientsServiceRef,
        instances: argoCdInstancesServiceRef,
      },
      // helm-charts and GitHub are read from config here, not through
      // their service refs: a backend with the AWS module alone (no
      // slipway.gitops) still starts, and its inventory says it cannot
      // check the chart.
      factory: deps =>
        new ServiceInventory({
          catalog: deps.catalog,
          auth: deps.auth,
          aws: deps.aws,
          helmCharts: deps.config.has('slipway.gitops.helmCharts')
            ? readHelmChartsSettings(deps.config)
            : undefined,
          instances: deps.instances,
          environments: readEnvironments(deps.config),
          github: gitHubHosts(deps.config),
        }),
    }),
});
