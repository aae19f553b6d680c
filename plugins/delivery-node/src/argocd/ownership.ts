import {
  OWNER_TAG,
  ownerTagValue,
} from '@internal/backstage-plugin-delivery-common';

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
  return ownerTagValue(name, namespace).replace(/[:/]/g, '.');
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

/** True when the Application carries this service's owner label. @public */
export function isOwnedBy(
  app: { metadata?: { labels?: Record<string, string> } },
  name: string,
): boolean {
  return app.metadata?.labels?.[OWNER_TAG] === ownerLabelValue(name);
}
