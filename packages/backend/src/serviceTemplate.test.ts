/*
 * The "Create component" form refuses what the actions refuse: its patterns
 * are delivery-common's, and its AWS permission list is the one the platform
 * team allows in config.
 */

import { ConfigSources } from '@backstage/config-loader';
import {
  DNS1123_LABEL_PATTERN,
  SERVICE_NAME_PATTERN,
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
    expect(properties.namespace.pattern).toBe(DNS1123_LABEL_PATTERN);
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

  it('runs the road in the documented order', () => {
    expect(template.spec.steps.map((s: any) => s.action)).toEqual([
      'fetch:template',
      'fetch:template',
      'fs:delete',
      'fs:delete',
      'publish:github',
      'aws:ecr:create',
      'aws:iam:irsa-role:create',
      'gitops:chart:register',
      'argocd:application:create',
      'argocd:application:wait',
      'slipway:catalog:register',
    ]);
  });
});
