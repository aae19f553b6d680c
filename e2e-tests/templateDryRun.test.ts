import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/*
 * templates/service renders through the real scaffolder's dry-run API for
 * each runtime and CI choice: every step runs in dry-run mode (no upstream
 * call) and the workspace holds the files that choice should produce.
 */

const BACKEND = 'http://127.0.0.1:7007';
const TEMPLATE_DIR = path.resolve(__dirname, '../templates/service');

function directoryContents(
  dir: string,
  base = dir,
): Array<{ path: string; base64Content: string }> {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return directoryContents(full, base);
    return [
      {
        path: path.relative(base, full),
        base64Content: fs.readFileSync(full).toString('base64'),
      },
    ];
  });
}

const template = parse(
  fs.readFileSync(path.join(TEMPLATE_DIR, 'template.yaml'), 'utf8'),
);
const contents = directoryContents(TEMPLATE_DIR).filter(
  f => f.path !== 'template.yaml',
);

for (const runtime of ['python', 'node']) {
  for (const ci of ['jenkins', 'github-actions']) {
    test(`dry run: ${runtime} with ${ci}`, async ({ request }) => {
      const guest = await (
        await request.get(`${BACKEND}/api/auth/guest/refresh`)
      ).json();
      const res = await request.post(`${BACKEND}/api/scaffolder/v2/dry-run`, {
        headers: { authorization: `Bearer ${guest.backstageIdentity.token}` },
        data: {
          template,
          values: {
            name: 'dry-run-svc',
            description: 'dry run',
            owner: 'group:default/payments-team',
            runtime,
            ci,
            namespace: 'dry-run-svc',
            port: 8080,
            environments: ['dev', 'prod'],
            replicas: 2,
            autoscaling: true,
            minReplicas: 2,
            maxReplicas: 4,
            awsPermissions: [],
            repoUrl: '127.0.0.1:7071?owner=slipway-demo&repo=dry-run-svc',
          },
          secrets: {},
          directoryContents: contents,
        },
      });
      expect(res.status()).toBe(200);
      const body = await res.json();
      const errors = body.log
        .map((l: any) => l.body)
        .filter((b: any) => b.status === 'failed');
      expect(errors).toEqual([]);
      const files = body.directoryContents.map((f: any) => f.path);
      expect(files).toEqual(
        expect.arrayContaining([
          'catalog-info.yaml',
          'Dockerfile',
          'README.md',
        ]),
      );
      expect(files.includes('Jenkinsfile')).toBe(ci === 'jenkins');
      expect(files.includes('.github/workflows/ci.yaml')).toBe(
        ci === 'github-actions',
      );
      expect(
        files.includes(runtime === 'python' ? 'manage.py' : 'package.json'),
      ).toBe(true);
      const catalogInfo = Buffer.from(
        body.directoryContents.find((f: any) => f.path === 'catalog-info.yaml')
          .base64Content,
        'base64',
      ).toString();
      expect(catalogInfo).toContain(
        'argocd/app-selector: slipway.io/owner=component.default.dry-run-svc',
      );
      expect(catalogInfo.includes('jenkins.io/job-full-name')).toBe(
        ci === 'jenkins',
      );
      // Every provisioning step ran, in dry-run mode.
      const finished = body.log.map((l: any) => l.body.message).join('\n');
      // One application per chosen environment, each on its own cluster.
      expect(finished).toMatch(
        /would create Argo CD application dry-run-svc-dev on sandbox \(project slipway, slipway-nonprod\/dry-run-svc, values-dev\.yaml\)/,
      );
      expect(finished).toMatch(
        /would create Argo CD application dry-run-svc-prod on sandbox \(project slipway, slipway-prod\/dry-run-svc, values-prod\.yaml\)/,
      );
      for (const step of [
        'Create the ECR repository',
        'Register the chart in helm-charts',
        'Create the Argo CD applications',
        'Wait for the first deployment',
        'Start the other environments on the first build',
      ]) {
        expect(finished).toContain(`Finished step ${step}`);
      }
    });
  }
}
