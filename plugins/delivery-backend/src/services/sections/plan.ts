import { Entity } from '@backstage/catalog-model';
import { SectionCache, SectionLoadError } from '../SectionCache';
import { DeliverySettings, isAllowed } from '../settings';
import { DeliveryUpstreams } from '../upstreams';

/**
 * A section's source: what to cache it under and how to load it. A plan
 * function reads the entity's annotations and either throws (with
 * `missing`) what is not configured, before any call, or returns a plan.
 */
export interface Plan<T> {
  key: string;
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
}

/** The upstream each section reads, for failure messages. */
export const UPSTREAM_OF: Record<string, string> = {
  source: 'GitHub',
  build: 'CI',
  image: 'ECR',
  sync: 'Argo CD',
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

/** Ends a load: the resource carries no binding, so it is not shown. */
export function notProven(
  resource: string,
  entityRef: string,
  why = `it carries no slipway.io/owner binding to ${entityRef}`,
): never {
  forbidden(`${resource} is not proven to belong to this service: ${why}`);
}

const SLUG = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

/** `<owner>/<repo>` from an annotation; undefined when it is not set. */
export function slugOf(entity: Entity, annotation: string) {
  const slug = entity.metadata.annotations?.[annotation];
  if (slug === undefined) return undefined;
  if (!SLUG.test(slug) || slug.includes('..')) {
    missing(`${annotation} must be <owner>/<repo> (got '${slug}')`);
  }
  const [owner, repo] = slug.split('/');
  return { owner, repo, slug };
}
