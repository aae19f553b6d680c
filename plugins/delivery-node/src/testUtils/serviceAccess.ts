import { AuditorService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ServiceAccess } from '../identity/ServiceAccess';
import { policyPermissions } from './policyPermissions';

/** The example org: guest in payments-team, dana in docs-team, pat in platform-team. */
export function exampleOrg(): Entity[] {
  const user = (name: string, memberOf: string[]): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf },
  });
  const group = (name: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
  });
  return [
    user('guest', ['payments-team']),
    user('dana', ['docs-team']),
    user('pat', ['platform-team']),
    group('payments-team'),
    group('docs-team'),
    group('platform-team'),
  ];
}

/** A Component owned by `owner` (a group name), with its ownedBy relation. */
export function serviceComponent(
  ref: string,
  owner = 'payments-team',
  annotations: Record<string, string> = {},
): Entity {
  const { namespace, name } = parseEntityRef(ref, { defaultKind: 'component' });
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace, annotations },
    spec: { type: 'service', lifecycle: 'production', owner: `group:${owner}` },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

/** An audit event as a test reads it back. */
export interface RecordedAuditEvent {
  eventId: string;
  outcome: 'success' | 'failure';
  meta: Record<string, unknown>;
}

/** An auditor that keeps every event. */
export function recordingAuditor(): AuditorService & {
  events: RecordedAuditEvent[];
} {
  const events: RecordedAuditEvent[] = [];
  return {
    events,
    async createEvent({ eventId, meta }) {
      return {
        async success(o) {
          events.push({
            eventId,
            outcome: 'success',
            meta: { ...meta, ...o?.meta },
          });
        },
        async fail(o) {
          events.push({
            eventId,
            outcome: 'failure',
            meta: { ...meta, ...o.meta, error: o.error.message },
          });
        },
      };
    },
  };
}

/**
 * A {@link ServiceAccess} over a test catalog holding the example org and
 * `entities`, deciding with Slipway's real policy. With `ownerOfUnknown`,
 * any other `component:default/<name>` the tests name reads as a service
 * owned by that group (so action tests can use fresh names per test).
 */
export function testServiceAccess(
  options: { entities?: Entity[]; ownerOfUnknown?: string } = {},
) {
  const entities = [...exampleOrg(), ...(options.entities ?? [])];
  const known = catalogServiceMock({ entities });
  const catalog = catalogServiceMock.mock({
    getEntityByRef: async (ref, opts) => {
      const found = await known.getEntityByRef(ref, opts!);
      if (found || !options.ownerOfUnknown) return found;
      const parsed =
        typeof ref === 'string'
          ? parseEntityRef(ref, { defaultKind: 'component' })
          : ref;
      if (parsed.kind.toLowerCase() !== 'component') return undefined;
      if ((parsed.namespace ?? 'default') !== 'default') return undefined;
      return serviceComponent(
        `component:default/${parsed.name}`,
        options.ownerOfUnknown,
      );
    },
  });
  const auditor = recordingAuditor();
  const permissions = policyPermissions({
    catalog,
    entities,
  });
  const access = new ServiceAccess({ catalog, permissions, auditor });
  return { access, catalog, auditor, permissions };
}
