import path from 'node:path';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  scaffolderActionsExtensionPoint,
  scaffolderServiceRef,
} from '@backstage/plugin-scaffolder-node';
import {
  AppRepositories,
  argoCdInstancesServiceRef,
  assertNoSandboxInProduction,
  awsClientsServiceRef,
  CreationReport,
  helmChartsRepoServiceRef,
  readArgoCdSettings,
  readEnvironments,
  readGitOpsSettings,
  readReservedNamespaces,
  scaffolderTasks,
  serviceAccessServiceRef,
  serviceInventoryServiceRef,
} from '@internal/backstage-plugin-delivery-node';
import {
  createApplicationCreateAction,
  createApplicationDeleteAction,
  createApplicationWaitAction,
  createCatalogRegisterAction,
  createCatalogUnregisterAction,
  createChartRegisterAction,
  createChartPinAction,
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
 * A failed step logs its full error to the backend log and one line to the
 * task log, after what the run has created so far (the service inventory,
 * and the task's parameters through `scaffolderServiceRef`); the delete
 * actions also remove a service that never reached the catalog, for its
 * owners.
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
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        access: serviceAccessServiceRef,
        helmCharts: helmChartsRepoServiceRef,
        instances: argoCdInstancesServiceRef,
        aws: awsClientsServiceRef,
        inventory: serviceInventoryServiceRef,
        scaffolder: scaffolderServiceRef,
      },
      async init(deps) {
        const { scaffolderActions, config, catalog, auth, access } = deps;
        const { helmCharts, instances, aws } = deps;
        assertNoSandboxInProduction(config);
        const gitops = readGitOpsSettings(config);
        const environments = readEnvironments(config);
        const argocd = readArgoCdSettings(config);
        const reservedNamespaces = readReservedNamespaces(config);
        const integrations = ScmIntegrations.fromConfig(config);
        const { inventory } = deps;
        // The task's own parameters say which service a failed step was for.
        const tasks = scaffolderTasks(deps.scaffolder, auth);
        const reporting = {
          logger: deps.logger,
          summary: new CreationReport({ inventory, tasks }),
        };
        const halfCreated = { inventory, tasks };
        scaffolderActions.addActions(
          createServicePreflightAction({
            access,
            integrations,
            aws,
            inventory,
            environments: gitops.environments,
            reservedNamespaces,
            baseChartDir: path.resolve(gitops.baseChartDir),
            reporting,
          }),
          createRepositoryPublishAction({
            integrations,
            access,
            repositories: host => AppRepositories.forHost(integrations, host),
            reporting,
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
            reporting,
          }),
          createChartPinAction({
            helmCharts,
            access,
            environments: gitops.environments,
            reporting,
          }),
          createChartUnregisterAction({
            helmCharts,
            access,
            reporting,
            halfCreated,
          }),
          createApplicationCreateAction({
            instances,
            settings: argocd,
            helmCharts,
            environments,
            access,
            reservedNamespaces,
            reporting,
          }),
          createApplicationWaitAction({ instances, reporting }),
          createApplicationDeleteAction({
            instances,
            access,
            environments,
            reporting,
            halfCreated,
          }),
          createCatalogRegisterAction({
            catalog,
            access,
            auth,
            integrations,
            reporting,
          }),
          createCatalogUnregisterAction({ catalog, access, auth, reporting }),
        );
      },
    });
  },
});
