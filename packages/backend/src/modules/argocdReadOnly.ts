import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

/**
 * Roadie's Argo CD backend serves its cards, but also creates, updates,
 * syncs and deletes Argo CD applications for any signed-in user, with the
 * platform's Argo CD credentials and no permission check. In Slipway,
 * applications are created by the wizard and deployments are helm-charts
 * commits, so this module lets only reads through: it runs before the
 * plugin's own routes (a plugin's modules are initialised first).
 */
export default createBackendModule({
  pluginId: 'argocd',
  moduleId: 'slipway-read-only',
  register(reg) {
    reg.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        httpRouter.use((req, _res, next) => {
          if (req.method === 'GET' || req.method === 'HEAD') {
            next();
            return;
          }
          next(
            new NotAllowedError(
              'The Argo CD plugin is read-only in Slipway: deploy, roll back and promote through helm-charts (the Delivery tab)',
            ),
          );
        });
      },
    });
  },
});
