import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** Examples of `aws:ecr:create`, shown on the portal's installed-actions page. */
export const examples: TemplateExample[] = [
  {
    description:
      "The service's repository with the defaults from config (immutable tags, scan on push)",
    example: `steps:
  - id: ecr
    name: Create the ECR repository
    action: aws:ecr:create
    input:
      name: orders-api
`,
  },
  {
    description:
      'A repository under a team prefix, with mutable tags and extra tags',
    example: `steps:
  - id: ecr
    name: Create the ECR repository
    action: aws:ecr:create
    input:
      name: orders-api
      repositoryName: payments/orders-api
      imageTagMutability: MUTABLE
      scanOnPush: true
      tags:
        team: payments
        cost-center: cc-1234
`,
  },
];
