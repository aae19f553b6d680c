/*
 * Amazon ECR (awsJson1_1, target prefix AmazonEC2ContainerRegistry_V20150921):
 * repositories with their settings, lifecycle and repository policies, tags,
 * images with scan findings. Responses use the member names and epoch-second
 * timestamps of the real service's JSON.
 *
 * This module composes the operation groups, one module each:
 * ecrRepositories (repositories), ecrPolicies (lifecycle and repository
 * policies), ecrTags (resource tags), ecrImages (images and image tags),
 * ecrScanning (scan on push, findings) and ecrAuth (registry login). They
 * share ecrRegistry (state and look-ups) and ecrInput (input validation).
 */

import { StateFile } from '../state';
import { AwsAccount, AwsState } from './model';
import { authOperations } from './ecrAuth';
import { imageOperations, pushImage, PutImageOptions } from './ecrImages';
import { EcrOperation } from './ecrInput';
import { policyOperations } from './ecrPolicies';
import { EcrRegistry } from './ecrRegistry';
import { ensureRepository, repositoryOperations } from './ecrRepositories';
import { scanningOperations } from './ecrScanning';
import { tagOperations } from './ecrTags';

export type { PutImageOptions } from './ecrImages';
export {
  validateLifecyclePolicy,
  validateRepositoryPolicy,
} from './ecrPolicies';

/** The X-Amz-Target prefix of ECR operations. */
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

/** Emulated ECR registry of one account and region. */
export class EcrService {
  readonly #registry: EcrRegistry;

  /** The operations, by name, each taking the JSON input and returning the JSON output. */
  readonly operations: Record<string, EcrOperation>;

  constructor(state: StateFile<AwsState>, account: AwsAccount) {
    this.#registry = new EcrRegistry(state, account);
    this.operations = {
      ...repositoryOperations(this.#registry),
      ...policyOperations(this.#registry),
      ...scanningOperations(this.#registry),
      ...tagOperations(this.#registry),
      ...imageOperations(this.#registry),
      ...authOperations(this.#registry),
    };
  }

  // ------------------------------------------------------------ programmatic

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  repositoryUri(name: string): string {
    return this.#registry.repositoryUri(name);
  }

  repositoryArn(name: string): string {
    return this.#registry.repositoryArn(name);
  }

  /** Creates the repository with default settings unless it exists; adds missing tags. */
  ensureRepository(name: string, tags: Record<string, string> = {}): void {
    ensureRepository(this.#registry, name, tags);
  }

  /**
   * Records a pushed image. Without `digest` the manifest is derived from
   * repository and tag, so pushing the same tag again is a no-op. An
   * existing tag on another digest moves (MUTABLE) or throws
   * ImageTagAlreadyExistsException (IMMUTABLE).
   */
  putImage(
    repositoryName: string,
    tag: string,
    opts: PutImageOptions = {},
  ): { digest: string } {
    return pushImage(this.#registry, repositoryName, tag, opts);
  }

  /** Whether `repositoryName` holds an image tagged `tag`. */
  hasImage(repositoryName: string, tag: string): boolean {
    const repo = this.#registry.state.data.ecr.repositories[repositoryName];
    return !!repo?.images.some(img => img.tags.includes(tag));
  }
}
