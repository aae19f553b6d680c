import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  ENVIRONMENT_LABEL,
  EnvironmentSync,
  HealthStatus,
  OWNER_TAG,
  readDeliveryAnnotations,
  SyncSection,
  SyncStatus,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplication,
  isBoundTo,
} from '@internal/backstage-plugin-delivery-node';
import { DeliveryUpstreams } from '../upstreams';
import {
  assertAllowed,
  bindingOf,
  forbidden,
  missing,
  notProven,
  Plan,
  read,
  SectionContext,
} from './plan';

const HEALTH: HealthStatus[] = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
];

/** Argo CD's health status name as the page knows it; anything else is Unknown. */
export function healthStatusOf(status: string | undefined): HealthStatus {
  return HEALTH.find(h => h === status) ?? 'Unknown';
}

/**
 * The Argo CD applications an entity's annotations name, on which
 * instances: ends planning (before any call) when they are missing, name
 * an unknown instance, or one outside `slipway.delivery.allowed`.
 */
export function argocdTarget(
  ctx: Pick<SectionContext, 'upstreams' | 'settings'>,
  entity: Entity,
) {
  const {
    instance: instanceName,
    appName,
    selector,
  } = read(
    readDeliveryAnnotations(entity).argocdApplications,
    `No ${ANNOTATIONS.argocdAppName} or ${ANNOTATIONS.argocdAppSelector} annotation`,
  );
  if (!ctx.upstreams.argocd.has(instanceName)) {
    missing(`No Argo CD instance named '${instanceName}' in argocd config`);
  }
  // A selector reads every instance the environments use (one list per
  // instance, whatever the number of environments); an app name, or an
  // instance named on the entity, reads that one instance.
  const instanceNames =
    appName || instanceName
      ? [instanceName]
      : [
          // By client name: an environment naming the default instance and
          // one naming none share its one list.
          ...new Set(
            ctx.settings.road.map(
              e => ctx.upstreams.argocd.get(e.argocd.instance).name,
            ),
          ),
        ];
  const allowedInstances = ctx.settings.allowed.argocdInstances;
  if (allowedInstances) {
    for (const n of instanceNames) {
      assertAllowed(
        allowedInstances,
        ctx.upstreams.argocd.get(n).name,
        ANNOTATIONS.argocdInstance,
        'argocdInstances',
      );
    }
  }
  return { instanceName, instanceNames, appName, selector };
}

/**
 * Argo CD: the application named by `argocd/app-name`, or those matching
 * `argocd/app-selector`, one per environment; an application bound to
 * another entity is refused.
 */
export function planSync(
  ctx: SectionContext,
  entity: Entity,
): Plan<SyncSection> {
  const { instanceNames, appName, selector } = argocdTarget(ctx, entity);
  const entityRef = bindingOf(entity);
  return {
    resource: `${instanceNames.map(n => n ?? '').join(',')}:${
      appName ?? selector
    }`,
    load: async () => {
      const lists = await Promise.all(
        instanceNames.map(async n => {
          const client = ctx.upstreams.argocd.get(n);
          const apps = appName
            ? [await client.getApplication(appName)]
            : await client.listApplications({ selector });
          return apps.map(app => ({ client, app }));
        }),
      );
      const apps = lists.flat();
      // delivery-node's binding rule: the owner annotation, else the label.
      for (const { app } of apps) {
        const { annotations, labels } = app.metadata;
        const binding = annotations?.[OWNER_TAG] ?? labels?.[OWNER_TAG];
        if (binding === undefined) {
          if (ctx.settings.requireBinding.argocd) {
            notProven(`Argo CD application ${app.metadata.name}`, entityRef);
          }
        } else if (!isBoundTo(app, entityRef)) {
          forbidden(
            `Argo CD application ${app.metadata.name} belongs to ${binding}, not ${entityRef}`,
          );
        }
      }
      const order = ctx.settings.environments;
      const rank = (e: string) =>
        order.indexOf(e) === -1 ? order.length : order.indexOf(e);
      const environments = apps
        .map(({ client, app }) =>
          environmentSync(client, app, ctx.settings.historyLimit),
        )
        .sort((x, y) => rank(x.environment) - rank(y.environment));
      return { environments };
    },
  };
}

/**
 * The environment an application deploys: its ENVIRONMENT_LABEL, else its
 * `values-<env>.yaml`, else its name.
 */
export function environmentOf(app: ArgoApplication): string {
  const label = app.metadata.labels?.[ENVIRONMENT_LABEL];
  if (label) return label;
  const files = app.spec.source?.helm?.valueFiles ?? [];
  for (const f of files) {
    const m = /(?:^|\/)values-([a-z0-9-]+)\.ya?ml$/.exec(f);
    if (m) return m[1];
  }
  return app.metadata.name ?? 'default';
}

/** One application as the page shows it. */
export function environmentSync(
  client: ReturnType<DeliveryUpstreams['argocd']['get']>,
  app: ArgoApplication,
  historyLimit: number,
): EnvironmentSync {
  const st = app.status ?? {};
  const health = healthStatusOf(st.health?.status);
  const sync: SyncStatus =
    st.sync?.status === 'Synced' || st.sync?.status === 'OutOfSync'
      ? st.sync.status
      : 'Unknown';
  const name = app.metadata.name ?? '';
  const history = (st.history ?? [])
    .filter(h => h.revision && h.deployedAt)
    .map(h => ({
      id: Number(h.id ?? 0),
      revision: h.revision!,
      deployStartedAt: h.deployStartedAt,
      deployedAt: h.deployedAt!,
      ...(h.initiatedBy?.automated ? { automated: true } : {}),
    }))
    .sort((x, y) => y.id - x.id)
    .slice(0, historyLimit);
  const op = st.operationState;
  return {
    environment: environmentOf(app),
    instance: client.name,
    appName: name,
    appUrl: client.applicationUrl(name, app.metadata.namespace),
    syncStatus: sync,
    healthStatus: health,
    healthMessage: st.health?.message,
    healthSince: st.health?.lastTransitionTime,
    revision: st.sync?.revision,
    images: st.summary?.images ?? [],
    operation: op?.phase
      ? {
          phase: op.phase,
          message: op.message,
          startedAt: op.startedAt,
          finishedAt: op.finishedAt,
          ...selfHealOf(op),
        }
      : undefined,
    history,
  };
}

/** A self-heal sync: automated, counting its attempts (Argo CD sets both). */
function selfHealOf(
  op: NonNullable<NonNullable<ArgoApplication['status']>['operationState']>,
): { selfHeal?: { attempts: number } } {
  const attempts = Number(op.operation?.sync?.autoHealAttemptsCount ?? 0);
  return op.operation?.initiatedBy?.automated && attempts > 0
    ? { selfHeal: { attempts } }
    : {};
}
