import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** Examples of `aws:iam:irsa-role:create`, shown on the portal's installed-actions page. */
export const examples: TemplateExample[] = [
  {
    description:
      "An IRSA role for the service's own service account, reading the reports bucket",
    example: `steps:
  - id: role
    name: Create the IAM role
    action: aws:iam:irsa-role:create
    input:
      name: orders-api
      namespace: orders-api
      policies:
        - s3-read-reports
`,
  },
  {
    description:
      'An EKS Pod Identity role for a named service account, with two allowed policies',
    example: `steps:
  - id: role
    name: Create the IAM role and pod identity association
    action: aws:iam:irsa-role:create
    input:
      name: orders-worker
      namespace: orders
      serviceAccount: orders-worker
      mode: pod-identity
      policies:
        - s3-read-reports
        - sqs-consume-payments
`,
  },
];
