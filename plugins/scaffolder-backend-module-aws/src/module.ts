import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  assertNoSandboxInProduction,
  awsClientsServiceRef,
  readReservedNamespaces,
  serviceAccessServiceRef,
} from '@internal/backstage-plugin-delivery-node';
import { createEcrCreateAction } from './actions/ecrCreate';
import { createEcrDeleteAction } from './actions/ecrDelete';
import { createIrsaRoleCreateAction } from './actions/irsaRoleCreate';
import { createIrsaRoleDeleteAction } from './actions/irsaRoleDelete';

/**
 * The scaffolder's AWS provisioning actions: `aws:ecr:create`,
 * `aws:ecr:delete`, `aws:iam:irsa-role:create` and
 * `aws:iam:irsa-role:delete`, on the backend's shared AWS clients
 * (`awsClientsServiceRef`, built once from `slipway.aws`: a bad
 * configuration stops the backend).
 *
 * @public
 */
export const scaffolderModuleAws = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'aws',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        access: serviceAccessServiceRef,
        clients: awsClientsServiceRef,
      },
      async init({ scaffolderActions, config, logger, access, clients }) {
        assertNoSandboxInProduction(config);
        const reservedNamespaces = readReservedNamespaces(config);
        const { accountId, region, endpoint } = clients.settings;
        logger.info(
          `AWS provisioning actions for account ${accountId} in ${region}${
            endpoint ? ` via ${endpoint}` : ''
          }`,
        );
        scaffolderActions.addActions(
          createEcrCreateAction({ clients, access }),
          createEcrDeleteAction({ clients, access }),
          createIrsaRoleCreateAction({ clients, access, reservedNamespaces }),
          createIrsaRoleDeleteAction({ clients, access }),
        );
      },
    });
  },
});
