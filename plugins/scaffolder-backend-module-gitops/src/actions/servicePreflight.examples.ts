import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** Examples of `slipway:service:preflight`, shown on the installed-actions page. */
export const examples: TemplateExample[] = [
  {
    description:
      'Check a new service before any step creates anything: input rules, the owner team, and a free name everywhere.',
    example: `steps:
  - id: preflight
    name: Check the service can be created
    action: slipway:service:preflight
    input:
      name: orders
      owner: group:default/payments-team
      namespace: orders
      repoUrl: github.com?owner=acme&repo=orders
      environments: [dev, staging, prod]
      port: 8080
      replicas: 2
      autoscaling: true
      minReplicas: 2
      maxReplicas: 5
      rolloutStrategy: canary
      awsPermissions: [s3-read-reports]
`,
  },
  {
    description:
      'Migrate an existing service into Slipway: its owners adopt the ECR repository, IAM role and Argo CD application already bound to component:default/orders (audited).',
    example: `steps:
  - id: preflight
    name: Check the service can be adopted
    action: slipway:service:preflight
    input:
      name: orders
      owner: group:default/payments-team
      namespace: orders
      repoUrl: github.com?owner=acme&repo=orders-v2
      environments: [dev]
      adopt: true
`,
  },
];
