/**
 * Slipway's AWS provisioning actions for the Backstage scaffolder:
 * `aws:ecr:create`, `aws:ecr:delete`, `aws:iam:irsa-role:create` and
 * `aws:iam:irsa-role:delete`, built on the clients of
 * `@internal/backstage-plugin-delivery-node`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleAws as default } from './module';
export { createEcrCreateAction } from './actions/ecrCreate';
export { createEcrDeleteAction } from './actions/ecrDelete';
export { createIrsaRoleCreateAction } from './actions/irsaRoleCreate';
export { createIrsaRoleDeleteAction } from './actions/irsaRoleDelete';
