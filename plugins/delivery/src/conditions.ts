import type { Entity } from '@backstage/catalog-model';
import { ANNOTATIONS } from '@internal/backstage-plugin-delivery-common';

/**
 * The annotations that say an entity is deployed the Slipway way (CI job,
 * ECR repository, Argo CD application or chart). `github.com/project-slug`
 * alone is not one: every repository has it, libraries too.
 */
const DELIVERY_ANNOTATIONS = [
  ANNOTATIONS.jenkinsJobFullName,
  ANNOTATIONS.ecrRepositoryArn,
  ANNOTATIONS.argocdAppName,
  ANNOTATIONS.argocdAppSelector,
  ANNOTATIONS.chartPath,
];

/**
 * True when the entity carries any delivery annotation, so the delivery
 * cards and the Delivery tab have something to show. Each card then says
 * plainly which of its own annotations is missing.
 *
 * @public
 */
export function isDeliveryAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return DELIVERY_ANNOTATIONS.some(name => Boolean(annotations[name]));
}
