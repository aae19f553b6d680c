/*
 * Test helper for the skeleton*.test.ts files: renders
 * templates/service/skeleton with Backstage's own fetch:template action, as
 * the "Create component" wizard does (common/, then the runtime's folder),
 * and runs commands in the result.
 */

// Backstage's own fetch:template action renders the skeleton, as the wizard does.
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);

const SKELETON = path.resolve(
  __dirname,
  '../../../../templates/service/skeleton',
);
export const RUNTIMES = ['python', 'node'] as const;
export const CIS = ['jenkins', 'github-actions'] as const;
type Runtime = (typeof RUNTIMES)[number];
type Ci = (typeof CIS)[number];

export const BASE_VALUES = {
  name: 'order-svc',
  description: 'Takes "orders": fast, #1 in {checkout}',
  owner: 'group:default/payments-team',
  system: 'system:default/shop',
  port: 8081,
  namespace: 'payments',
  repoHost: 'github.com',
  repoOwner: 'slipway-demo',
  helmChartsRepo: 'slipway-demo/helm-charts',
  helmChartsBranch: 'main',
  awsRegion: 'eu-west-1',
  ecrRepositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/order-svc',
  ecrRegistry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  jenkinsFolder: 'slipway-demo',
};
export type Values = typeof BASE_VALUES & { runtime: Runtime; ci: Ci };

/**
 * The test file's temp folder; renders go below it. Each test file loads
 * its own copy of this module, so each has its own folder.
 */
export const tmpRoot = fs.mkdtempSync(
  path.join(os.tmpdir(), 'slipway-skeleton-'),
);

/** Removes tmpRoot; for the test file's afterAll. */
export function removeTmpRoot() {
  fs.rmSync(tmpRoot, { recursive: true, force: true });
}

/** Renders common/ then <runtime>/ into a fresh workspace, as the template does. */
export async function render(values: Values): Promise<string> {
  const workspace = fs.mkdtempSync(
    path.join(tmpRoot, `${values.runtime}-${values.ci}-`),
  );
  const action = createFetchTemplateAction({
    reader: {} as any, // never called: the skeleton is a local file: URL
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  });
  for (const folder of ['common', values.runtime]) {
    await action.handler({
      ...createMockActionContext({
        input: { url: `./${folder}`, values },
        templateInfo: {
          baseUrl: pathToFileURL(path.join(SKELETON, 'template.yaml')).href,
          entityRef: 'template:default/service',
        },
        workspacePath: workspace,
      }),
      createTemporaryDirectory: async () =>
        fs.mkdtempSync(path.join(tmpRoot, 'fetch-')),
    } as any);
  }
  return workspace;
}

/** Every file below `dir`, relative to it, skipping node_modules. */
export function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : listFiles(full, base);
    }
    return [path.relative(base, full)];
  });
}

export const read = (dir: string, file: string) =>
  fs.readFileSync(path.join(dir, file), 'utf8');

/** Fails with the command's own output, not just its exit code. */
export async function sh(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, {
      ...options,
      maxBuffer: 32 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error: any) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${options.cwd}:\n${
        error.stdout ?? ''
      }\n${error.stderr ?? error.message}`,
    );
  }
}
