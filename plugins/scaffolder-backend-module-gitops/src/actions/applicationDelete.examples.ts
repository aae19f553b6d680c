import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description:
      "Delete the service's Argo CD Application and what it deployed",
    example: `
steps:
  - action: argocd:application:delete
    id: delete-app
    name: Delete the Argo CD application
    input:
      entityRef: component:default/orders
      name: orders
`,
  },
];
