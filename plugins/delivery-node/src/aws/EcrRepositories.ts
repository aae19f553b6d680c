import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  LifecyclePolicyNotFoundException,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  Repository,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { ConflictError } from '@backstage/errors';
import { AwsClients } from './AwsClients';
import {
  assertClaimable,
  assertOwned,
  claimTags,
  CreationClaim,
  tagMap,
} from './ownership';
import { ecrLifecyclePolicy, ecrPullPolicy } from './policies';

/** What Slipway wants an ECR repository to be. @public */
export interface EcrRepositorySpec extends CreationClaim {
  repositoryName: string;
  imageTagMutability: 'IMMUTABLE' | 'MUTABLE';
  scanOnPush: boolean;
  /** Extra tags; OWNER_TAG (and TASK_TAG) are always added from the claim. */
  tags: Record<string, string>;
}

/** Where a repository lives. @public */
export interface EcrRepositoryRef {
  repositoryName: string;
  repositoryUri: string;
  repositoryArn: string;
}

/** An ECR repository as AWS reports it. @public */
export interface EcrRepositoryState extends EcrRepositoryRef {
  imageTagMutability?: string;
  scanOnPush: boolean;
  encryption: { type?: string; kmsKey?: string };
  tags: Record<string, string>;
  lifecyclePolicyText?: string;
  repositoryPolicyText?: string;
}

function ref(repo: Repository): EcrRepositoryRef {
  return {
    repositoryName: repo.repositoryName!,
    repositoryUri: repo.repositoryUri!,
    repositoryArn: repo.repositoryArn!,
  };
}

/**
 * ECR repositories with Slipway's rules: created with the configured
 * encryption, scanning, lifecycle and pull policy; adopted, changed or
 * deleted only when they carry this service's OWNER_TAG.
 *
 * Every method is idempotent, so a scaffolder task resumed after a crash can
 * call it again.
 *
 * @public
 */
export class EcrRepositories {
  readonly #clients: AwsClients;

  constructor(clients: AwsClients) {
    this.#clients = clients;
  }

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` and its ARN, without asking AWS. */
  expectedRef(repositoryName: string): EcrRepositoryRef {
    const { accountId, region, partition } = this.#clients.settings;
    const suffix =
      partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    return {
      repositoryName,
      repositoryUri: `${accountId}.dkr.ecr.${region}.${suffix}/${repositoryName}`,
      repositoryArn: `arn:${partition}:ecr:${region}:${accountId}:repository/${repositoryName}`,
    };
  }

  async #find(repositoryName: string): Promise<Repository | undefined> {
    try {
      const res = await this.#clients.ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }),
      );
      return res.repositories?.[0];
    } catch (e) {
      if (e instanceof RepositoryNotFoundException) return undefined;
      throw e;
    }
  }

  async #tags(repositoryArn: string): Promise<Record<string, string>> {
    const res = await this.#clients.ecr.send(
      new ListTagsForResourceCommand({ resourceArn: repositoryArn }),
    );
    return tagMap(res.tags);
  }

  /** The repository with its settings, tags and policies; undefined when missing. */
  async describe(
    repositoryName: string,
  ): Promise<EcrRepositoryState | undefined> {
    const repo = await this.#find(repositoryName);
    if (!repo) return undefined;
    const { ecr } = this.#clients;
    const lifecycle = await ecr
      .send(new GetLifecyclePolicyCommand({ repositoryName }))
      .then(r => r.lifecyclePolicyText)
      .catch(e => {
        if (e instanceof LifecyclePolicyNotFoundException) return undefined;
        throw e;
      });
    const policy = await ecr
      .send(new GetRepositoryPolicyCommand({ repositoryName }))
      .then(r => r.policyText)
      .catch(e => {
        if (e instanceof RepositoryPolicyNotFoundException) return undefined;
        throw e;
      });
    return {
      ...ref(repo),
      imageTagMutability: repo.imageTagMutability,
      scanOnPush: repo.imageScanningConfiguration?.scanOnPush === true,
      encryption: {
        type: repo.encryptionConfiguration?.encryptionType,
        kmsKey: repo.encryptionConfiguration?.kmsKey,
      },
      tags: await this.#tags(repo.repositoryArn!),
      lifecyclePolicyText: lifecycle,
      repositoryPolicyText: policy,
    };
  }

  /**
   * Creates the repository, or takes the existing one when the claim allows
   * it ({@link assertClaimable}: bound to spec.owner, and created by the
   * same task or adopted on purpose). Throws ConflictError otherwise.
   */
  async ensure(
    spec: EcrRepositorySpec,
  ): Promise<EcrRepositoryRef & { adopted: boolean }> {
    const existing = await this.#find(spec.repositoryName);
    if (existing) return this.#adopt(existing, spec);
    const { encryption } = this.#clients.settings.ecr;
    try {
      const res = await this.#clients.ecr.send(
        new CreateRepositoryCommand({
          repositoryName: spec.repositoryName,
          imageTagMutability: spec.imageTagMutability,
          imageScanningConfiguration: { scanOnPush: spec.scanOnPush },
          encryptionConfiguration: {
            encryptionType: encryption.type,
            kmsKey: encryption.kmsKey,
          },
          tags: this.#tagList(spec),
        }),
      );
      return { ...ref(res.repository!), adopted: false };
    } catch (e) {
      if (!(e instanceof RepositoryAlreadyExistsException)) throw e;
      // Created concurrently (or by an earlier attempt): same ownership rule.
      const raced = await this.#find(spec.repositoryName);
      if (!raced) throw e;
      return this.#adopt(raced, spec);
    }
  }

  async #adopt(
    repo: Repository,
    claim: CreationClaim,
  ): Promise<EcrRepositoryRef & { adopted: boolean }> {
    assertClaimable(
      'ECR repository',
      repo.repositoryName!,
      await this.#tags(repo.repositoryArn!),
      claim,
    );
    return { ...ref(repo), adopted: true };
  }

  #tagList(spec: EcrRepositorySpec) {
    return Object.entries({ ...spec.tags, ...claimTags(spec) }).map(
      ([Key, Value]) => ({ Key, Value }),
    );
  }

  /**
   * Brings an owned repository's mutable settings to the spec: tag
   * mutability, scan on push and tags. (Encryption cannot change after
   * creation; the returned list names it when it differs.)
   */
  async converge(
    spec: EcrRepositorySpec,
    repositoryArn: string,
  ): Promise<{ unchangeable: string[] }> {
    const { ecr, settings } = this.#clients;
    const current = await this.#find(spec.repositoryName);
    if (!current) {
      throw new ConflictError(
        `ECR repository '${spec.repositoryName}' disappeared while it was being set up`,
      );
    }
    assertOwned(
      'ECR repository',
      spec.repositoryName,
      await this.#tags(repositoryArn),
      spec.owner,
    );
    if (current.imageTagMutability !== spec.imageTagMutability) {
      await ecr.send(
        new PutImageTagMutabilityCommand({
          repositoryName: spec.repositoryName,
          imageTagMutability: spec.imageTagMutability,
        }),
      );
    }
    if (
      (current.imageScanningConfiguration?.scanOnPush === true) !==
      spec.scanOnPush
    ) {
      await ecr.send(
        new PutImageScanningConfigurationCommand({
          repositoryName: spec.repositoryName,
          imageScanningConfiguration: { scanOnPush: spec.scanOnPush },
        }),
      );
    }
    await ecr.send(
      new TagResourceCommand({
        resourceArn: repositoryArn,
        tags: this.#tagList(spec),
      }),
    );
    const unchangeable: string[] = [];
    const enc = current.encryptionConfiguration;
    if (
      enc?.encryptionType !== settings.ecr.encryption.type ||
      (settings.ecr.encryption.kmsKey &&
        enc?.kmsKey !== settings.ecr.encryption.kmsKey)
    ) {
      unchangeable.push(
        `encryption is ${enc?.encryptionType ?? 'unknown'}, config asks for ${
          settings.ecr.encryption.type
        } (ECR cannot change a repository's encryption)`,
      );
    }
    return { unchangeable };
  }

  /** Puts the configured lifecycle policy; returns its text. */
  async putLifecyclePolicy(repositoryName: string): Promise<string> {
    const text = ecrLifecyclePolicy(this.#clients.settings.ecr.lifecycle);
    await this.#clients.ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName,
        lifecyclePolicyText: text,
      }),
    );
    return text;
  }

  /**
   * Sets the pull policy for the configured principals, or removes a policy
   * when none are configured. Returns the principals.
   */
  async applyPullPolicy(repositoryName: string): Promise<string[]> {
    const principals = [...this.#clients.settings.ecr.pullPrincipals];
    const text = ecrPullPolicy(principals);
    if (text) {
      await this.#clients.ecr.send(
        new SetRepositoryPolicyCommand({ repositoryName, policyText: text }),
      );
    } else {
      await this.#clients.ecr
        .send(new DeleteRepositoryPolicyCommand({ repositoryName }))
        .catch(e => {
          if (!(e instanceof RepositoryPolicyNotFoundException)) throw e;
        });
    }
    return principals;
  }

  /**
   * Checks whether an owned repository may be deleted: 'missing' when there
   * is nothing to delete; throws ConflictError when it is not owned, or holds
   * images and `force` is false.
   */
  async checkDeletable(
    repositoryName: string,
    owner: string,
    force: boolean,
  ): Promise<{ state: 'missing' } | { state: 'present'; images: number }> {
    const repo = await this.#find(repositoryName);
    if (!repo) return { state: 'missing' };
    assertOwned(
      'ECR repository',
      repositoryName,
      await this.#tags(repo.repositoryArn!),
      owner,
    );
    const listed = await this.#clients.ecr.send(
      new ListImagesCommand({ repositoryName, maxResults: 100 }),
    );
    const images = new Set(listed.imageIds?.map(i => i.imageDigest)).size;
    if (images > 0 && !force) {
      throw new ConflictError(
        `ECR repository '${repositoryName}' still holds ${images}${
          listed.nextToken ? '+' : ''
        } image(s); delete them first or pass force: true`,
      );
    }
    return { state: 'present', images };
  }

  /**
   * Deletes an owned repository (after checkDeletable's checks, repeated
   * here). Returns false when it was already gone.
   */
  async delete(
    repositoryName: string,
    owner: string,
    force: boolean,
  ): Promise<boolean> {
    const check = await this.checkDeletable(repositoryName, owner, force);
    if (check.state === 'missing') return false;
    try {
      await this.#clients.ecr.send(
        new DeleteRepositoryCommand({ repositoryName, force }),
      );
      return true;
    } catch (e) {
      if (e instanceof RepositoryNotFoundException) return false;
      throw e;
    }
  }
}
