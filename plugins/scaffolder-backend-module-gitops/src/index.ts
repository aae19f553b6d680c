/**
 * Slipway's GitOps scaffolder actions: the service's chart in the
 * helm-charts repository (gitops:chart:register / unregister) and its Argo
 * CD Application (argocd:application:create / wait / delete); and, as a
 * second module, the workspace provider that lets a resumed task find its
 * files (`slipway-database`).
 *
 * @packageDocumentation
 */

export { scaffolderModuleGitops as default } from './module';
export * from './actions';
export * from './workspace';
