import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  argoCdInstancesServiceRef,
  ArgoCdInstances,
  AwsClients,
  awsClientsServiceRef,
  ChartReleases,
  EcrImages,
  GitHubReader,
  gitHubReaderServiceRef,
  HelmChartsRepo,
  helmChartsRepoServiceRef,
  JenkinsInstances,
  jenkinsInstancesServiceRef,
} from '@internal/backstage-plugin-delivery-node';
import { DeliveryUpstreams } from './upstreams';

/** The clients the delivery backend is assembled from. @public */
export interface DeliveryClients {
  github: GitHubReader;
  jenkins: JenkinsInstances;
  aws: AwsClients;
  argocd: ArgoCdInstances;
  helmCharts: HelmChartsRepo;
}

/** The delivery backend's narrow views of the shared clients. @public */
export function deliveryUpstreamsOf(
  clients: DeliveryClients,
): DeliveryUpstreams {
  const repo = clients.helmCharts;
  const releases = new ChartReleases({ repo });
  const [owner, name] = new URL(repo.repoUrl).pathname
    .replace(/^\/+|\/+$/g, '')
    .split('/');
  return {
    github: clients.github,
    jenkins: clients.jenkins,
    ecr: new EcrImages(clients.aws),
    argocd: clients.argocd,
    helmCharts: {
      owner,
      repo: name,
      branch: repo.branch,
      webUrl: repo.repoUrl,
      promote: o => releases.promote(o),
      rollback: o => releases.rollback(o),
    },
  };
}

/**
 * Builds every upstream client from config: for tests and benches, which
 * need a `fetch` that reaches loopback or a fresh set per run. The backend
 * itself uses the shared clients ({@link deliveryUpstreamsServiceRef}).
 *
 * @public
 */
export function createDeliveryUpstreams(
  config: Config,
  options: { fetch?: typeof fetch } = {},
): DeliveryUpstreams {
  return deliveryUpstreamsOf({
    github: GitHubReader.fromConfig(config, { fetch: options.fetch }),
    jenkins: JenkinsInstances.fromConfig(config, { fetch: options.fetch }),
    aws: AwsClients.fromConfig(config),
    argocd: ArgoCdInstances.fromConfig(config, { fetch: options.fetch }),
    helmCharts: HelmChartsRepo.fromConfig(config, { fetch: options.fetch }),
  });
}

/**
 * The delivery backend's upstream clients: the backend's shared ones (the
 * same Argo CD sessions, GitHub ETag cache and AWS clients the scaffolder
 * modules use). Swap the factory to point the backend at other clients
 * (tests inject a fetch that reaches loopback).
 *
 * @public
 */
export const deliveryUpstreamsServiceRef = createServiceRef<DeliveryUpstreams>({
  id: 'slipway.delivery.upstreams',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        github: gitHubReaderServiceRef,
        jenkins: jenkinsInstancesServiceRef,
        aws: awsClientsServiceRef,
        argocd: argoCdInstancesServiceRef,
        helmCharts: helmChartsRepoServiceRef,
      },
      factory: clients => deliveryUpstreamsOf(clients),
    }),
});
