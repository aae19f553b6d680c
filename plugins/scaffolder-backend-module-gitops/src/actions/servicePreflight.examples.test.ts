import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ArgoCdInstances,
  AwsClients,
  HelmChartsRepo,
  ServiceInventory,
} from '@internal/backstage-plugin-delivery-node';
import { testServiceAccess } from '@internal/backstage-plugin-delivery-node/testUtils';
import { createServicePreflightAction } from './servicePreflight';
import { examples } from './servicePreflight.examples';
import { exampleInputs, offlineConfig } from './__testUtils__/examples';
import { context } from './__testUtils__/harness';

/*
 * Each example runs through the handler as a dry run: it must pass every
 * input rule and the real policy (guest in payments-team, which owns the
 * services the examples name), and call no upstream (none exists here).
 */
describe('slipway:service:preflight examples', () => {
  const config = new ConfigReader({
    ...offlineConfig().get(),
    integrations: {
      github: [
        { host: 'github.com', token: 'example-token' },
        { host: 'github.invalid', token: 'example-token' },
      ],
    },
    aws: { mainAccount: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } },
    slipway: {
      ...(offlineConfig().get('slipway') as object),
      aws: {
        accountId: '123456789012',
        region: 'eu-west-1',
        iam: {
          permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/b',
          allowedPolicies: [
            {
              name: 's3-read-reports',
              statements: [{ actions: ['s3:GetObject'], resources: ['*'] }],
            },
          ],
        },
      },
    },
  });
  const cases = exampleInputs(examples, 'slipway:service:preflight');

  it('has examples', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(c => [c.description, c.input]))(
    'runs "%s" through the handler (dry run, no upstream)',
    async (_d, input) => {
      const { access, auditor } = testServiceAccess({
        ownerOfUnknown: 'payments-team',
      });
      const aws = AwsClients.fromConfig(config);
      const action = createServicePreflightAction({
        access,
        integrations: ScmIntegrations.fromConfig(config),
        aws,
        inventory: new ServiceInventory({
          catalog: catalogServiceMock(),
          auth: mockServices.auth(),
          aws,
          helmCharts: HelmChartsRepo.fromConfig(config),
          instances: ArgoCdInstances.fromConfig(config),
          github: () => {
            throw new Error('a dry run reads no repository');
          },
        }),
        environments: ['dev', 'staging', 'prod'],
      });
      const c = context(input, { isDryRun: true });
      await action.handler(c.ctx);
      expect(c.outputs).toEqual({
        entityRef: `component:default/${input.name}`,
      });
      expect(auditor.events.every(e => e.outcome === 'success')).toBe(true);
    },
  );
});
