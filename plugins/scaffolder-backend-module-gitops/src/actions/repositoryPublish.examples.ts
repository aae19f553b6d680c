import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description:
      "Create the service's private repository with the workspace as its first commit",
    example: `
steps:
  - action: slipway:repository:publish
    id: publish
    name: Create the repository
    input:
      name: orders
      repoUrl: github.invalid?owner=acme&repo=orders
      description: Orders service
      protectDefaultBranch: true
`,
  },
  {
    description:
      "Adopt the service's existing repository (its owners only; it must declare the service)",
    example: `
steps:
  - action: slipway:repository:publish
    id: publish
    name: Adopt the repository
    input:
      name: orders
      repoUrl: github.invalid?owner=acme&repo=orders
      adopt: true
`,
  },
];
