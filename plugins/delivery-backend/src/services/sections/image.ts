import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  ImageSection,
  OWNER_TAG,
  readDeliveryAnnotations,
  SyncSection,
} from '@internal/backstage-plugin-delivery-common';
import { SectionLoadError } from '../SectionCache';
import {
  assertAllowed,
  bindingOf,
  forbidden,
  notProven,
  read,
  Plan,
  SectionContext,
} from './plan';

/**
 * The ECR repository's images, in an allowed AWS account, shown only when
 * the repository is bound to this entity (its owner tag; without one it is
 * "not proven to belong" unless `requireBinding.ecr` is false).
 */
export function planImage(
  ctx: SectionContext,
  ref: string,
  entity: Entity,
): Plan<ImageSection> {
  const { arn, accountId } = read(
    readDeliveryAnnotations(entity).ecrRepository,
    `No ${ANNOTATIONS.ecrRepositoryArn} annotation`,
  );
  assertAllowed(
    ctx.settings.allowed.awsAccounts,
    accountId,
    ANNOTATIONS.ecrRepositoryArn,
    'awsAccounts',
  );
  const expected = bindingOf(entity);
  return {
    resource: arn,
    load: async () => {
      const ecr = ctx.upstreams.ecr;
      // The owner check runs beside the images call, not before it.
      const [owner, images] = await Promise.all([
        ctx.ownership.get(
          { entityRef: ref, section: 'ecr-binding', resource: arn },
          () => ecr.getOwnerTag(arn),
        ),
        ecr.listImages(arn, { limit: ctx.settings.listLimit }),
      ]);
      if (owner.state === 'error') {
        throw new SectionLoadError({
          kind: 'upstream',
          message: owner.error!.message,
        });
      }
      if (owner.data === undefined && ctx.settings.requireBinding.ecr) {
        notProven(`ECR repository ${images.repositoryName}`, expected);
      }
      if (owner.data !== undefined && owner.data !== expected) {
        forbidden(
          `${ANNOTATIONS.ecrRepositoryArn} names ${images.repositoryName}, whose ${OWNER_TAG} tag says it belongs to ${owner.data}, not ${expected}`,
        );
      }
      return images;
    },
  };
}

/** Fills each image's `environments` from the applications' running images. */
export function withEnvironments(
  image: ImageSection,
  sync: SyncSection,
): ImageSection {
  return {
    ...image,
    images: image.images.map(img => ({
      ...img,
      environments: sync.environments
        .filter(env =>
          env.images.some(
            running =>
              img.tags.some(t => running === `${image.repositoryUri}:${t}`) ||
              running.endsWith(`@${img.digest}`),
          ),
        )
        .map(env => env.environment),
    })),
  };
}
