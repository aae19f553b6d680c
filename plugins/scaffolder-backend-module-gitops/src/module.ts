import path from 'node:path';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  ArgoCdInstances,
  assertNoSandboxInProduction,
  HelmChartsRepo,
  readArgoCdSettings,
  readGitOpsSettings,
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
} from './actions';

/**
 * The scaffolder module with Slipway's GitOps actions: gitops:chart:register,
 * gitops:chart:unregister, argocd:application:create, argocd:application:wait
 * and argocd:application:delete. Reads `slipway.gitops`, `slipway.argocd`,
 * `argocd.appLocatorMethods` and `integrations.github` once, at start-up.
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
      },
      async init({ scaffolderActions, config, catalog, auth, access }) {
        assertNoSandboxInProduction(config);
        const gitops = readGitOpsSettings(config);
        const helmCharts = HelmChartsRepo.fromConfig(config);
        const instances = ArgoCdInstances.fromConfig(config);
        const argocd = readArgoCdSettings(config);
        scaffolderActions.addActions(
          createChartRegisterAction({
            helmCharts,
            baseChartDir: path.resolve(gitops.baseChartDir),
            environments: gitops.environments,
          }),
          createChartUnregisterAction({ helmCharts, access }),
          createApplicationCreateAction({
            instances,
            settings: argocd,
            helmCharts,
            environments: gitops.environments,
          }),
          createApplicationWaitAction({ instances }),
          createApplicationDeleteAction({ instances, access }),
          createCatalogRegisterAction({
            catalog,
            access,
            auth,
            integrations: ScmIntegrations.fromConfig(config),
          }),
          createCatalogUnregisterAction({ catalog, access, auth }),
        );
      },
    });
  },
});
