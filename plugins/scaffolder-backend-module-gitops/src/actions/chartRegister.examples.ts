import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description:
      'Register the chart of a new service with the outputs of the AWS steps',
    example: `
steps:
  - action: gitops:chart:register
    id: chart
    name: Register the Helm chart
    input:
      name: orders
      imageRepository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders
      roleArn: arn:aws:iam::123456789012:role/slipway/orders
      namespace: orders
`,
  },
  {
    description:
      'Register a chart for dev and prod only, with three replicas in prod',
    example: `
steps:
  - action: gitops:chart:register
    id: chart
    name: Register the Helm chart
    input:
      name: payments
      imageRepository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments
      imageTag: bootstrap
      namespace: payments
      environments:
        - dev
        - prod
      overrides:
        prod:
          replicas: 3
`,
  },
  {
    description:
      "Register a chart that rolls out as an Argo Rollouts canary (rollout.strategy: canary in values.yaml), with the wizard's port and autoscaling",
    example: `
steps:
  - action: gitops:chart:register
    id: chart
    name: Register the Helm chart
    input:
      name: checkout
      imageRepository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout
      roleArn: arn:aws:iam::123456789012:role/slipway/checkout
      namespace: checkout
      service:
        port: 8080
        autoscaling:
          enabled: true
          minReplicas: 2
          maxReplicas: 6
        rollout:
          strategy: canary
`,
  },
];
