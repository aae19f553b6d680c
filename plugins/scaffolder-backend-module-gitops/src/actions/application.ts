/*
 * The Argo CD Application Slipway writes for a service, and how an existing
 * one is compared with it.
 */

import {
  ENVIRONMENT_LABEL,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplication,
  ArgoCdSettings,
  ownershipMetadata,
} from '@internal/backstage-plugin-delivery-node';

/** What the Application is built from. Project and destination come from config only. */
export interface ApplicationInput {
  /** The service. */
  name: string;
  /** The Application's name (applicationNameOf). */
  appName: string;
  /** Its destination from the environment's config, namespace filled in. */
  destination: { server?: string; name?: string; namespace: string };
  environment: string;
  chartPath: string;
  targetRevision: string;
  autoscaling: boolean;
  /** The helm-charts clone URL (`<repoUrl>.git`). */
  repoURL: string;
  /** The scaffolder task creating it, annotated as TASK_TAG. */
  task?: string;
}

/** The Application manifest for a service. */
export function buildApplication(
  input: ApplicationInput,
  settings: ArgoCdSettings,
): ArgoApplication {
  const owned = ownershipMetadata(input.name);
  const { labels } = owned;
  const annotations =
    input.task === undefined
      ? owned.annotations
      : { ...owned.annotations, [TASK_TAG]: input.task };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: input.appName,
      namespace: settings.namespace,
      labels: { ...labels, [ENVIRONMENT_LABEL]: input.environment },
      annotations,
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: settings.project,
      source: {
        repoURL: input.repoURL,
        path: input.chartPath,
        targetRevision: input.targetRevision,
        helm: { valueFiles: [`values-${input.environment}.yaml`] },
      },
      destination: input.destination,
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true'],
        retry: {
          limit: 5,
          backoff: { duration: '5s', factor: 2, maxDuration: '3m' },
        },
      },
      ...(input.autoscaling
        ? {
            // The HPA owns the replica count; Argo CD must not fight it.
            ignoreDifferences: [
              {
                group: 'apps',
                kind: 'Deployment',
                jsonPointers: ['/spec/replicas'],
              },
            ],
          }
        : {}),
    },
  };
}

/**
 * Drops empty and zero values and turns numbers into strings, so a spec
 * compares equal to itself after a round trip through Argo CD (which omits
 * Go zero values and may write int64 fields as strings).
 */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canonical) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === false || v === 0 || v === '' || v === null || v === undefined)
    return undefined;
  if (typeof v === 'number') return String(v);
  return v;
}

/** The differences that matter between an existing Application and the wanted one. */
export function applicationDifferences(
  existing: ArgoApplication,
  wanted: ArgoApplication,
): string[] {
  const diffs: string[] = [];
  const specKeys = new Set([
    ...Object.keys(existing.spec ?? {}),
    ...Object.keys(wanted.spec),
  ]);
  for (const key of [...specKeys].sort()) {
    const a = JSON.stringify(
      canonical((existing.spec as unknown as Record<string, unknown>)?.[key]) ??
        null,
    );
    const b = JSON.stringify(
      canonical((wanted.spec as unknown as Record<string, unknown>)[key]) ??
        null,
    );
    if (a !== b) diffs.push(`spec.${key}`);
  }
  for (const kind of ['labels', 'annotations'] as const) {
    for (const [k, v] of Object.entries(wanted.metadata[kind] ?? {})) {
      if (existing.metadata?.[kind]?.[k] !== v)
        diffs.push(`metadata.${kind}.${k}`);
    }
  }
  for (const f of wanted.metadata.finalizers ?? []) {
    if (!existing.metadata?.finalizers?.includes(f))
      diffs.push(`metadata.finalizers`);
  }
  return diffs;
}
