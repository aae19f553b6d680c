/*
 * ECR images and their tags: PutImage, DescribeImages, ListImages and
 * BatchGetImage, plus the programmatic push the Jenkins pipeline and the
 * seed use. Tag immutability is enforced here for both.
 */

import crypto from 'node:crypto';
import { EcrImage, EcrRepository } from './model';
import {
  EcrOperation,
  Input,
  invalid,
  optArray,
  optObject,
  optString,
  pageOf,
  reqString,
} from './ecrInput';
import { EcrRegistry } from './ecrRegistry';
import { completedScan, SCAN_COMPLETE, scanSummary } from './ecrScanning';
import { AwsError, epochSeconds } from './protocols';

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

function sha256(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * Records a pushed image. Without `digest` the manifest is derived from
 * repository and tag, so pushing the same tag again is a no-op. An
 * existing tag on another digest moves (MUTABLE) or throws
 * ImageTagAlreadyExistsException (IMMUTABLE).
 */
export function pushImage(
  registry: EcrRegistry,
  repositoryName: string,
  tag: string,
  opts: PutImageOptions,
): { digest: string } {
  const repo = registry.repo(repositoryName);
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
  registry.state.update(() => {
    storeImage(registry, repo, {
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

/** Adds an image (or a tag to an existing one), enforcing tag immutability. */
function storeImage(
  registry: EcrRegistry,
  repo: EcrRepository,
  image: EcrImage,
) {
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
      }' in registry with id '${registry.account.accountId}'`,
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

/** The images the input's `filter.tagStatus` (TAGGED, UNTAGGED, ANY) selects. */
function filteredImages(repo: EcrRepository, input: Input): EcrImage[] {
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

/** The image operations, by name. */
export function imageOperations(
  registry: EcrRegistry,
): Record<string, EcrOperation> {
  const imageDetail = (repo: EcrRepository, img: EcrImage) => ({
    ...registry.ids(repo),
    imageDigest: img.digest,
    imageTags: img.tags.length ? [...img.tags] : undefined,
    imageSizeInBytes: img.sizeBytes,
    imagePushedAt: epochSeconds(img.pushedAt),
    imageManifestMediaType: img.manifestMediaType,
    artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    imageScanStatus: img.scan ? { ...SCAN_COMPLETE } : undefined,
    imageScanFindingsSummary: img.scan ? scanSummary(img.scan) : undefined,
  });

  return {
    PutImage(input) {
      const repo = registry.repoFromInput(input);
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
      registry.state.update(() => storeImage(registry, repo, image));
      return {
        image: {
          ...registry.ids(repo),
          imageId: { imageDigest: digest, imageTag: tag },
          imageManifest: manifest,
          imageManifestMediaType: mediaType,
        },
      };
    },

    DescribeImages(input) {
      const repo = registry.repoFromInput(input);
      const ids = optArray(input, 'imageIds');
      if (ids) {
        const details = ids.map(id => {
          const img = registry.image(repo, id as Input);
          if (!img) throw registry.imageNotFound(repo, id as Input);
          return imageDetail(repo, img);
        });
        return { imageDetails: details };
      }
      const { page, next } = pageOf(filteredImages(repo, input), input);
      return {
        imageDetails: page.map(img => imageDetail(repo, img)),
        nextToken: next,
      };
    },

    ListImages(input) {
      const repo = registry.repoFromInput(input);
      const ids = filteredImages(repo, input).flatMap(img =>
        img.tags.length
          ? img.tags.map(tag => ({ imageDigest: img.digest, imageTag: tag }))
          : [{ imageDigest: img.digest }],
      );
      const { page, next } = pageOf(ids, input);
      return { imageIds: page, nextToken: next };
    },

    BatchGetImage(input) {
      const repo = registry.repoFromInput(input);
      const ids = optArray(input, 'imageIds') ?? [];
      const images: unknown[] = [];
      const failures: unknown[] = [];
      for (const raw of ids) {
        const id = raw as Input;
        const img = registry.image(repo, id);
        if (!img) {
          failures.push({
            imageId: id,
            failureCode: 'ImageNotFound',
            failureReason: 'Requested image not found',
          });
          continue;
        }
        images.push({
          ...registry.ids(repo),
          imageId: {
            imageDigest: img.digest,
            imageTag: typeof id.imageTag === 'string' ? id.imageTag : undefined,
          },
          imageManifest: img.manifest,
          imageManifestMediaType: img.manifestMediaType,
        });
      }
      return { images, failures };
    },
  };
}

/** The layers' total size, or the manifest's own when it lists none. */
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
