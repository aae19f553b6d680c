import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderWorkspaceProviderExtensionPoint } from '@backstage/plugin-scaffolder-node/alpha';
import { DatabaseWorkspaceProvider } from './DatabaseWorkspaceProvider';

/**
 * Adds the workspace provider `slipway-database`: with
 * `scaffolder.taskRecovery.workspaceProvider: slipway-database`, a task
 * that resumes (after its backend stopped, or on Retry) finds the files its
 * completed steps left, on whichever replica runs it.
 *
 * @public
 */
export const scaffolderModuleWorkspace = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'slipway-workspace',
  register({ registerInit }) {
    registerInit({
      deps: {
        workspaces: scaffolderWorkspaceProviderExtensionPoint,
        database: coreServices.database,
        logger: coreServices.logger,
      },
      async init({ workspaces, database, logger }) {
        workspaces.addProviders({
          'slipway-database': DatabaseWorkspaceProvider.create({
            database,
            logger,
          }),
        });
      },
    });
  },
});
