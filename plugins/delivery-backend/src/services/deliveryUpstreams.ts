import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  ArgoCdInstances,
  AwsClients,
  ChartReleases,
  EcrImages,
  GitHubReader,
  HelmChartsRepo,
  JenkinsInstances,
} from '@internal/backstage-plugin-delivery-node';
import { DeliveryUpstreams } from './upstreams';

/**
 * Builds every upstream client from config, once: the same clients (and
 * integrations) the scaffolder modules use, so the sandbox and production
 * differ only in endpoints and credentials. `fetch` is for tests.
 *
 * @public
 */
export function createDeliveryUpstreams(
  config: Config,
  options: { fetch?: typeof fetch } = {},
): DeliveryUpstreams {
  const repo = HelmChartsRepo.fromConfig(config, { fetch: options.fetch });
  const releases = new ChartReleases({ repo });
  const [owner, name] = new URL(repo.repoUrl).pathname
    .replace(/^\/+|\/+$/g, '')
    .split('/');
  return {
    github: GitHubReader.fromConfig(config, { fetch: options.fetch }),
    jenkins: JenkinsInstances.fromConfig(config, { fetch: options.fetch }),
    ecr: new EcrImages(AwsClients.fromConfig(config)),
    argocd: ArgoCdInstances.fromConfig(config, { fetch: options.fetch }),
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
 * The delivery backend's upstream clients. Swap the factory to point the
 * backend at other clients (tests inject a fetch that reaches loopback).
 *
 * @public
 */
export const deliveryUpstreamsServiceRef = createServiceRef<DeliveryUpstreams>({
  id: 'slipway.delivery.upstreams',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => createDeliveryUpstreams(config),
    }),
});
