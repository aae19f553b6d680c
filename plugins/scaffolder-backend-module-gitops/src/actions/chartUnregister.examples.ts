import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description: "Remove a service's chart from helm-charts",
    example: `
steps:
  - action: gitops:chart:unregister
    id: unregister
    name: Remove the Helm chart
    input:
      entityRef: component:default/orders
      name: orders
`,
  },
];
