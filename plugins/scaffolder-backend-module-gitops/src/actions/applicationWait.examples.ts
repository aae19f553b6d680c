import { TemplateExample } from '@backstage/plugin-scaffolder-node';

export const examples: TemplateExample[] = [
  {
    description:
      'Wait for the first deployment of the commit that registered the chart',
    example: `
steps:
  - action: argocd:application:wait
    id: wait
    name: Wait for the first deployment
    input:
      name: orders
      revision: \${{ steps.chart.output.commitSha }}
      timeoutSeconds: 300
`,
  },
  {
    description:
      'Wait until the application is Synced and Healthy, polling every 5 s',
    example: `
steps:
  - action: argocd:application:wait
    id: wait
    name: Wait for Argo CD
    input:
      name: orders
      intervalSeconds: 5
      timeoutSeconds: 120
`,
  },
];
