import {
  AnnotationReading,
  ownerTagValue,
} from '@internal/backstage-plugin-delivery-common';
import { SectionCache, SectionLoadError } from '../SectionCache';
import { DeliverySettings, isAllowed } from '../settings';
import { DeliveryUpstreams } from '../upstreams';

/**
 * A section's source: the upstream resource it reads (its cache key, with
 * the entity and the section) and how to load it. A plan function reads
 * the entity's annotations and either throws (with `missing`) what is not
 * configured, before any call, or returns a plan.
 */
export interface Plan<T> {
  resource: string;
  load: () => Promise<T>;
}

/** What every section planner may use. */
export interface SectionContext {
  upstreams: DeliveryUpstreams;
  settings: DeliverySettings;
  /** Shared answers (the helm-charts branch list) kept one TTL. */
  cache: SectionCache;
  /** Ownership answers (they change rarely), kept ten TTLs. */
  ownership: SectionCache;
  /** The oldest time lists are read back to (the DORA window). */
  since(): string;
  /**
   * An environment's pod restarts in the last hour, from the restart
   * counts sampled in the delivery history; undefined without a history or
   * when it cannot be read.
   */
  restartsLastHour?(
    entityRef: string,
    environment: string,
    pods: Array<{ name: string; restarts: number; createdAt?: string }>,
  ): Promise<{ restarts: number; since?: string } | undefined>;
}

/** The upstream each section reads, for failure messages. */
export const UPSTREAM_OF: Record<string, string> = {
  source: 'GitHub',
  build: 'CI',
  image: 'ECR',
  sync: 'Argo CD',
  runtime: 'Argo CD',
  gitops: 'helm-charts (GitHub)',
};

/** Ends planning: the entity does not configure this section. */
export function missing(message: string): never {
  throw new SectionLoadError({ kind: 'not-configured', message });
}

/** Ends a load: the resource is not this entity's to show. */
export function forbidden(message: string): never {
  throw new SectionLoadError({ kind: 'forbidden', message });
}

/**
 * Ends planning, before any call, when an annotation names something
 * outside the portal's allow-list (`slipway.delivery.allowed.<setting>`).
 */
export function assertAllowed(
  list: string[],
  value: string,
  annotation: string,
  setting: string,
): void {
  if (isAllowed(list, value)) return;
  forbidden(
    `${annotation} names ${value}, outside slipway.delivery.allowed.${setting} (${
      list.join(', ') || 'none'
    }); Slipway does not read it`,
  );
}

/** The owner binding an upstream resource of `entity` must carry. */
export function bindingOf(entity: {
  metadata: { name: string; namespace?: string };
}): string {
  return ownerTagValue(entity.metadata.name, entity.metadata.namespace);
}

/** Ends a load: the resource carries no binding, so it is not shown. */
export function notProven(
  resource: string,
  entityRef: string,
  why = `it carries no slipway.io/owner binding to ${entityRef}`,
): never {
  forbidden(`${resource} is not proven to belong to this service: ${why}`);
}

/**
 * An annotation's value (delivery-common's reading); ends planning as
 * `missing` when it is not set (with `absent`) or cannot be used.
 */
export function read<T>(
  reading: AnnotationReading<T> | undefined,
  absent = 'Not configured',
): T {
  if (!reading) missing(absent);
  if (!reading.ok) missing(reading.problem);
  return reading.value;
}
