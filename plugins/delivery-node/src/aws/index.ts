/*
 * AWS for Slipway: the SDK v3 clients built from `slipway.aws`, and the
 * owner-tag-aware helpers the provisioning actions (and later the delivery
 * backend) use for ECR repositories and service roles.
 */

export { AwsClients } from './AwsClients';
export { readSlipwayAwsSettings } from './settings';
export type {
  AllowedPolicy,
  AllowedPolicyStatement,
  SlipwayAwsSettings,
} from './settings';
export { assertClaimable, claimTags } from './ownership';
export type { CreationClaim } from './ownership';
export { EcrRepositories } from './EcrRepositories';
export type {
  EcrRepositoryRef,
  EcrRepositorySpec,
  EcrRepositoryState,
} from './EcrRepositories';
export { EcrImages } from './EcrImages';
export type { EcrRepositoryArn, ListEcrImagesOptions } from './EcrImages';
export { IrsaRoles } from './IrsaRoles';
export type {
  ServiceRoleDeletion,
  ServiceRoleSpec,
  ServiceRoleState,
} from './IrsaRoles';
export {
  ecrLifecyclePolicy,
  ecrPullPolicy,
  inlinePolicy,
  irsaTrustPolicy,
  issuerHostPath,
  podIdentityTrustPolicy,
  selectAllowedPolicies,
} from './policies';
export type { IrsaTrust, PolicyDocument } from './policies';
