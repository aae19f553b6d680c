import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description:
      'After dev runs the first build, start staging and prod on the same image',
    example: `
steps:
  - action: gitops:chart:pin
    id: pin
    name: Start the other environments on the first build
    input:
      name: orders
      environments: [dev, staging, prod]
`,
  },
];
