import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';
import type { ArgoApplication } from '@internal/backstage-plugin-delivery-node';
import { environmentOf } from '../services/sections/sync';
import type { DeliveryUpstreams } from '../services/upstreams';
import type { DeliveryHistory, HealthObservation } from './DeliveryHistory';

/**
 * The entity an Application is bound to: its OWNER_TAG annotation (the
 * exact ref), else its label (`kind.namespace.name`, the label form).
 */
function boundEntity(app: ArgoApplication): string | undefined {
  const annotation = app.metadata.annotations?.[OWNER_TAG];
  if (annotation) return annotation.toLowerCase();
  const label = app.metadata.labels?.[OWNER_TAG];
  const m = label ? /^([a-z]+)\.([a-z0-9-]+)\.(.+)$/.exec(label) : null;
  return m ? `${m[1]}:${m[2]}/${m[3]}` : undefined;
}

/** What one poll saw and recorded. */
export interface HealthPollResult {
  /** Argo CD list calls: one per instance. */
  calls: number;
  applications: number;
  recorded: number;
}

/**
 * One pass of the health poll: every Application bound to a Slipway
 * service, one list per Argo CD instance (whatever the number of
 * services), recorded where its health or revision changed. Scheduled with
 * the scheduler's global scope, so one replica runs it per interval.
 */
export async function pollHealth(options: {
  upstreams: DeliveryUpstreams;
  history: DeliveryHistory;
}): Promise<HealthPollResult> {
  const { upstreams, history } = options;
  const observations: HealthObservation[] = [];
  const names = upstreams.argocd.names();
  for (const name of names) {
    const client = upstreams.argocd.get(name);
    const apps = await client.listApplications({ selector: OWNER_TAG });
    for (const app of apps) {
      const entityRef = boundEntity(app);
      const appName = app.metadata.name;
      if (!entityRef || !appName) continue;
      const health = app.status?.health;
      observations.push({
        entityRef,
        environment: environmentOf(app),
        instance: client.name,
        appName,
        status: health?.status ?? 'Unknown',
        revision: app.status?.sync?.revision,
        since: health?.lastTransitionTime,
      });
    }
  }
  const recorded = await history.recordHealth(observations);
  return { calls: names.length, applications: observations.length, recorded };
}
