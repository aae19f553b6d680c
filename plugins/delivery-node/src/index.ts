/**
 * Upstream clients shared by Slipway's scaffolder modules and delivery
 * backend: AWS (ECR, IAM, EKS), the helm-charts GitOps repository, Argo
 * CD, Jenkins and GitHub.
 *
 * @packageDocumentation
 */

export * from './aws';
export * from './gitops';
export * from './environments';
export * from './argocd';
export * from './jenkins';
export * from './github';
export * from './guard';
export * from './identity';
export * from './serviceRefs';
export { jitteredDelay, noteRetry } from './retry/progress';
export * from './retry/failures';
export * from './retry/provisioningStep';
export * from './inventory';
