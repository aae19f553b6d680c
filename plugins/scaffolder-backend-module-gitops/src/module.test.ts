import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  SERVICE_NAME_PATTERN,
  SERVICE_NAMESPACE_PATTERN,
} from '@internal/backstage-plugin-delivery-common';
import { validate } from 'jsonschema';
import { scaffolderModuleGitops } from './module';

describe('scaffolderModuleGitops', () => {
  it('reads config once at start-up and registers the ten actions', async () => {
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
      'slipway:repository:publish',
      'gitops:chart:register',
      'gitops:chart:pin',
      'gitops:chart:unregister',
      'argocd:application:create',
      'argocd:application:wait',
      'argocd:application:delete',
      'slipway:catalog:register',
      'catalog:unregister',
    ]);

    // Every name and namespace input carries delivery-common's rule in its
    // JSON schema, which the scaffolder validates before a handler runs.
    const patterns = (key: string) =>
      addActions.mock.calls
        .flat()
        .filter(a => a.schema?.input?.properties?.[key])
        .map(a => [a.id, a.schema.input.properties[key].pattern]);
    for (const [id, pattern] of patterns('name')) {
      expect({ [id]: pattern }).toEqual({ [id]: SERVICE_NAME_PATTERN });
    }
    for (const [id, pattern] of patterns('namespace')) {
      expect({ [id]: pattern }).toEqual({ [id]: SERVICE_NAMESPACE_PATTERN });
    }
    expect(patterns('name').length).toBeGreaterThanOrEqual(7);
    const preflight = addActions.mock.calls
      .flat()
      .find((a: { id: string }) => a.id === 'slipway:service:preflight');
    const valid = (input: object) =>
      validate(input, preflight.schema.input).valid;
    const ok = {
      name: 'orders',
      owner: 'group:default/payments-team',
      namespace: 'orders',
      repoUrl: 'github.com?owner=acme&repo=orders',
      environments: ['dev'],
    };
    expect(valid(ok)).toBe(true);
    expect(valid({ ...ok, name: 'Orders' })).toBe(false);
    expect(valid({ ...ok, name: 'or..ders' })).toBe(false);
    expect(valid({ ...ok, namespace: 'kube-system' })).toBe(false);
  });
});
