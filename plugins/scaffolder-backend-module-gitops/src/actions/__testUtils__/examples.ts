/*
 * Runs every example of an action through its handler, as a dry run against
 * a configuration whose upstreams do not exist: an example that does not
 * validate fails, and a dry run that called out would fail too.
 */

import { ConfigReader } from '@backstage/config';
import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { parse } from 'yaml';
import { DRY_RUN_SHA } from '../chartRegister';
import { buildActions, context } from './harness';

export const offlineConfig = () =>
  new ConfigReader({
    integrations: {
      github: [{ host: 'github.invalid', token: 'example-token' }],
    },
    argocd: {
      appLocatorMethods: [
        {
          type: 'config',
          instances: [
            {
              name: 'sandbox',
              url: 'https://argocd.invalid',
              token: 'example-token',
            },
          ],
        },
      ],
    },
    slipway: {
      gitops: {
        helmCharts: { repoUrl: 'https://github.invalid/acme/helm-charts' },
        baseChartDir: `${__dirname}/../__fixtures__/base-chart`,
      },
      argocd: { project: 'slipway' },
    },
  });

export function offlineActions() {
  return buildActions(offlineConfig());
}

/** Each example's steps' inputs, with template expressions filled in. */
export function exampleInputs(examples: TemplateExample[], actionId: string) {
  return examples.flatMap(e =>
    (parse(e.example).steps as Array<{ action: string; input: any }>)
      .filter(s => s.action === actionId)
      .map(s => ({
        description: e.description,
        input: JSON.parse(
          JSON.stringify(s.input).replace(/\$\{\{[^}]*\}\}/g, DRY_RUN_SHA),
        ),
      })),
  );
}

export async function runDry(
  action: { handler: (ctx: any) => Promise<void> },
  input: any,
) {
  const { ctx, outputs, lines } = context(input, { isDryRun: true });
  await action.handler(ctx);
  return { outputs, lines };
}
