/*
 * Health as Argo CD assesses it: the built-in checks of gitops-engine
 * (pkg/health: Deployment, ReplicaSet, Pod, HorizontalPodAutoscaler,
 * Service, Ingress) ported from Go, the Lua customizations for Argo
 * Rollouts (rolloutLua.ts), and the application's health as the worst of
 * its managed resources (controller/health.go).
 */

import { analysisRunHealth, LuaObject, rolloutHealth } from './rolloutLua';

/** A resource's health; `status` is one of Argo CD's health codes. */
export interface Health {
  status: string;
  message?: string;
}

/** Argo CD's order, most healthy first (gitops-engine health.healthOrder). */
const HEALTH_ORDER = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

/** Whether `next` is a worse health code than `current` (health.IsWorse). */
export function isWorse(current: string, next: string): boolean {
  return HEALTH_ORDER.indexOf(next) > HEALTH_ORDER.indexOf(current);
}

const cond = (obj: LuaObject, type: string) =>
  ((obj.status?.conditions ?? []) as LuaObject[]).find(c => c.type === type);

function deploymentHealth(d: LuaObject): Health {
  if (d.spec?.paused) {
    return { status: 'Suspended', message: 'Deployment is paused' };
  }
  const status = d.status ?? {};
  const generation = d.metadata?.generation ?? 0;
  if (generation > (status.observedGeneration ?? 0)) {
    return {
      status: 'Progressing',
      message:
        'Waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  }
  const progressing = cond(d, 'Progressing');
  const replicas = d.spec?.replicas;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      status: 'Degraded',
      message: `Deployment "${d.metadata?.name}" exceeded its progress deadline`,
    };
  }
  if (replicas !== undefined && updated < replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
    };
  }
  if (total > updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${
        total - updated
      } old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { status: 'Healthy' };
}

function replicaSetHealth(rs: LuaObject): Health {
  const status = rs.status ?? {};
  if ((rs.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return {
      status: 'Progressing',
      message:
        'Waiting for rollout to finish: observed replica set generation less than desired generation',
    };
  }
  const failure = cond(rs, 'ReplicaFailure');
  if (failure?.status === 'True') {
    return { status: 'Degraded', message: failure.message };
  }
  const replicas = rs.spec?.replicas;
  const available = status.availableReplicas ?? 0;
  if (replicas !== undefined && available < replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} out of ${replicas} new replicas are available...`,
    };
  }
  return { status: 'Healthy' };
}

function podHealth(pod: LuaObject): Health {
  const status = pod.status ?? {};
  const containers: LuaObject[] = status.containerStatuses ?? [];
  const always = (pod.spec?.restartPolicy ?? 'Always') === 'Always';
  if (always) {
    const messages: string[] = [];
    for (const c of containers) {
      const reason: string = c.state?.waiting?.reason ?? '';
      if (
        reason.startsWith('Err') ||
        reason.endsWith('Error') ||
        reason.endsWith('BackOff')
      ) {
        messages.push(c.state.waiting.message ?? '');
      }
    }
    if (messages.length) {
      return { status: 'Degraded', message: messages.join(', ') };
    }
  }
  const msg = (m: unknown) => (m ? { message: String(m) } : {});
  switch (status.phase) {
    case 'Pending':
      return { status: 'Progressing', ...msg(status.message) };
    case 'Succeeded':
      return { status: 'Healthy', ...msg(status.message) };
    case 'Failed':
      return { status: 'Degraded', ...msg(status.message) };
    case 'Running': {
      if (!always) return { status: 'Progressing', ...msg(status.message) };
      const ready = (status.conditions ?? []).some(
        (c: LuaObject) => c.type === 'Ready' && c.status === 'True',
      );
      if (ready) return { status: 'Healthy', ...msg(status.message) };
      if (containers.some(c => c.lastState?.terminated)) {
        return { status: 'Degraded', ...msg(status.message) };
      }
      return { status: 'Progressing', ...msg(status.message) };
    }
    default:
      return { status: 'Unknown', ...msg(status.message) };
  }
}

const HPA_DEGRADED = new Set([
  'AbleToScale/FailedGetScale',
  'AbleToScale/FailedUpdateScale',
  'ScalingActive/FailedGetResourceMetric',
  'ScalingActive/FailedGetObjectMetric',
  'ScalingActive/FailedGetPodsMetric',
  'ScalingActive/FailedGetExternalMetric',
  'ScalingActive/FailedComputeMetricsReplicas',
  'ScalingActive/InvalidSelector',
]);

function hpaHealth(hpa: LuaObject): Health {
  const conditions: LuaObject[] = hpa.status?.conditions ?? [];
  const degraded = conditions.find(c =>
    HPA_DEGRADED.has(`${c.type}/${c.reason}`),
  );
  if (degraded) return { status: 'Degraded', message: degraded.message };
  const healthy = conditions.find(
    c =>
      (c.type === 'AbleToScale' || c.type === 'ScalingLimited') &&
      c.status === 'True',
  );
  if (healthy) return { status: 'Healthy', message: healthy.message };
  return { status: 'Progressing', message: 'Waiting to Autoscale' };
}

function serviceHealth(svc: LuaObject): Health {
  if (svc.spec?.type === 'LoadBalancer') {
    return svc.status?.loadBalancer?.ingress?.length
      ? { status: 'Healthy' }
      : { status: 'Progressing' };
  }
  return { status: 'Healthy' };
}

function ingressHealth(ing: LuaObject): Health {
  return ing.status?.loadBalancer?.ingress?.length
    ? { status: 'Healthy' }
    : { status: 'Progressing' };
}

/**
 * The health Argo CD gives a live object, or undefined for a kind it has
 * no health check for (ServiceAccount, AnalysisTemplate, ...).
 */
export function resourceHealth(obj: LuaObject): Health | undefined {
  const [group] = String(obj.apiVersion ?? '').includes('/')
    ? String(obj.apiVersion).split('/')
    : [''];
  const key = `${group}/${obj.kind}`;
  let h: Health | undefined;
  switch (key) {
    case 'apps/Deployment':
      h = deploymentHealth(obj);
      break;
    case 'apps/ReplicaSet':
      h = replicaSetHealth(obj);
      break;
    case '/Pod':
      h = podHealth(obj);
      break;
    case '/Service':
      h = serviceHealth(obj);
      break;
    case 'autoscaling/HorizontalPodAutoscaler':
      h = hpaHealth(obj);
      break;
    case 'networking.k8s.io/Ingress':
      h = ingressHealth(obj);
      break;
    case 'argoproj.io/Rollout':
      h = rolloutHealth(obj);
      break;
    case 'argoproj.io/AnalysisRun':
      h = analysisRunHealth(obj);
      break;
    default:
      return undefined;
  }
  if (!h.status) return undefined;
  // An empty message is no message, as the API omits it.
  return h.message ? h : { status: h.status };
}

/**
 * The application's health from its managed resources' (setApplicationHealth):
 * the worst of them, a resource that is not live left out; Missing when
 * none is live. The message names the resources that caused it, as Argo CD
 * v3.6 writes it (`group/Kind:namespace/name`, three at most).
 */
export function applicationHealth(
  resources: Array<{
    group: string;
    kind: string;
    namespace: string;
    name: string;
    live: boolean;
    health?: Health;
  }>,
): Health {
  let status = 'Healthy';
  let causes: typeof resources = [];
  let anyLive = false;
  for (const r of resources) {
    if (r.live) anyLive = true;
    if (!r.live || !r.health) continue;
    if (isWorse(status, r.health.status)) {
      status = r.health.status;
      causes = [r];
    } else if (status === r.health.status && status !== 'Healthy') {
      causes.push(r);
    }
  }
  if (resources.length && !anyLive) return { status: 'Missing' };
  if (!causes.length) return { status };
  const parts = causes
    .slice(0, 3)
    .map(
      c =>
        `${c.group ? `${c.group}/` : ''}${c.kind}:${
          c.namespace ? `${c.namespace}/` : ''
        }${c.name}`,
    );
  const more = causes.length > 3 ? ` and ${causes.length - 3} more` : '';
  return { status, message: `${parts.join(', ')}${more}` };
}
