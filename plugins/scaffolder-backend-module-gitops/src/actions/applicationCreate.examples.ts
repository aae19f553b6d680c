import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description:
      "Create the service's Argo CD Applications for dev, staging and prod (orders-dev, orders-staging, orders-prod)",
    example: `
steps:
  - action: argocd:application:create
    id: argocd
    name: Create the Argo CD applications
    input:
      name: orders
      namespace: orders
      environments: [dev, staging, prod]
`,
  },
  {
    description:
      'Create it on a named instance, for a chart with an HPA, updating an existing one',
    example: `
steps:
  - action: argocd:application:create
    id: argocd
    name: Create the Argo CD application
    input:
      name: payments
      namespace: payments
      instance: sandbox
      autoscaling: true
      upsert: true
`,
  },
];
