/**
 * Upstream clients shared by Slipway's scaffolder modules and delivery
 * backend: AWS (ECR, IAM, EKS), the helm-charts GitOps repository, and
 * Argo CD.
 *
 * @packageDocumentation
 */

export * from './aws';
export * from './gitops';
export * from './argocd';
export * from './guard';
