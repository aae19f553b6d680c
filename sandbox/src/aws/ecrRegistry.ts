/*
 * The ECR registry of one account and region as every ECR operation group
 * sees it: the persisted state, repository and image look-ups with ECR's
 * not-found errors, and the repository's JSON shape.
 */

import { StateFile } from '../state';
import { AwsAccount, AwsState, EcrImage, EcrRepository } from './model';
import { Input, invalid, optString, reqString } from './ecrInput';
import { AwsError, epochSeconds } from './protocols';

const REPOSITORY_NAME =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The state and look-ups the ECR operations share. */
export class EcrRegistry {
  constructor(
    readonly state: StateFile<AwsState>,
    readonly account: AwsAccount,
  ) {}

  /** `<account>.dkr.ecr.<region>.amazonaws.com` */
  registryHost(): string {
    return `${this.account.accountId}.dkr.ecr.${this.account.region}.amazonaws.com`;
  }

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  repositoryUri(name: string): string {
    return `${this.registryHost()}/${name}`;
  }

  repositoryArn(name: string): string {
    return `arn:aws:ecr:${this.account.region}:${this.account.accountId}:repository/${name}`;
  }

  /** A repository with ECR's default settings, not stored yet. */
  newRepository(name: string): EcrRepository {
    return {
      name,
      createdAt: new Date().toISOString(),
      tagMutability: 'MUTABLE',
      scanOnPush: false,
      encryption: { encryptionType: 'AES256' },
      tags: [],
      images: [],
    };
  }

  validateName(name: string) {
    if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
      throw invalid(
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length between 2 and 256'`,
      );
    }
  }

  /** Refuses a `registryId` other than the sandbox account. */
  checkRegistry(input: Input) {
    const registryId = optString(input, 'registryId');
    if (registryId !== undefined && registryId !== this.account.accountId) {
      throw invalid(
        `Invalid parameter at 'registryId' failed to satisfy constraint: 'The registry ${registryId} is not the sandbox registry'`,
      );
    }
  }

  repo(name: string): EcrRepository {
    const repo = this.state.data.ecr.repositories[name];
    if (!repo) {
      throw new AwsError(
        400,
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${this.account.accountId}'`,
      );
    }
    return repo;
  }

  /** The repository named by the input's `registryId` and `repositoryName`. */
  repoFromInput(input: Input): EcrRepository {
    this.checkRegistry(input);
    return this.repo(reqString(input, 'repositoryName'));
  }

  /** The repository named by the input's `resourceArn`. */
  repoFromArn(input: Input): EcrRepository {
    const arn = reqString(input, 'resourceArn');
    const prefix = this.repositoryArn('');
    if (!arn.startsWith(prefix)) {
      throw invalid(
        `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`,
      );
    }
    return this.repo(arn.slice(prefix.length));
  }

  repositoryJson(repo: EcrRepository) {
    return {
      repositoryArn: this.repositoryArn(repo.name),
      registryId: this.account.accountId,
      repositoryName: repo.name,
      repositoryUri: this.repositoryUri(repo.name),
      createdAt: epochSeconds(repo.createdAt),
      imageTagMutability: repo.tagMutability,
      imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      encryptionConfiguration: { ...repo.encryption },
    };
  }

  /** `registryId` and `repositoryName`, which most outputs start with. */
  ids(repo: EcrRepository) {
    return { registryId: this.account.accountId, repositoryName: repo.name };
  }

  /** The image an `imageId` (digest and/or tag) names, if any. */
  image(repo: EcrRepository, id: Input | undefined): EcrImage | undefined {
    const digest =
      id && typeof id.imageDigest === 'string' ? id.imageDigest : undefined;
    const tag = id && typeof id.imageTag === 'string' ? id.imageTag : undefined;
    if (!digest && !tag)
      throw invalid(
        "Invalid parameter at 'imageId' failed to satisfy constraint: 'imageDigest or imageTag is required'",
      );
    return repo.images.find(
      img =>
        (!digest || img.digest === digest) && (!tag || img.tags.includes(tag)),
    );
  }

  imageNotFound(repo: EcrRepository, id: Input | undefined) {
    const desc =
      id?.imageTag !== undefined
        ? `imageTag=${String(id.imageTag)}`
        : `imageDigest=${String(id?.imageDigest)}`;
    return new AwsError(
      400,
      'ImageNotFoundException',
      `The image with imageId {${desc}} does not exist within the repository with name '${repo.name}' in the registry with id '${this.account.accountId}'`,
    );
  }
}
