/*
 * The sandbox's stand-in for Argo CD's repo-server: resolves a source's
 * revision in git, merges the chart's values the way Helm does and produces
 * the handful of Kubernetes manifests a typical service chart renders
 * (ServiceAccount, Service, Deployment, optional HorizontalPodAutoscaler and
 * Ingress; with `rollout.strategy: canary`, an Argo Rollouts Rollout, a
 * `<name>-canary` Service and an AnalysisTemplate instead of the
 * Deployment, as charts/service does). No Helm templates are executed.
 */

import crypto from 'node:crypto';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GitReader } from '../git';
import { Application, ApplicationSource } from './types';

/** One rendered Kubernetes object. */
export interface RenderedResource {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  manifest: Record<string, unknown>;
}

/** The desired state of an application at one commit. */
export interface DesiredState {
  revision: string;
  source: ApplicationSource;
  images: string[];
  externalURLs: string[];
  resources: RenderedResource[];
  /** Hash over every manifest: equal digests mean nothing to apply. */
  digest: string;
}

/** Manifest generation failed; the message is what Argo CD would show. */
export class RenderError extends Error {}

type Values = Record<string, unknown>;

function isObject(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's value merge: maps merge deeply, anything else replaces, null deletes. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) {
      delete out[k];
    } else if (isObject(v) && isObject(out[k])) {
      out[k] = mergeValues(out[k] as Values, v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Applies a `--set name=value` style parameter. */
function setParameter(
  values: Values,
  name: string,
  raw: string,
  forceString?: boolean,
) {
  let value: unknown = raw;
  if (!forceString) {
    if (raw === 'true' || raw === 'false') value = raw === 'true';
    else if (/^-?\d+$/.test(raw)) value = Number(raw);
    else if (raw === 'null') value = null;
  }
  const keys = name.split('.');
  let cur = values;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(cur[key])) cur[key] = {};
    cur = cur[key] as Values;
  }
  cur[keys[keys.length - 1]] = value;
}

/** The one source the sandbox renders: `spec.source`, else the first of `spec.sources` with a path. */
export function primarySource(app: Application): ApplicationSource | undefined {
  if (app.spec.source) return app.spec.source;
  return app.spec.sources?.find(s => s.path) ?? app.spec.sources?.[0];
}

function fail(desc: string): never {
  throw new RenderError(
    `Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = ${desc}`,
  );
}

function parseValues(text: string, file: string): Values {
  try {
    const parsed = parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (!isObject(parsed)) fail(`failed to parse ${file}: not a YAML map`);
    return parsed;
  } catch (e) {
    if (e instanceof RenderError) throw e;
    return fail(
      `failed to parse ${file}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

function str(v: unknown, fallback: string): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return fallback;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** What the chart's `rollout.canary` values say, after its checks. */
interface CanaryValues {
  steps: Values[];
  analysis?: {
    startingStep: number;
    path: string;
    interval: string;
    count: number;
    failureLimit: number;
  };
}

/**
 * The canary settings when `rollout.strategy` is canary, with charts/service's
 * defaults for what the values leave out, and its render-time checks (with
 * its messages); undefined for a rolling update.
 */
function canaryOf(values: Values): CanaryValues | undefined {
  const rollout = isObject(values.rollout) ? values.rollout : {};
  const strategy = str(rollout.strategy, 'rolling');
  if (strategy === 'rolling') return undefined;
  if (strategy !== 'canary') {
    fail(`rollout.strategy must be rolling or canary, not ${strategy}`);
  }
  const canary = isObject(rollout.canary) ? rollout.canary : {};
  const steps: Values[] = Array.isArray(canary.steps)
    ? canary.steps.filter(isObject)
    : [
        { setWeight: 20 },
        { pause: {} },
        { setWeight: 50 },
        { pause: { duration: '30s' } },
      ];
  if (!steps.some(s => s.setWeight !== undefined)) {
    fail(
      'execution error at (service/templates/rollout.yaml): rollout.strategy is canary: rollout.canary.steps needs at least one setWeight step (without one no pod runs the new version before the rollout completes)',
    );
  }
  const a = isObject(canary.analysis) ? canary.analysis : {};
  if (a.enabled === false) return { steps };
  const startingStep = num(a.startingStep, 1);
  if (startingStep >= steps.length) {
    fail(
      `execution error at (service/templates/rollout.yaml): rollout.canary.analysis.startingStep (${startingStep}) must name one of the ${
        steps.length
      } canary steps (0 to ${steps.length - 1})`,
    );
  }
  return {
    steps,
    analysis: {
      startingStep,
      path: str(a.path, '/readyz'),
      interval: str(a.interval, '10s'),
      count: num(a.count, 3),
      failureLimit: num(a.failureLimit, 1),
    },
  };
}

/**
 * Renders the desired state of `app` (or of `sourceOverride`, for a rollback)
 * at `revision` (default: the source's targetRevision, else HEAD).
 */
export async function renderDesired(
  git: GitReader,
  app: Application,
  options: { revision?: string; source?: ApplicationSource } = {},
): Promise<DesiredState> {
  const source = options.source ?? primarySource(app);
  if (!source?.repoURL) fail('application has no source');
  if (source.chart && !source.path) {
    fail(
      `Helm repository charts (chart ${source.chart}) are not supported by the sandbox; use a git path`,
    );
  }
  const repoURL = source.repoURL;
  const ref = options.revision || source.targetRevision || 'HEAD';
  const sha = await git.resolve(repoURL, ref);
  if (!sha) fail(`unable to resolve '${ref}' to a commit SHA`);

  const chartPath = path.posix
    .normalize((source.path ?? '.').replace(/^\/+/, ''))
    .replace(/\/$/, '');
  if (chartPath.split('/').includes('..'))
    fail(`${source.path}: app path is outside the repository`);
  const entries = await git.listDir(
    repoURL,
    sha,
    chartPath === '.' ? '' : chartPath,
  );
  if (entries.length === 0) fail(`${chartPath}: app path does not exist`);

  const inChart = (f: string) =>
    f.startsWith('/') ? f.replace(/^\/+/, '') : path.posix.join(chartPath, f);

  let values: Values = {};
  const defaults = await git.readFile(repoURL, sha, inChart('values.yaml'));
  if (defaults !== undefined)
    values = parseValues(defaults, inChart('values.yaml'));
  const helm = source.helm ?? {};
  for (const vf of helm.valueFiles ?? []) {
    const file = inChart(vf);
    const text = await git.readFile(repoURL, sha, file);
    if (text === undefined) {
      if (helm.ignoreMissingValueFiles) continue;
      fail(`Error: open ${file}: no such file or directory`);
    }
    values = mergeValues(values, parseValues(text, file));
  }
  if (helm.values)
    values = mergeValues(
      values,
      parseValues(helm.values, 'spec.source.helm.values'),
    );
  if (isObject(helm.valuesObject))
    values = mergeValues(values, helm.valuesObject);
  for (const p of helm.parameters ?? []) {
    if (p.name) setParameter(values, p.name, p.value ?? '', p.forceString);
  }

  let appVersion: string | undefined;
  const chartYaml = await git.readFile(repoURL, sha, inChart('Chart.yaml'));
  if (chartYaml !== undefined) {
    try {
      const chart = parseYaml(chartYaml);
      if (isObject(chart) && chart.appVersion !== undefined)
        appVersion = String(chart.appVersion);
    } catch {
      fail(`${inChart('Chart.yaml')}: invalid YAML`);
    }
  }

  const name = helm.releaseName || app.metadata.name || 'app';
  const namespace = app.spec.destination?.namespace || 'default';
  const image = isObject(values.image) ? values.image : {};
  const images: string[] = [];
  if (typeof image.repository === 'string' && image.repository) {
    images.push(
      `${image.repository}:${str(image.tag, appVersion ?? 'latest')}`,
    );
  }
  const labels = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': app.metadata.name ?? name,
  };
  const service = isObject(values.service) ? values.service : {};
  const port = num(service.port, 80);
  const targetPort = num(service.targetPort ?? values.containerPort, 8080);
  const sa = isObject(values.serviceAccount) ? values.serviceAccount : {};
  const saName = str(sa.name, name);
  const autoscaling = isObject(values.autoscaling) ? values.autoscaling : {};
  const ingress = isObject(values.ingress) ? values.ingress : {};

  const resources: RenderedResource[] = [];
  const add = (
    group: string,
    version: string,
    kind: string,
    spec: Values,
    objectName = name,
  ) => {
    const apiVersion = group ? `${group}/${version}` : version;
    resources.push({
      group,
      version,
      kind,
      namespace,
      name: objectName,
      manifest: {
        apiVersion,
        kind,
        metadata: { name: objectName, namespace, labels },
        ...spec,
      },
    });
  };

  if (sa.create !== false) {
    resources.push({
      group: '',
      version: 'v1',
      kind: 'ServiceAccount',
      namespace,
      name: saName,
      manifest: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: saName, namespace, labels },
      },
    });
  }
  add('', 'v1', 'Service', {
    spec: {
      type: str(service.type, 'ClusterIP'),
      selector: labels,
      ports: [{ name: 'http', port, targetPort, protocol: 'TCP' }],
    },
  });
  const podTemplate = {
    metadata: { labels },
    spec: {
      serviceAccountName: saName,
      containers: [
        {
          name,
          image: images[0] ?? '',
          ports: [{ name: 'http', containerPort: targetPort }],
          ...(isObject(values.env)
            ? {
                env: Object.entries(values.env).map(([k, v]) => ({
                  name: k,
                  value: String(v),
                })),
              }
            : {}),
          ...(isObject(values.resources)
            ? { resources: values.resources }
            : {}),
        },
      ],
    },
  };
  const replicas = autoscaling.enabled
    ? {}
    : { replicas: num(values.replicaCount, 1) };
  const canary = canaryOf(values);
  if (canary) {
    const canaryService = `${name}-canary`;
    add('argoproj.io', 'v1alpha1', 'Rollout', {
      spec: {
        ...replicas,
        selector: { matchLabels: labels },
        template: podTemplate,
        strategy: {
          canary: {
            canaryService,
            stableService: name,
            steps: canary.steps,
            ...(canary.analysis
              ? {
                  analysis: {
                    templates: [{ templateName: `${name}-readiness` }],
                    startingStep: canary.analysis.startingStep,
                    args: [
                      {
                        name: 'canary-url',
                        value: `http://${canaryService}.${namespace}.svc.cluster.local:${port}${canary.analysis.path}`,
                      },
                    ],
                  },
                }
              : {}),
          },
        },
      },
    });
    add(
      '',
      'v1',
      'Service',
      {
        spec: {
          type: 'ClusterIP',
          selector: labels,
          ports: [{ name: 'http', port, targetPort, protocol: 'TCP' }],
        },
      },
      canaryService,
    );
    if (canary.analysis) {
      add(
        'argoproj.io',
        'v1alpha1',
        'AnalysisTemplate',
        {
          spec: {
            args: [{ name: 'canary-url' }],
            metrics: [
              {
                name: 'readiness',
                interval: canary.analysis.interval,
                count: canary.analysis.count,
                failureLimit: canary.analysis.failureLimit,
                provider: {
                  job: {
                    spec: {
                      backoffLimit: 0,
                      activeDeadlineSeconds: 30,
                      template: {
                        spec: {
                          restartPolicy: 'Never',
                          containers: [
                            {
                              name: 'readiness',
                              image: 'curlimages/curl:8.11.1',
                              args: [
                                '--fail',
                                '--silent',
                                '--show-error',
                                '--max-time',
                                '5',
                                '--output',
                                '/dev/null',
                                '{{args.canary-url}}',
                              ],
                            },
                          ],
                        },
                      },
                    },
                  },
                },
              },
            ],
          },
        },
        `${name}-readiness`,
      );
    }
  } else {
    add('apps', 'v1', 'Deployment', {
      spec: {
        ...replicas,
        selector: { matchLabels: labels },
        template: podTemplate,
      },
    });
  }
  if (autoscaling.enabled) {
    const cpu = autoscaling.targetCPUUtilizationPercentage;
    const memory = autoscaling.targetMemoryUtilizationPercentage;
    const metrics = [
      ['cpu', cpu],
      ['memory', memory],
    ]
      .filter(([, target]) => typeof target === 'number')
      .map(([resource, target]) => ({
        type: 'Resource',
        resource: {
          name: resource,
          target: { type: 'Utilization', averageUtilization: target },
        },
      }));
    add('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      spec: {
        scaleTargetRef: canary
          ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name }
          : { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: num(autoscaling.minReplicas, 1),
        maxReplicas: num(autoscaling.maxReplicas, 3),
        ...(metrics.length ? { metrics } : {}),
      },
    });
  }
  const externalURLs: string[] = [];
  if (ingress.enabled) {
    const hosts = Array.isArray(ingress.hosts) ? ingress.hosts : [];
    const hostNames = hosts
      .map(h => (isObject(h) ? h.host : h))
      .filter((h): h is string => typeof h === 'string');
    for (const h of hostNames) externalURLs.push(`https://${h}`);
    add('networking.k8s.io', 'v1', 'Ingress', {
      spec: {
        rules: hostNames.map(host => ({
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name, port: { number: port } } },
              },
            ],
          },
        })),
      },
    });
  }

  const digest = crypto
    .createHash('sha256')
    .update(JSON.stringify(resources.map(r => r.manifest)))
    .digest('hex');
  return {
    revision: sha,
    source: structuredClone(source),
    images,
    externalURLs,
    resources,
    digest,
  };
}

/** The ECR repository name inside an image reference (`<registry>/<name>:<tag>`). */
export function ecrRepositoryOf(image: string): {
  repository: string;
  tag: string;
} {
  const at = image.lastIndexOf(':');
  const slash = image.indexOf('/');
  const hasTag = at > slash;
  const ref = hasTag ? image.slice(0, at) : image;
  const tag = hasTag ? image.slice(at + 1) : 'latest';
  return { repository: slash >= 0 ? ref.slice(slash + 1) : ref, tag };
}
