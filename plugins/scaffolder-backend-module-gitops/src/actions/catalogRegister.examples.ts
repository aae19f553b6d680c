import { TemplateExample } from '@backstage/plugin-scaffolder-node';

/** Examples of `slipway:catalog:register`, shown on the installed-actions page. */
export const examples: TemplateExample[] = [
  {
    description:
      "Register the new service's catalog-info.yaml, owned by the team chosen in the form.",
    example: `steps:
  - id: register
    name: Register in the catalog
    action: slipway:catalog:register
    input:
      repoContentsUrl: https://github.com/acme/orders/blob/main
      catalogInfoPath: /catalog-info.yaml
      name: orders
      owner: group:default/payments-team
`,
  },
];
