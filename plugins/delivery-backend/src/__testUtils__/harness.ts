/*
 * Test wiring: a seeded sandbox, the app-config the backend would read
 * against it, and a backend started through the real HTTP stack with the
 * delivery plugin, a catalog holding the example org (two teams and a
 * platform team) and the entities tests add, and Slipway's real permission
 * policy over it.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BackendFeature,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import {
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  exampleOrg,
  policyPermissions,
} from '@internal/backstage-plugin-delivery-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, sandboxAppConfig, startSandbox } from '@internal/sandbox';
import { deliveryPlugin } from '../plugin';
import {
  createDeliveryUpstreams,
  deliveryUpstreamsServiceRef,
} from '../services/deliveryUpstreams';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const undiciFetch = require('undici').fetch as typeof fetch;

/**
 * A user an installation's stricter policy denies everything (the real
 * policy, wrapped), for the "read refused" paths.
 */
export const DENIED_USER = 'user:default/mallory';
/** Members of payments-team (owns payments-api), docs-team, platform-team. */
export const GUEST = 'user:default/guest';
export const DANA = 'user:default/dana';
export const PAT = 'user:default/pat';

/** The example org (examples/org.yaml) and mallory, who belongs to no team. */
export function orgEntities(): Entity[] {
  return [
    ...exampleOrg(),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'mallory', namespace: 'default' },
      spec: { memberOf: [] },
    },
  ];
}

/** The ownedBy relation the catalog derives from spec.owner. */
function withRelations(entity: Entity): Entity {
  const owner = entity.spec?.owner;
  if (entity.relations || typeof owner !== 'string') return entity;
  const ref = owner.includes(':') ? owner : `group:${owner}`;
  const [kind, rest] = ref.split(':');
  const targetRef = `${kind}:${rest.includes('/') ? rest : `default/${rest}`}`;
  return { ...entity, relations: [{ type: 'ownedBy', targetRef }] };
}
/** The user the catalog hides `component:default/payments-api` from. */
export const OUTSIDER = 'user:default/outsider';

export async function startTestSandbox(): Promise<Sandbox> {
  return startSandbox({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-delivery-')),
    ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
    seed: true,
    buildMs: 0,
    progressingMs: 100,
    reconcileIntervalMs: 0,
  });
}

/** app-config.yaml's upstream settings, pointed at this sandbox. */
export function sandboxConfigData(
  sb: Sandbox,
  delivery: JsonObject = {},
  argocdInstances: string[] = ['sandbox'],
): JsonObject {
  const data = sandboxAppConfig(sb);
  const [sandbox] = data.argocd.appLocatorMethods[0].instances;
  return {
    ...data,
    // Several Argo CD instances by name (all this sandbox's Argo CD).
    argocd: {
      appLocatorMethods: [
        {
          type: 'config',
          instances: argocdInstances.map(name => ({ ...sandbox, name })),
        },
      ],
    },
    slipway: { ...data.slipway, delivery },
  };
}

/** A component as examples/services.yaml declares it, in this sandbox. */
export function serviceEntity(
  name: string,
  annotations: Record<string, string | undefined> = {},
): Entity {
  const all: Record<string, string | undefined> = {
    'github.com/project-slug': `slipway-demo/${name}`,
    'jenkins.io/job-full-name': `slipway-demo/${name}`,
    'argocd/app-name': name,
    'aws.amazon.com/aws-ecr-repository-arn': `arn:aws:ecr:eu-west-1:123456789012:repository/${name}`,
    ...annotations,
  };
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: Object.fromEntries(
        Object.entries(all).filter(([, v]) => v !== undefined),
      ) as Record<string, string>,
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:payments-team',
    },
  };
}

export async function startDeliveryBackend(options: {
  sb: Sandbox;
  entities: Entity[];
  delivery?: JsonObject;
  argocdInstances?: string[];
  /** More config, merged at the top level (e.g. `events`). */
  config?: JsonObject;
  /** More backend features (e.g. the events backend and its GitHub modules). */
  features?: BackendFeature[];
}): Promise<{
  backend: TestBackend;
  server: TestBackend['server'];
  auditEvents: Array<{ eventId: string; outcome: string; meta: unknown }>;
}> {
  const entities = [...orgEntities(), ...options.entities.map(withRelations)];
  const catalog = catalogServiceMock({ entities });
  const visible = catalogServiceMock.mock({
    getEntityByRef: async (ref, opts) => {
      const { credentials } = opts as { credentials: BackstageCredentials };
      const principal = credentials.principal as { userEntityRef?: string };
      if (
        principal.userEntityRef === OUTSIDER &&
        ref === 'component:default/payments-api'
      ) {
        return undefined;
      }
      return catalog.getEntityByRef(ref, opts!);
    },
  });
  const policy = policyPermissions({ catalog: visible, entities });
  const auditEvents: Array<{
    eventId: string;
    outcome: string;
    meta: unknown;
  }> = [];
  const backend = await startTestBackend({
    features: [
      deliveryPlugin,
      mockServices.rootConfig.factory({
        data: {
          ...sandboxConfigData(
            options.sb,
            options.delivery,
            options.argocdInstances,
          ),
          ...options.config,
        },
      }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () => visible,
      }),
      mockServices.permissions.mock({
        authorize: async (requests, opts) => {
          const principal = (opts?.credentials?.principal ?? {}) as {
            userEntityRef?: string;
          };
          if (principal.userEntityRef === DENIED_USER) {
            return requests.map(() => ({ result: AuthorizeResult.DENY }));
          }
          return policy.authorize(requests, opts!);
        },
      }).factory,
      createServiceFactory({
        service: coreServices.auditor,
        deps: {},
        factory: () => ({
          createEvent: async ({ eventId, meta }) => ({
            success: async o => {
              auditEvents.push({
                eventId,
                outcome: 'success',
                meta: { ...meta, ...o?.meta },
              });
            },
            fail: async o => {
              auditEvents.push({
                eventId,
                outcome: 'failure',
                meta: { ...meta, error: o.error.message },
              });
            },
          }),
        }),
      }),
      ...(options.features ?? []),
      createServiceFactory({
        service: deliveryUpstreamsServiceRef,
        deps: { config: coreServices.rootConfig },
        factory: ({ config }) =>
          createDeliveryUpstreams(config, { fetch: undiciFetch }),
      }),
    ],
  });
  return { backend, server: backend.server, auditEvents };
}
