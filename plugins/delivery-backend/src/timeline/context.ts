import type {
  BuildSection,
  EnvironmentSync,
  GitOpsSection,
  Hop,
  ImageSection,
  SourceCommit,
} from '@internal/backstage-plugin-delivery-common';
import type { ChangeOrder } from './changeOrder';
import type { HealthTransition } from './dora';

/** What every hop of the timeline reads. */
export interface Context {
  commits: SourceCommit[];
  build?: BuildSection;
  image?: ImageSection;
  gitops?: GitOpsSection;
  order?: ChangeOrder;
  environment?: EnvironmentSync;
  /** The environment's recorded health (the delivery history), oldest first. */
  health?: HealthTransition[];
}

/** A hop that has not happened yet. */
export const PENDING: Hop = { state: 'pending' };
/** A hop whose evidence is missing. */
export const UNKNOWN: Hop = { state: 'unknown' };
