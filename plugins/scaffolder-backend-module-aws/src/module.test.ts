import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import scaffolderModuleAws from './index';

const aws = {
  accountId: '123456789012',
  region: 'eu-west-1',
  iam: { permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/b' },
  eks: { clusterName: 'dev' },
};

describe('scaffolder-backend-module-aws', () => {
  it('registers the four AWS actions, reading config in init', async () => {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleAws,
        mockServices.rootConfig.factory({ data: { slipway: { aws } } }),
      ],
    });
    expect(
      addActions.mock.calls.flat().map((a: { id: string }) => a.id),
    ).toEqual([
      'aws:ecr:create',
      'aws:ecr:delete',
      'aws:iam:irsa-role:create',
      'aws:iam:irsa-role:delete',
    ]);
  });

  it('refuses to start with an allowed policy granting * on *', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [scaffolderActionsExtensionPoint, { addActions: jest.fn() }],
        ],
        features: [
          scaffolderModuleAws,
          mockServices.rootConfig.factory({
            data: {
              slipway: {
                aws: {
                  ...aws,
                  iam: {
                    ...aws.iam,
                    allowedPolicies: [
                      {
                        name: 'admin',
                        statements: [{ actions: ['*'], resources: ['*'] }],
                      },
                    ],
                  },
                },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow("action '*' matches every AWS service");
  });
});
