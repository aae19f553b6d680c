import path from 'node:path';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  AppRepositories,
  argoCdInstancesServiceRef,
  assertNoSandboxInProduction,
  awsClientsServiceRef,
  GitHubReader,
  gitHubReaderServiceRef,
  helmChartsRepoServiceRef,
  readArgoCdSettings,
  readGitOpsSettings,
  readReservedNamespaces,
  serviceAccessServiceRef,
} from '@internal/backstage-plugin-delivery-node';
import {
  createApplicationCreateAction,
  createApplicationDeleteAction,
  createApplicationWaitAction,
  createCatalogRegisterAction,
  createCatalogUnregisterAction,
  createChartRegisterAction,
  createChartUnregisterAction,
  createRepositoryPublishAction,
  createServicePreflightAction,
} from './actions';

/**
 * The scaffolder module with Slipway's GitOps actions: the wizard's
 * preflight (slipway:service:preflight), the re-run-safe app repository
 * (slipway:repository:publish), gitops:chart:register and
 * unregister, argocd:application:create, wait and delete, and the catalog
 * registration pair. Reads `slipway.gitops`, `slipway.argocd`,
 * `slipway.reservedNamespaces` and `integrations.github` once, at start-up;
 * the helm-charts, Argo CD and AWS clients are the backend's shared ones.
 *
 * @public
 */
export const scaffolderModuleGitops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        access: serviceAccessServiceRef,
        helmCharts: helmChartsRepoServiceRef,
        instances: argoCdInstancesServiceRef,
        aws: awsClientsServiceRef,
        sharedGitHub: gitHubReaderServiceRef,
      },
      async init(deps) {
        const { scaffolderActions, config, catalog, auth, access } = deps;
        const { helmCharts, instances, aws } = deps;
        assertNoSandboxInProduction(config);
        const gitops = readGitOpsSettings(config);
        const argocd = readArgoCdSettings(config);
        const reservedNamespaces = readReservedNamespaces(config);
        const integrations = ScmIntegrations.fromConfig(config);
        // The backend's shared reader for the helm-charts host; one more
        // per other GitHub host a repository URL names.
        const readers = new Map<string, GitHubReader>([
          [deps.sharedGitHub.host, deps.sharedGitHub],
        ]);
        const github = (host: string) => {
          if (!integrations.github.byHost(host)) return undefined;
          if (!readers.has(host)) {
            readers.set(host, GitHubReader.fromConfig(config, { host }));
          }
          return readers.get(host);
        };
        scaffolderActions.addActions(
          createServicePreflightAction({
            catalog,
            auth,
            access,
            integrations,
            aws,
            helmCharts,
            instances,
            github,
            environments: gitops.environments,
            reservedNamespaces,
          }),
          createRepositoryPublishAction({
            integrations,
            access,
            repositories: host => AppRepositories.forHost(integrations, host),
            author: {
              name: config.getOptionalString('scaffolder.defaultAuthor.name'),
              email: config.getOptionalString('scaffolder.defaultAuthor.email'),
            },
          }),
          createChartRegisterAction({
            helmCharts,
            baseChartDir: path.resolve(gitops.baseChartDir),
            environments: gitops.environments,
            reservedNamespaces,
          }),
          createChartUnregisterAction({ helmCharts, access }),
          createApplicationCreateAction({
            instances,
            settings: argocd,
            helmCharts,
            environments: gitops.environments,
            access,
            reservedNamespaces,
          }),
          createApplicationWaitAction({ instances }),
          createApplicationDeleteAction({ instances, access }),
          createCatalogRegisterAction({
            catalog,
            access,
            auth,
            integrations,
          }),
          createCatalogUnregisterAction({ catalog, access, auth }),
        );
      },
    });
  },
});
