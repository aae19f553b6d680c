import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** Examples of `aws:iam:irsa-role:delete`, shown on the portal's installed-actions page. */
export const examples: TemplateExample[] = [
  {
    description:
      "Delete the service's role, its policies and its pod identity associations",
    example: `steps:
  - id: role-delete
    name: Delete the IAM role
    action: aws:iam:irsa-role:delete
    input:
      entityRef: component:default/orders-api
      name: orders-api
`,
  },
];
