import {
  OWNER_TAG,
  ownerTagValue,
} from '@internal/backstage-plugin-delivery-common';
import { bindingOf } from '../identity/ServiceAccess';

/** An entity ref in the form a Kubernetes label value can hold. */
function labelForm(entityRef: string): string {
  return entityRef.replace(/[:/]/g, '.');
}

/**
 * The `slipway.io/owner` label value of a service's Argo CD Application.
 * The owner tag's value (`component:default/<name>`) cannot be a Kubernetes
 * label value (`:` and `/` are not allowed there), so the label carries the
 * same ref with both replaced by `.`: `component.default.<name>` (at most
 * 58 characters for a 40-character service name, under the 63 limit). The
 * exact ref is kept in the annotation of the same key.
 *
 * @public
 */
export function ownerLabelValue(name: string, namespace = 'default'): string {
  return labelForm(ownerTagValue(name, namespace));
}

/** Labels and annotations marking an Application as owned by a service. @public */
export function ownershipMetadata(name: string): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: {
      'app.kubernetes.io/managed-by': 'slipway',
      [OWNER_TAG]: ownerLabelValue(name),
    },
    annotations: { [OWNER_TAG]: ownerTagValue(name) },
  };
}

/**
 * True when the Application is bound to `entityRef`: its OWNER_TAG
 * annotation holds that exact ref, or (without the annotation) its label
 * holds the label form of it.
 *
 * @public
 */
export function isBoundTo(
  app: {
    metadata?: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
  },
  entityRef: string,
): boolean {
  const ref = bindingOf(entityRef);
  const annotation = app.metadata?.annotations?.[OWNER_TAG];
  if (annotation !== undefined) return annotation.toLowerCase() === ref;
  return app.metadata?.labels?.[OWNER_TAG] === labelForm(ref);
}

/** True when the Application is bound to the service `name` (default namespace). @public */
export function isOwnedBy(
  app: Parameters<typeof isBoundTo>[0],
  name: string,
): boolean {
  return isBoundTo(app, ownerTagValue(name));
}
