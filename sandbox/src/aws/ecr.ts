/*
 * Amazon ECR (awsJson1_1, target prefix AmazonEC2ContainerRegistry_V20150921):
 * repositories with their settings, lifecycle and repository policies, tags,
 * images with scan findings. Responses use the member names and epoch-second
 * timestamps of the real service's JSON.
 */

import crypto from 'node:crypto';
import { StateFile } from '../state';
import {
  AwsAccount,
  AwsState,
  AwsTag,
  EcrImage,
  EcrRepository,
  ScanFinding,
  SEVERITIES,
  Severity,
} from './model';
import {
  asList,
  AwsError,
  epochSeconds,
  paginate,
  randomString,
} from './protocols';

/** The X-Amz-Target prefix of ECR operations. */
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

const REPOSITORY_NAME =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const IMAGE_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** Options of {@link EcrService.putImage}. */
export interface PutImageOptions {
  digest?: string;
  pushedAt?: Date;
  sizeBytes?: number;
  findings?: Partial<
    Record<'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL', number>
  >;
}

type Input = Record<string, unknown>;

function invalid(message: string) {
  return new AwsError(400, 'InvalidParameterException', message);
}

function optString(input: Input, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'must be a string'`,
    );
  }
  return v;
}

function reqString(input: Input, key: string): string {
  const v = optString(input, key);
  if (v === undefined || v === '') {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'Member must not be null'`,
    );
  }
  return v;
}

function optObject(input: Input, key: string): Input | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'must be an object'`,
    );
  }
  return v as Input;
}

function optArray(input: Input, key: string): unknown[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'must be a list'`,
    );
  }
  return v;
}

function optInt(
  input: Input,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'Member must have value between ${min} and ${max}'`,
    );
  }
  return v;
}

function sha256(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Emulated ECR registry of one account and region. */
export class EcrService {
  readonly #state: StateFile<AwsState>;
  readonly #account: AwsAccount;

  constructor(state: StateFile<AwsState>, account: AwsAccount) {
    this.#state = state;
    this.#account = account;
  }

  /** The operations, by name, each taking the JSON input and returning the JSON output. */
  readonly operations: Record<string, (input: Input) => unknown> = {
    CreateRepository: i => this.#createRepository(i),
    DescribeRepositories: i => this.#describeRepositories(i),
    DeleteRepository: i => this.#deleteRepository(i),
    PutLifecyclePolicy: i => this.#putLifecyclePolicy(i),
    GetLifecyclePolicy: i => this.#getLifecyclePolicy(i),
    DeleteLifecyclePolicy: i => this.#deleteLifecyclePolicy(i),
    SetRepositoryPolicy: i => this.#setRepositoryPolicy(i),
    GetRepositoryPolicy: i => this.#getRepositoryPolicy(i),
    DeleteRepositoryPolicy: i => this.#deleteRepositoryPolicy(i),
    PutImageScanningConfiguration: i => this.#putImageScanningConfiguration(i),
    PutImageTagMutability: i => this.#putImageTagMutability(i),
    TagResource: i => this.#tagResource(i),
    UntagResource: i => this.#untagResource(i),
    ListTagsForResource: i => this.#listTagsForResource(i),
    PutImage: i => this.#putImageOp(i),
    DescribeImages: i => this.#describeImages(i),
    ListImages: i => this.#listImages(i),
    BatchGetImage: i => this.#batchGetImage(i),
    DescribeImageScanFindings: i => this.#describeImageScanFindings(i),
    GetAuthorizationToken: () => this.#getAuthorizationToken(),
  };

  // ------------------------------------------------------------ programmatic

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  repositoryUri(name: string): string {
    return `${this.#account.accountId}.dkr.ecr.${
      this.#account.region
    }.amazonaws.com/${name}`;
  }

  repositoryArn(name: string): string {
    return `arn:aws:ecr:${this.#account.region}:${
      this.#account.accountId
    }:repository/${name}`;
  }

  /** Creates the repository with default settings unless it exists; adds missing tags. */
  ensureRepository(name: string, tags: Record<string, string> = {}): void {
    this.#validateName(name);
    this.#state.update(d => {
      const repo = (d.ecr.repositories[name] ??= this.#newRepository(name));
      for (const [Key, Value] of Object.entries(tags)) {
        if (!repo.tags.some(t => t.Key === Key)) repo.tags.push({ Key, Value });
      }
    });
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
    const repo = this.#repo(repositoryName);
    if (!IMAGE_TAG.test(tag))
      throw invalid(
        `Invalid parameter at 'imageTag' failed to satisfy constraint: '${tag}'`,
      );
    if (opts.digest !== undefined && !DIGEST.test(opts.digest)) {
      throw invalid(
        `Invalid parameter at 'imageDigest' failed to satisfy constraint: '${opts.digest}'`,
      );
    }
    const seed = opts.digest ?? `${repositoryName}:${tag}`;
    const sizeBytes =
      opts.sizeBytes ??
      20_000_000 + (parseInt(sha256(seed).slice(0, 6), 16) % 100_000_000);
    const manifest = syntheticManifest(seed, sizeBytes);
    const digest = opts.digest ?? `sha256:${sha256(manifest)}`;
    const existing = repo.images.find(img => img.tags.includes(tag));
    if (existing?.digest === digest) return { digest };
    let scan: EcrImage['scan'];
    if (opts.findings) scan = completedScan(opts.findings, opts.pushedAt);
    else if (repo.scanOnPush) scan = completedScan({}, opts.pushedAt);
    this.#state.update(() => {
      this.#store(repo, {
        digest,
        tags: [tag],
        pushedAt: (opts.pushedAt ?? new Date()).toISOString(),
        sizeBytes,
        manifest,
        manifestMediaType: DOCKER_MANIFEST,
        scan,
      });
    });
    return { digest };
  }

  /** Whether `repositoryName` holds an image tagged `tag`. */
  hasImage(repositoryName: string, tag: string): boolean {
    const repo = this.#state.data.ecr.repositories[repositoryName];
    return !!repo?.images.some(img => img.tags.includes(tag));
  }

  // ------------------------------------------------------------ helpers

  #newRepository(name: string): EcrRepository {
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

  #validateName(name: string) {
    if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
      throw invalid(
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length between 2 and 256'`,
      );
    }
  }

  #checkRegistry(input: Input) {
    const registryId = optString(input, 'registryId');
    if (registryId !== undefined && registryId !== this.#account.accountId) {
      throw invalid(
        `Invalid parameter at 'registryId' failed to satisfy constraint: 'The registry ${registryId} is not the sandbox registry'`,
      );
    }
  }

  #repo(name: string): EcrRepository {
    const repo = this.#state.data.ecr.repositories[name];
    if (!repo) {
      throw new AwsError(
        400,
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${
          this.#account.accountId
        }'`,
      );
    }
    return repo;
  }

  #repoFromInput(input: Input): EcrRepository {
    this.#checkRegistry(input);
    return this.#repo(reqString(input, 'repositoryName'));
  }

  #repoFromArn(input: Input): EcrRepository {
    const arn = reqString(input, 'resourceArn');
    const prefix = `arn:aws:ecr:${this.#account.region}:${
      this.#account.accountId
    }:repository/`;
    if (!arn.startsWith(prefix)) {
      throw invalid(
        `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`,
      );
    }
    return this.#repo(arn.slice(prefix.length));
  }

  #repositoryJson(repo: EcrRepository) {
    return {
      repositoryArn: this.repositoryArn(repo.name),
      registryId: this.#account.accountId,
      repositoryName: repo.name,
      repositoryUri: this.repositoryUri(repo.name),
      createdAt: epochSeconds(repo.createdAt),
      imageTagMutability: repo.tagMutability,
      imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      encryptionConfiguration: { ...repo.encryption },
    };
  }

  #ids(repo: EcrRepository) {
    return { registryId: this.#account.accountId, repositoryName: repo.name };
  }

  #parseTags(input: Input, key: string): AwsTag[] {
    const raw = optArray(input, key) ?? [];
    const tags: AwsTag[] = [];
    for (const t of raw) {
      const tag = (t ?? {}) as Input;
      const Key = tag.Key;
      const Value = tag.Value ?? '';
      if (
        typeof Key !== 'string' ||
        Key.length < 1 ||
        Key.length > 128 ||
        typeof Value !== 'string' ||
        Value.length > 256
      ) {
        throw new AwsError(
          400,
          'InvalidTagParameterException',
          'Tag keys must be 1-128 characters and values at most 256 characters.',
        );
      }
      if (Key.toLowerCase().startsWith('aws:')) {
        throw new AwsError(
          400,
          'InvalidTagParameterException',
          "Tag keys may not start with 'aws:'.",
        );
      }
      tags.push({ Key, Value });
    }
    return tags;
  }

  #mergeTags(repo: EcrRepository, tags: AwsTag[]) {
    for (const tag of tags) {
      const existing = repo.tags.find(t => t.Key === tag.Key);
      if (existing) existing.Value = tag.Value;
      else repo.tags.push({ ...tag });
    }
    if (repo.tags.length > 50) {
      throw new AwsError(
        400,
        'TooManyTagsException',
        'A repository can have at most 50 tags.',
      );
    }
  }

  #image(repo: EcrRepository, id: Input | undefined): EcrImage | undefined {
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

  #imageNotFound(repo: EcrRepository, id: Input | undefined) {
    const desc =
      id?.imageTag !== undefined
        ? `imageTag=${String(id.imageTag)}`
        : `imageDigest=${String(id?.imageDigest)}`;
    return new AwsError(
      400,
      'ImageNotFoundException',
      `The image with imageId {${desc}} does not exist within the repository with name '${
        repo.name
      }' in the registry with id '${this.#account.accountId}'`,
    );
  }

  /** Adds an image (or a tag to an existing one), enforcing tag immutability. */
  #store(repo: EcrRepository, image: EcrImage) {
    const tag = image.tags[0];
    const same = repo.images.find(img => img.digest === image.digest);
    const holder = tag
      ? repo.images.find(img => img.tags.includes(tag))
      : undefined;
    if (same && (!tag || same.tags.includes(tag))) {
      throw new AwsError(
        400,
        'ImageAlreadyExistsException',
        `Image with digest '${image.digest}'${
          tag ? ` and tag '${tag}'` : ''
        } already exists in the repository with name '${
          repo.name
        }' in registry with id '${this.#account.accountId}'`,
      );
    }
    if (holder && holder !== same) {
      if (repo.tagMutability === 'IMMUTABLE') {
        throw new AwsError(
          400,
          'ImageTagAlreadyExistsException',
          `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`,
        );
      }
      holder.tags = holder.tags.filter(t => t !== tag);
    }
    if (same) {
      same.tags.push(tag);
    } else {
      repo.images.push(image);
    }
  }

  #imageDetail(repo: EcrRepository, img: EcrImage) {
    return {
      ...this.#ids(repo),
      imageDigest: img.digest,
      imageTags: img.tags.length ? [...img.tags] : undefined,
      imageSizeInBytes: img.sizeBytes,
      imagePushedAt: epochSeconds(img.pushedAt),
      imageManifestMediaType: img.manifestMediaType,
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
      imageScanStatus: img.scan
        ? {
            status: 'COMPLETE',
            description: 'The scan was completed successfully.',
          }
        : undefined,
      imageScanFindingsSummary: img.scan
        ? {
            imageScanCompletedAt: epochSeconds(img.scan.completedAt),
            vulnerabilitySourceUpdatedAt: epochSeconds(img.scan.completedAt),
            findingSeverityCounts: { ...img.scan.counts },
          }
        : undefined,
    };
  }

  // ------------------------------------------------------------ repositories

  #createRepository(input: Input) {
    this.#checkRegistry(input);
    const name = reqString(input, 'repositoryName');
    this.#validateName(name);
    const mutability = optString(input, 'imageTagMutability') ?? 'MUTABLE';
    if (mutability !== 'MUTABLE' && mutability !== 'IMMUTABLE') {
      throw invalid(
        `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`,
      );
    }
    if (optArray(input, 'imageTagMutabilityExclusionFilters')?.length) {
      throw invalid(
        'imageTagMutabilityExclusionFilters are not supported by the Slipway sandbox',
      );
    }
    const scanning = optObject(input, 'imageScanningConfiguration');
    const encryption = optObject(input, 'encryptionConfiguration');
    const encryptionType = encryption
      ? reqString(encryption, 'encryptionType')
      : 'AES256';
    let kmsKey = encryption ? optString(encryption, 'kmsKey') : undefined;
    if (encryptionType === 'AES256') {
      if (kmsKey)
        throw invalid(
          "Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: 'kmsKey can only be specified when encryptionType is KMS'",
        );
    } else if (encryptionType === 'KMS') {
      kmsKey ??= `arn:aws:kms:${this.#account.region}:${
        this.#account.accountId
      }:key/${crypto.randomUUID()}`;
    } else {
      throw invalid(
        `Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [AES256, KMS]'`,
      );
    }
    const tags = this.#parseTags(input, 'tags');
    if (this.#state.data.ecr.repositories[name]) {
      throw new AwsError(
        400,
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${
          this.#account.accountId
        }'`,
      );
    }
    const repo: EcrRepository = {
      ...this.#newRepository(name),
      tagMutability: mutability,
      scanOnPush: scanning?.scanOnPush === true,
      encryption: kmsKey
        ? { encryptionType: 'KMS', kmsKey }
        : { encryptionType: 'AES256' },
    };
    this.#mergeTags(repo, tags);
    this.#state.update(d => {
      d.ecr.repositories[name] = repo;
    });
    return { repository: this.#repositoryJson(repo) };
  }

  #describeRepositories(input: Input) {
    this.#checkRegistry(input);
    const names = optArray(input, 'repositoryNames');
    const nextToken = optString(input, 'nextToken');
    const maxResults = optInt(input, 'maxResults', 1, 1000);
    if (names) {
      if (nextToken || maxResults) {
        throw invalid(
          'repositoryNames cannot be combined with nextToken or maxResults',
        );
      }
      return {
        repositories: names.map(n =>
          this.#repositoryJson(this.#repo(String(n))),
        ),
      };
    }
    const all = Object.values(this.#state.data.ecr.repositories).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    const { page, next } = paginate(all, nextToken, maxResults, 100, () =>
      invalid("Invalid parameter at 'nextToken'"),
    );
    return {
      repositories: page.map(r => this.#repositoryJson(r)),
      nextToken: next,
    };
  }

  #deleteRepository(input: Input) {
    const repo = this.#repoFromInput(input);
    if (repo.images.length > 0 && input.force !== true) {
      throw new AwsError(
        400,
        'RepositoryNotEmptyException',
        `The repository with name '${repo.name}' in registry with id '${
          this.#account.accountId
        }' cannot be deleted because it still contains images`,
      );
    }
    this.#state.update(d => {
      delete d.ecr.repositories[repo.name];
    });
    return { repository: this.#repositoryJson(repo) };
  }

  #putImageScanningConfiguration(input: Input) {
    const repo = this.#repoFromInput(input);
    const config = optObject(input, 'imageScanningConfiguration');
    if (!config)
      throw invalid(
        "Invalid parameter at 'imageScanningConfiguration' failed to satisfy constraint: 'Member must not be null'",
      );
    this.#state.update(() => {
      repo.scanOnPush = config.scanOnPush === true;
    });
    return {
      ...this.#ids(repo),
      imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
    };
  }

  #putImageTagMutability(input: Input) {
    const repo = this.#repoFromInput(input);
    const mutability = reqString(input, 'imageTagMutability');
    if (mutability !== 'MUTABLE' && mutability !== 'IMMUTABLE') {
      throw invalid(
        `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`,
      );
    }
    this.#state.update(() => {
      repo.tagMutability = mutability;
    });
    return { ...this.#ids(repo), imageTagMutability: mutability };
  }

  // ------------------------------------------------------------ policies

  #putLifecyclePolicy(input: Input) {
    const repo = this.#repoFromInput(input);
    const text = reqString(input, 'lifecyclePolicyText');
    validateLifecyclePolicy(text);
    this.#state.update(() => {
      repo.lifecyclePolicy = { text, updatedAt: new Date().toISOString() };
    });
    return { ...this.#ids(repo), lifecyclePolicyText: text };
  }

  #lifecycle(repo: EcrRepository) {
    if (!repo.lifecyclePolicy) {
      throw new AwsError(
        400,
        'LifecyclePolicyNotFoundException',
        `Lifecycle policy does not exist for the repository with name '${
          repo.name
        }' in the registry with id '${this.#account.accountId}'`,
      );
    }
    return repo.lifecyclePolicy;
  }

  #getLifecyclePolicy(input: Input) {
    const repo = this.#repoFromInput(input);
    const policy = this.#lifecycle(repo);
    return {
      ...this.#ids(repo),
      lifecyclePolicyText: policy.text,
      lastEvaluatedAt: epochSeconds(policy.updatedAt),
    };
  }

  #deleteLifecyclePolicy(input: Input) {
    const repo = this.#repoFromInput(input);
    const policy = this.#lifecycle(repo);
    this.#state.update(() => {
      delete repo.lifecyclePolicy;
    });
    return {
      ...this.#ids(repo),
      lifecyclePolicyText: policy.text,
      lastEvaluatedAt: epochSeconds(policy.updatedAt),
    };
  }

  #setRepositoryPolicy(input: Input) {
    const repo = this.#repoFromInput(input);
    const text = reqString(input, 'policyText');
    validateRepositoryPolicy(text);
    this.#state.update(() => {
      repo.policy = text;
    });
    return { ...this.#ids(repo), policyText: text };
  }

  #repositoryPolicy(repo: EcrRepository): string {
    if (repo.policy === undefined) {
      throw new AwsError(
        400,
        'RepositoryPolicyNotFoundException',
        `Repository policy does not exist for the repository with name '${
          repo.name
        }' in the registry with id '${this.#account.accountId}'`,
      );
    }
    return repo.policy;
  }

  #getRepositoryPolicy(input: Input) {
    const repo = this.#repoFromInput(input);
    return { ...this.#ids(repo), policyText: this.#repositoryPolicy(repo) };
  }

  #deleteRepositoryPolicy(input: Input) {
    const repo = this.#repoFromInput(input);
    const text = this.#repositoryPolicy(repo);
    this.#state.update(() => {
      delete repo.policy;
    });
    return { ...this.#ids(repo), policyText: text };
  }

  // ------------------------------------------------------------ tags

  #tagResource(input: Input) {
    const repo = this.#repoFromArn(input);
    const tags = this.#parseTags(input, 'tags');
    const copy = structuredClone(repo);
    this.#mergeTags(copy, tags); // validates the limit before changing state
    this.#state.update(() => {
      repo.tags = copy.tags;
    });
    return {};
  }

  #untagResource(input: Input) {
    const repo = this.#repoFromArn(input);
    const keys = (optArray(input, 'tagKeys') ?? []).map(String);
    this.#state.update(() => {
      repo.tags = repo.tags.filter(t => !keys.includes(t.Key));
    });
    return {};
  }

  #listTagsForResource(input: Input) {
    const repo = this.#repoFromArn(input);
    return { tags: repo.tags.map(t => ({ ...t })) };
  }

  // ------------------------------------------------------------ images

  #putImageOp(input: Input) {
    const repo = this.#repoFromInput(input);
    const manifest = reqString(input, 'imageManifest');
    const tag = optString(input, 'imageTag');
    const givenDigest = optString(input, 'imageDigest');
    let parsed: { mediaType?: unknown; layers?: unknown; config?: unknown };
    try {
      parsed = JSON.parse(manifest);
    } catch {
      throw invalid(
        "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
      );
    }
    if (tag !== undefined && !IMAGE_TAG.test(tag)) {
      throw invalid(
        `Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression ${IMAGE_TAG.source}'`,
      );
    }
    const digest = `sha256:${sha256(manifest)}`;
    if (givenDigest !== undefined && givenDigest !== digest) {
      throw new AwsError(
        400,
        'ImageDigestDoesNotMatchException',
        `The specified digest '${givenDigest}' does not match the computed digest '${digest}' of the manifest.`,
      );
    }
    const mediaType =
      optString(input, 'imageManifestMediaType') ??
      (typeof parsed.mediaType === 'string'
        ? parsed.mediaType
        : DOCKER_MANIFEST);
    const image: EcrImage = {
      digest,
      tags: tag ? [tag] : [],
      pushedAt: new Date().toISOString(),
      sizeBytes: manifestSize(parsed, manifest),
      manifest,
      manifestMediaType: mediaType,
      scan: repo.scanOnPush ? completedScan({}) : undefined,
    };
    this.#state.update(() => this.#store(repo, image));
    return {
      image: {
        ...this.#ids(repo),
        imageId: { imageDigest: digest, imageTag: tag },
        imageManifest: manifest,
        imageManifestMediaType: mediaType,
      },
    };
  }

  #filteredImages(repo: EcrRepository, input: Input): EcrImage[] {
    const filter = optObject(input, 'filter');
    const tagStatus = filter ? optString(filter, 'tagStatus') ?? 'ANY' : 'ANY';
    if (!['ANY', 'TAGGED', 'UNTAGGED'].includes(tagStatus)) {
      throw invalid(
        `Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'`,
      );
    }
    return repo.images.filter(
      img =>
        tagStatus === 'ANY' ||
        (tagStatus === 'TAGGED' ? img.tags.length > 0 : img.tags.length === 0),
    );
  }

  #describeImages(input: Input) {
    const repo = this.#repoFromInput(input);
    const ids = optArray(input, 'imageIds');
    if (ids) {
      const details = ids.map(id => {
        const img = this.#image(repo, id as Input);
        if (!img) throw this.#imageNotFound(repo, id as Input);
        return this.#imageDetail(repo, img);
      });
      return { imageDetails: details };
    }
    const images = this.#filteredImages(repo, input);
    const { page, next } = paginate(
      images,
      optString(input, 'nextToken'),
      optInt(input, 'maxResults', 1, 1000),
      100,
      () => invalid("Invalid parameter at 'nextToken'"),
    );
    return {
      imageDetails: page.map(img => this.#imageDetail(repo, img)),
      nextToken: next,
    };
  }

  #listImages(input: Input) {
    const repo = this.#repoFromInput(input);
    const ids = this.#filteredImages(repo, input).flatMap(img =>
      img.tags.length
        ? img.tags.map(tag => ({ imageDigest: img.digest, imageTag: tag }))
        : [{ imageDigest: img.digest }],
    );
    const { page, next } = paginate(
      ids,
      optString(input, 'nextToken'),
      optInt(input, 'maxResults', 1, 1000),
      100,
      () => invalid("Invalid parameter at 'nextToken'"),
    );
    return { imageIds: page, nextToken: next };
  }

  #batchGetImage(input: Input) {
    const repo = this.#repoFromInput(input);
    const ids = optArray(input, 'imageIds') ?? [];
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const raw of ids) {
      const id = raw as Input;
      const img = this.#image(repo, id);
      if (!img) {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
        continue;
      }
      images.push({
        ...this.#ids(repo),
        imageId: {
          imageDigest: img.digest,
          imageTag: typeof id.imageTag === 'string' ? id.imageTag : undefined,
        },
        imageManifest: img.manifest,
        imageManifestMediaType: img.manifestMediaType,
      });
    }
    return { images, failures };
  }

  #describeImageScanFindings(input: Input) {
    const repo = this.#repoFromInput(input);
    const id = optObject(input, 'imageId');
    const img = this.#image(repo, id);
    if (!img) throw this.#imageNotFound(repo, id);
    if (!img.scan) {
      throw new AwsError(
        400,
        'ScanNotFoundException',
        `Image scan does not exist for the image with '{imageDigest:${
          img.digest
        }}' in the repository with name '${
          repo.name
        }' in the registry with id '${this.#account.accountId}'`,
      );
    }
    const { page, next } = paginate(
      img.scan.findings,
      optString(input, 'nextToken'),
      optInt(input, 'maxResults', 1, 1000),
      100,
      () => invalid("Invalid parameter at 'nextToken'"),
    );
    return {
      ...this.#ids(repo),
      imageId: {
        imageDigest: img.digest,
        imageTag: typeof id?.imageTag === 'string' ? id.imageTag : undefined,
      },
      imageScanStatus: {
        status: 'COMPLETE',
        description: 'The scan was completed successfully.',
      },
      imageScanFindings: {
        imageScanCompletedAt: epochSeconds(img.scan.completedAt),
        vulnerabilitySourceUpdatedAt: epochSeconds(img.scan.completedAt),
        findingSeverityCounts: { ...img.scan.counts },
        findings: page,
      },
      nextToken: next,
    };
  }

  #getAuthorizationToken() {
    const token = Buffer.from(
      `AWS:sandbox-${randomString(32, 'abcdef0123456789')}`,
    ).toString('base64');
    return {
      authorizationData: [
        {
          authorizationToken: token,
          expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600,
          proxyEndpoint: `https://${this.#account.accountId}.dkr.ecr.${
            this.#account.region
          }.amazonaws.com`,
        },
      ],
    };
  }
}

// ---------------------------------------------------------------- pure helpers

function policyError(field: string, why: string) {
  return invalid(
    `Invalid parameter at '${field}' failed to satisfy constraint: '${why}'`,
  );
}

/** Checks an ECR lifecycle policy: JSON with a non-empty `rules` list of well-formed rules. */
export function validateLifecyclePolicy(text: string): void {
  let doc: { rules?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw policyError(
      'LifecyclePolicyText',
      'Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy.',
    );
  }
  if (
    !doc ||
    typeof doc !== 'object' ||
    !Array.isArray(doc.rules) ||
    doc.rules.length === 0
  ) {
    throw policyError(
      'LifecyclePolicyText',
      'Lifecycle policy validation failure: object has missing required properties (["rules"])',
    );
  }
  const priorities = new Set<number>();
  for (const rule of doc.rules as Array<Record<string, unknown>>) {
    const selection = rule?.selection as Record<string, unknown> | undefined;
    const action = rule?.action as Record<string, unknown> | undefined;
    const priority = rule?.rulePriority;
    if (
      typeof priority !== 'number' ||
      !Number.isInteger(priority) ||
      priority < 1 ||
      priorities.has(priority)
    ) {
      throw policyError(
        'LifecyclePolicyText',
        'Lifecycle policy validation failure: rulePriority must be a unique positive integer',
      );
    }
    priorities.add(priority);
    if (
      !selection ||
      !['tagged', 'untagged', 'any'].includes(String(selection.tagStatus)) ||
      !['imageCountMoreThan', 'sinceImagePushed'].includes(
        String(selection.countType),
      ) ||
      typeof selection.countNumber !== 'number' ||
      selection.countNumber < 1
    ) {
      throw policyError(
        'LifecyclePolicyText',
        'Lifecycle policy validation failure: invalid selection',
      );
    }
    if (
      selection.countType === 'sinceImagePushed' &&
      selection.countUnit !== 'days'
    ) {
      throw policyError(
        'LifecyclePolicyText',
        "Lifecycle policy validation failure: countUnit must be 'days' for sinceImagePushed",
      );
    }
    if (
      selection.tagStatus === 'tagged' &&
      !Array.isArray(selection.tagPrefixList) &&
      !Array.isArray(selection.tagPatternList)
    ) {
      throw policyError(
        'LifecyclePolicyText',
        'Lifecycle policy validation failure: tagPrefixList or tagPatternList is required for tagged images',
      );
    }
    if (!action || action.type !== 'expire') {
      throw policyError(
        'LifecyclePolicyText',
        "Lifecycle policy validation failure: action.type must be 'expire'",
      );
    }
  }
}

/** Checks an ECR repository policy: JSON with a Statement. */
export function validateRepositoryPolicy(text: string): void {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw policyError('PolicyText', 'Invalid repository policy provided');
  }
  const statements = asList(doc?.Statement);
  if (statements.length === 0)
    throw policyError('PolicyText', 'Invalid repository policy provided');
  for (const s of statements as Array<Record<string, unknown>>) {
    if (
      !s ||
      (s.Effect !== 'Allow' && s.Effect !== 'Deny') ||
      (!s.Action && !s.NotAction) ||
      (!s.Principal && !s.NotPrincipal)
    ) {
      throw policyError('PolicyText', 'Invalid repository policy provided');
    }
  }
}

function manifestSize(
  parsed: { layers?: unknown; config?: unknown },
  manifest: string,
): number {
  let size = 0;
  if (Array.isArray(parsed.layers)) {
    for (const layer of parsed.layers) {
      const s = (layer as { size?: unknown })?.size;
      if (typeof s === 'number') size += s;
    }
  }
  return size > 0 ? size : Buffer.byteLength(manifest);
}

/** A Docker v2 manifest with one layer, derived from `seed` only. */
function syntheticManifest(seed: string, sizeBytes: number): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1470,
      digest: `sha256:${sha256(`config:${seed}`)}`,
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: sizeBytes,
        digest: `sha256:${sha256(`layer:${seed}`)}`,
      },
    ],
  });
}

const PACKAGES = [
  'openssl',
  'glibc',
  'zlib',
  'curl',
  'libxml2',
  'expat',
  'busybox',
  'ncurses',
];

/** A completed basic scan with the given counts and matching findings. */
function completedScan(
  counts: Partial<Record<Severity, number>>,
  at: Date = new Date(),
): NonNullable<EcrImage['scan']> {
  const clean: Partial<Record<Severity, number>> = {};
  const findings: ScanFinding[] = [];
  let n = 0;
  for (const severity of SEVERITIES) {
    const count = Math.max(0, Math.floor(counts[severity] ?? 0));
    if (count === 0) continue;
    clean[severity] = count;
    for (let i = 0; i < count && findings.length < 1000; i++, n++) {
      const cve = `CVE-2026-${String(10000 + n)}`;
      const pkg = PACKAGES[n % PACKAGES.length];
      findings.push({
        name: cve,
        description: `Sandbox finding ${
          n + 1
        } in ${pkg} (${severity.toLowerCase()}).`,
        uri: `https://security-tracker.debian.org/tracker/${cve}`,
        severity,
        attributes: [
          { key: 'package_name', value: pkg },
          { key: 'package_version', value: `1.${n % 10}.${n % 7}` },
        ],
      });
    }
  }
  return { completedAt: at.toISOString(), counts: clean, findings };
}
