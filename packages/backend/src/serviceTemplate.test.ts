/*
 * The "Create component" form refuses what the actions refuse: its patterns
 * are delivery-common's, and its AWS permission list is the one the platform
 * team allows in config.
 */

import { ConfigSources } from '@backstage/config-loader';
import {
  checkServiceNamespace,
  SERVICE_NAME_PATTERN,
  SERVICE_NAMESPACE_PATTERN,
} from '@internal/backstage-plugin-delivery-common';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const template = parse(
  fs.readFileSync(path.join(ROOT, 'templates/service/template.yaml'), 'utf8'),
);
const properties = Object.assign(
  {},
  ...template.spec.parameters.map((p: any) => p.properties),
);

describe('templates/service/template.yaml', () => {
  it('validates names with the rules the actions use', () => {
    expect(properties.name.pattern).toBe(SERVICE_NAME_PATTERN);
    expect(properties.namespace.pattern).toBe(SERVICE_NAMESPACE_PATTERN);
    // The form refuses the reserved namespaces the actions refuse.
    for (const ns of ['kube-system', 'kube-node-lease', 'default', 'argocd']) {
      expect(checkServiceNamespace(ns)).toMatch(/is reserved/);
      expect(new RegExp(properties.namespace.pattern).test(ns)).toBe(false);
    }
    expect(properties.namespace.maxLength).toBe(63);
  });

  it('offers exactly the AWS permissions app-config.yaml allows', async () => {
    const config = await ConfigSources.toConfig(
      ConfigSources.defaultForTargets({
        rootDir: ROOT,
        targets: [{ type: 'path', target: path.join(ROOT, 'app-config.yaml') }],
        substitutionFunc: async () => undefined,
      }),
    );
    const allowed = config
      .getConfigArray('slipway.aws.iam.allowedPolicies')
      .map(p => p.getString('name'));
    expect(properties.awsPermissions.items.enum).toEqual(allowed);
    expect(properties.awsPermissions.items.enumNames).toEqual(
      config
        .getConfigArray('slipway.aws.iam.allowedPolicies')
        .map(p => p.getString('description')),
    );
  });

  it('checks, before anything is created, every value a later step uses', () => {
    const [preflight, ...later] = template.spec.steps;
    expect(preflight.action).toBe('slipway:service:preflight');
    const used = new Set(
      JSON.stringify(later)
        .match(/parameters\.(\w+)/g)!
        .map(m => m.slice(11)),
    );
    const checked = JSON.stringify(preflight.input).match(
      /parameters\.(\w+)/g,
    )!;
    for (const p of used) {
      if (['description', 'system', 'runtime', 'ci'].includes(p)) continue;
      expect(checked).toContain(`parameters.${p}`);
    }
  });

  it('runs the road in the documented order', () => {
    expect(template.spec.steps.map((s: any) => s.action)).toEqual([
      'slipway:service:preflight',
      'fetch:template',
      'fetch:template',
      'fs:delete',
      'fs:delete',
      'slipway:repository:publish',
      'aws:ecr:create',
      'aws:iam:irsa-role:create',
      'gitops:chart:register',
      'argocd:application:create',
      'argocd:application:wait',
      'gitops:chart:pin',
      'slipway:catalog:register',
    ]);
  });
});
