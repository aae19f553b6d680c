/*
 * `helm template` for the test suite, without Helm (it cannot be installed
 * on Slipway's build machines): scripts/helm-template/main.go renders a
 * chart with Helm's template language (Go's text/template, sprig, and
 * Helm's own functions and objects) and checks the values against the
 * chart's values.schema.json as Helm does. It is built once per source
 * version with Debian's Go in GOPATH mode (golang-go,
 * golang-github-masterminds-sprig-dev, golang-k8s-sigs-yaml-dev,
 * golang-github-xeipuuv-gojsonschema-dev; scripts/system-deps.sh installs
 * them).
 *
 * validateKubernetes() checks rendered objects against Kubernetes'
 * published schemas (validateKubernetes.mjs).
 */

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../../..');
const SOURCE = path.join(ROOT, 'scripts/helm-template/main.go');
const GOPATH = '/usr/share/gocode';

/** One rendered object and the template it came from. */
export interface RenderedManifest {
  source: string;
  object: Record<string, any>;
}

export type RenderResult =
  | { ok: true; manifests: RenderedManifest[]; notes: string }
  | { ok: false; error: string };

export interface RenderOptions {
  /** Values files layered over the chart's values.yaml, in order. */
  values?: string[];
  /** `--set-json` overrides: dotted path to value. */
  set?: Record<string, unknown>;
  name?: string;
  namespace?: string;
  kubeVersion?: string;
}

let binary: string | undefined;

/** Builds the renderer (once per version of its source) and returns its path. */
export function helmTemplateBinary(): string {
  if (binary) return binary;
  const source = fs.readFileSync(SOURCE);
  const hash = crypto
    .createHash('sha256')
    .update(source)
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(ROOT, 'node_modules/.cache/slipway');
  const out = path.join(dir, `helm-template-${hash}`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dir, { recursive: true });
    // Test files build in parallel: each writes its own file, then renames
    // it into place (atomic), so none runs a half-written binary.
    const tmp = `${out}.${process.pid}.tmp`;
    const build = spawnSync('go', ['build', '-o', tmp, SOURCE], {
      cwd: ROOT,
      env: { ...process.env, GO111MODULE: 'off', GOPATH },
      encoding: 'utf8',
    });
    if (build.error || build.status !== 0) {
      throw new Error(
        `Building scripts/helm-template failed (${
          build.error?.message ?? build.stderr
        }). It needs Debian's golang-go, golang-github-masterminds-sprig-dev, golang-k8s-sigs-yaml-dev and golang-github-xeipuuv-gojsonschema-dev (scripts/system-deps.sh installs them).`,
      );
    }
    fs.renameSync(tmp, out);
  }
  binary = out;
  return out;
}

/** `helm template <chart>`: the rendered objects, or Helm's error text. */
export function helmTemplate(
  chart: string,
  options: RenderOptions = {},
): RenderResult {
  const args = [chart];
  for (const file of options.values ?? []) args.push('-f', file);
  for (const [key, value] of Object.entries(options.set ?? {})) {
    args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  }
  args.push('--name', options.name ?? 'release-name');
  args.push('--namespace', options.namespace ?? 'default');
  if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
  const run = spawnSync(helmTemplateBinary(), args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) return { ok: false, error: run.stderr.trim() };
  const parsed = JSON.parse(run.stdout);
  return { ok: true, manifests: parsed.manifests, notes: parsed.notes };
}

/** Renders, failing the test with Helm's message when rendering fails. */
export function renderOrThrow(
  chart: string,
  options: RenderOptions = {},
): { manifests: RenderedManifest[]; notes: string } {
  const result = helmTemplate(chart, options);
  if (!result.ok) throw new Error(result.error);
  return result;
}

/**
 * Problems per object against Kubernetes' published schemas (an empty list
 * for a valid object), in the order given.
 */
export function validateKubernetes(objects: object[]): string[][] {
  const run = spawnSync(
    process.execPath,
    [path.join(__dirname, 'validateKubernetes.mjs')],
    {
      cwd: ROOT,
      input: JSON.stringify(objects),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`validateKubernetes.mjs failed: ${run.stderr}`);
  }
  return JSON.parse(run.stdout);
}

/** The one object of a kind, failing when there is not exactly one. */
export function only(
  manifests: RenderedManifest[],
  kind: string,
): Record<string, any> {
  const found = manifests.filter(m => m.object.kind === kind);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind}, rendered ${found.length} (${manifests
        .map(m => m.object.kind)
        .join(', ')})`,
    );
  }
  return found[0].object;
}

/** The pods a Service, PodDisruptionBudget or NetworkPolicy selects. */
function podSelectorOf(o: Record<string, any>): Record<string, string> {
  switch (o.kind) {
    case 'Service':
      return o.spec?.selector;
    case 'PodDisruptionBudget':
      return o.spec?.selector?.matchLabels;
    case 'NetworkPolicy':
      return o.spec?.podSelector?.matchLabels;
    default:
      return undefined as any;
  }
}

function subset(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * What a cluster would refuse or silently get wrong but no schema sees,
 * across the objects of one release: selectors (Deployment, Service, PDB,
 * NetworkPolicy) that miss the pods, a Service or probe port that names no
 * container port, an HPA aimed at nothing or fighting a fixed replica count,
 * a ServiceAccount, ConfigMap or volume that is referenced but not there,
 * and two objects of one kind with one name.
 */
export function checkRelease(
  manifests: RenderedManifest[],
  options: {
    /** Objects the installation provides outside the chart, as `Kind/name`. */
    external?: string[];
  } = {},
): string[] {
  const problems: string[] = [];
  const objects = manifests.map(m => m.object);
  const external = new Set(options.external ?? []);
  const named = (kind: string, name: string) =>
    external.has(`${kind}/${name}`) ||
    objects.find(o => o.kind === kind && o.metadata?.name === name);
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata?.name}`;
    if (seen.has(key)) problems.push(`${key} is rendered twice`);
    seen.add(key);
  }
  const workloads = objects.filter(o =>
    ['Deployment', 'Rollout', 'StatefulSet'].includes(o.kind),
  );
  for (const w of workloads) {
    const id = `${w.kind}/${w.metadata.name}`;
    const pod = w.spec?.template ?? {};
    const labels: Record<string, string> = pod.metadata?.labels ?? {};
    const spec = pod.spec ?? {};
    if (!subset(w.spec?.selector?.matchLabels, labels)) {
      problems.push(`${id}: its selector does not match its pods' labels`);
    }
    const ports = new Map<string, number>();
    for (const c of spec.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (p.name) ports.set(p.name, p.containerPort);
      }
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const port = c[probe]?.httpGet?.port;
        if (typeof port === 'string' && !ports.has(port)) {
          problems.push(`${id}: ${probe} names port ${port}, not declared`);
        }
      }
      const volumes = new Set((spec.volumes ?? []).map((v: any) => v.name));
      for (const m of c.volumeMounts ?? []) {
        if (!volumes.has(m.name)) {
          problems.push(`${id}: mounts volume ${m.name}, not declared`);
        }
      }
    }
    for (const v of spec.volumes ?? []) {
      const cm = v.configMap;
      if (cm && !cm.optional && !named('ConfigMap', cm.name)) {
        problems.push(
          `${id}: volume ${v.name} reads ConfigMap ${cm.name}, not rendered`,
        );
      }
    }
    const sa = spec.serviceAccountName;
    if (sa && !named('ServiceAccount', sa)) {
      problems.push(`${id}: runs as ServiceAccount ${sa}, not rendered`);
    }
    const aimed = objects.filter(
      o =>
        o.kind === 'HorizontalPodAutoscaler' &&
        o.spec?.scaleTargetRef?.kind === w.kind &&
        o.spec?.scaleTargetRef?.name === w.metadata.name,
    );
    if (aimed.length && w.spec?.replicas !== undefined) {
      problems.push(`${id}: sets replicas while an HPA scales it`);
    }
    for (const o of objects) {
      const selector = podSelectorOf(o);
      if (selector && !subset(selector, labels)) {
        problems.push(
          `${o.kind}/${o.metadata.name} does not select ${id}'s pods`,
        );
      }
      if (o.kind === 'Service') {
        for (const p of o.spec?.ports ?? []) {
          if (typeof p.targetPort === 'string' && !ports.has(p.targetPort)) {
            problems.push(
              `Service/${o.metadata.name}: targetPort ${p.targetPort} is no port of ${id}`,
            );
          }
        }
      }
    }
  }
  for (const hpa of objects.filter(o => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    if (!named(ref.kind, ref.name)) {
      problems.push(
        `HorizontalPodAutoscaler/${hpa.metadata.name} scales ${ref.kind}/${ref.name}, not rendered`,
      );
    }
  }
  return problems;
}
