import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleGitops } from './module';

describe('scaffolderModuleGitops', () => {
  it('reads config once at start-up and registers the eight actions', async () => {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleGitops,
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [{ host: 'github.com', token: 'module-test-token' }],
            },
            argocd: {
              appLocatorMethods: [
                {
                  type: 'config',
                  instances: [
                    { name: 'main', url: 'https://argocd.invalid', token: 't' },
                  ],
                },
              ],
            },
            slipway: {
              gitops: {
                helmCharts: { repoUrl: 'https://github.com/acme/helm-charts' },
              },
              argocd: { project: 'slipway' },
              aws: { accountId: '123456789012', region: 'eu-west-1' },
            },
          },
        }),
      ],
    });
    const ids = addActions.mock.calls.flat().map((a: { id: string }) => a.id);
    expect(ids).toEqual([
      'slipway:service:preflight',
      'gitops:chart:register',
      'gitops:chart:unregister',
      'argocd:application:create',
      'argocd:application:wait',
      'argocd:application:delete',
      'slipway:catalog:register',
      'catalog:unregister',
    ]);
  });
});
