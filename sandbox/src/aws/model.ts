/*
 * The emulated AWS account's state, as persisted in `<dataDir>/aws.json`.
 * Timestamps are ISO strings; each service turns them into its own wire
 * format.
 */

import { StateFile } from '../state';

/** Severity levels of ECR basic scanning. */
export type Severity =
  | 'CRITICAL'
  | 'HIGH'
  | 'MEDIUM'
  | 'LOW'
  | 'INFORMATIONAL'
  | 'UNDEFINED';

export const SEVERITIES: Severity[] = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
];

/** An AWS tag as ECR and IAM spell it. */
export interface AwsTag {
  Key: string;
  Value: string;
}

export interface ScanFinding {
  name: string;
  description: string;
  uri: string;
  severity: Severity;
  attributes: Array<{ key: string; value: string }>;
}

export interface EcrImage {
  digest: string;
  tags: string[];
  pushedAt: string;
  sizeBytes: number;
  manifest: string;
  manifestMediaType: string;
  scan?: {
    completedAt: string;
    counts: Partial<Record<Severity, number>>;
    findings: ScanFinding[];
  };
}

export interface EcrRepository {
  name: string;
  createdAt: string;
  tagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  encryption: { encryptionType: 'AES256' | 'KMS'; kmsKey?: string };
  tags: AwsTag[];
  lifecyclePolicy?: { text: string; updatedAt: string };
  policy?: string;
  images: EcrImage[];
}

export interface IamRole {
  name: string;
  id: string;
  path: string;
  createdAt: string;
  /** The trust policy exactly as sent (decoded JSON text). */
  assumeRolePolicy: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: AwsTag[];
  /** Inline policies: name → document text. */
  inlinePolicies: Record<string, string>;
  /** Managed policy ARNs, in attach order. */
  attachedPolicies: string[];
}

export interface EksCluster {
  name: string;
  createdAt: string;
  version: string;
  oidcId: string;
  endpointId: string;
  certificateData: string;
}

export interface PodIdentityAssociation {
  id: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  tags: Record<string, string>;
  createdAt: string;
  modifiedAt: string;
}

export interface AwsState {
  ecr: { repositories: Record<string, EcrRepository> };
  /** Roles keyed by lower-cased name (IAM names are case-insensitive). */
  iam: { roles: Record<string, IamRole> };
  eks: {
    clusters: Record<string, EksCluster>;
    associations: Record<string, PodIdentityAssociation>;
  };
}

/** The identity and location of the emulated account. */
export interface AwsAccount {
  accountId: string;
  region: string;
}

/** Opens (or creates) the persisted AWS state in `dataDir`. */
export function openAwsState(dataDir: string): StateFile<AwsState> {
  const file = new StateFile<AwsState>(dataDir, 'aws', () => ({
    ecr: { repositories: {} },
    iam: { roles: {} },
    eks: { clusters: {}, associations: {} },
  }));
  // Older or hand-edited files may lack a section.
  const d = file.data;
  d.ecr ??= { repositories: {} };
  d.iam ??= { roles: {} };
  d.eks ??= { clusters: {}, associations: {} };
  d.eks.associations ??= {};
  return file;
}
