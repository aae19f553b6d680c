import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** Examples of `aws:ecr:delete`, shown on the portal's installed-actions page. */
export const examples: TemplateExample[] = [
  {
    description: "Delete the service's repository when it is empty",
    example: `steps:
  - id: ecr-delete
    name: Delete the ECR repository
    action: aws:ecr:delete
    input:
      entityRef: component:default/orders-api
      name: orders-api
`,
  },
  {
    description: 'Delete a repository under a team prefix, images included',
    example: `steps:
  - id: ecr-delete
    name: Delete the ECR repository and its images
    action: aws:ecr:delete
    input:
      entityRef: component:default/orders-api
      name: orders-api
      repositoryName: payments/orders-api
      force: true
`,
  },
];
