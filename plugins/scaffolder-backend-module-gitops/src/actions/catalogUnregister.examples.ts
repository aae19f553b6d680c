import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description: 'Unregister the service chosen in the decommission form.',
    example: `steps:
  - id: unregister
    name: Unregister from the catalog
    action: catalog:unregister
    input:
      entityRef: component:default/orders
`,
  },
];
