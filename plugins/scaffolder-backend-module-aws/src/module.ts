import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  scaffolderActionsExtensionPoint,
  scaffolderServiceRef,
} from '@backstage/plugin-scaffolder-node';
import {
  assertNoSandboxInProduction,
  awsClientsServiceRef,
  CreationReport,
  readEnvironments,
  readReservedNamespaces,
  scaffolderTasks,
  serviceAccessServiceRef,
  serviceInventoryServiceRef,
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
 * configuration stops the backend). A failed step logs its full error to
 * the backend log and one line to the task log, after what the run has
 * created so far (`serviceInventoryServiceRef`, and the task's parameters
 * through `scaffolderServiceRef`); the delete actions also remove a
 * service that never reached the catalog, for its owners.
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
        auth: coreServices.auth,
        access: serviceAccessServiceRef,
        clients: awsClientsServiceRef,
        inventory: serviceInventoryServiceRef,
        scaffolder: scaffolderServiceRef,
      },
      async init(deps) {
        const { scaffolderActions, config, logger, access, clients } = deps;
        const { auth, inventory } = deps;
        // The task's own parameters say which service a failed step was for.
        const tasks = scaffolderTasks(deps.scaffolder, auth);
        const reporting = {
          logger,
          summary: new CreationReport({ inventory, tasks }),
        };
        const halfCreated = { inventory, tasks };
        assertNoSandboxInProduction(config);
        const reservedNamespaces = readReservedNamespaces(config);
        const environments = readEnvironments(config);
        const { accountId, region, endpoint } = clients.settings;
        logger.info(
          `AWS provisioning actions for account ${accountId} in ${region}${
            endpoint ? ` via ${endpoint}` : ''
          }`,
        );
        scaffolderActions.addActions(
          createEcrCreateAction({ clients, access, reporting }),
          createEcrDeleteAction({ clients, access, reporting, halfCreated }),
          createIrsaRoleCreateAction({
            clients,
            access,
            reservedNamespaces,
            environments,
            reporting,
          }),
          createIrsaRoleDeleteAction({
            clients,
            access,
            environments,
            reporting,
            halfCreated,
          }),
        );
      },
    });
  },
});
