/*
 * The chart a service gets in helm-charts: the base chart's files with the
 * service's values set by comment-preserving edits, plus one
 * values-<env>.yaml per environment, at `charts/<name>/` (chartPathOf, the
 * one layout every reader and writer uses). Pure functions of their
 * inputs, so a re-run renders byte-identical files (which is what "adopt"
 * compares).
 */

import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import {
  chartPathOf,
  checkEcrRepositoryName,
  NameProblem,
  OWNER_TAG,
  TASK_TAG,
  ownerTagValue,
} from '@internal/backstage-plugin-delivery-common';
import { editYaml, readYaml, YamlEdit } from './yamlEdit';

/** What the chart is rendered from. @public */
export interface ChartInput {
  name: string;
  chartPath: string;
  imageRepository: string;
  imageTag: string;
  roleArn?: string;
  namespace: string;
  environments: string[];
  overrides: Record<string, { replicas?: number }>;
  /** The service's own settings, from the wizard. */
  service?: ServiceSettings;
  /** The scaffolder task registering it, annotated as TASK_TAG in Chart.yaml. */
  task?: string;
}

/** What the wizard sets in every environment. @public */
export interface ServiceSettings {
  port?: number;
  replicas?: number;
  autoscaling?: {
    enabled?: boolean;
    minReplicas?: number;
    maxReplicas?: number;
  };
}

const wholeIn = (v: unknown, min: number, max: number) =>
  v === undefined ||
  (Number.isInteger(v) && (v as number) >= min && (v as number) <= max);

/**
 * Checks the wizard's service settings: port 1-65535, replicas 0-100, HPA
 * bounds 1-100 with minReplicas not above maxReplicas.
 */
export function checkServiceSettings(service: unknown): NameProblem {
  if (service === undefined) return undefined;
  if (!service || typeof service !== 'object' || Array.isArray(service)) {
    return 'service must be an object';
  }
  const s = service as ServiceSettings;
  if (!wholeIn(s.port, 1, 65535))
    return `service.port must be a whole number from 1 to 65535 (got ${s.port})`;
  if (!wholeIn(s.replicas, 0, 100))
    return `service.replicas must be a whole number from 0 to 100 (got ${s.replicas})`;
  const a = s.autoscaling;
  if (a !== undefined) {
    if (!a || typeof a !== 'object')
      return 'service.autoscaling must be an object';
    if (a.enabled !== undefined && typeof a.enabled !== 'boolean')
      return 'service.autoscaling.enabled must be true or false';
    if (!wholeIn(a.minReplicas, 1, 100))
      return `service.autoscaling.minReplicas must be a whole number from 1 to 100 (got ${a.minReplicas})`;
    if (!wholeIn(a.maxReplicas, 1, 100))
      return `service.autoscaling.maxReplicas must be a whole number from 1 to 100 (got ${a.maxReplicas})`;
    if (
      a.minReplicas !== undefined &&
      a.maxReplicas !== undefined &&
      a.minReplicas > a.maxReplicas
    ) {
      return `service.autoscaling.minReplicas (${a.minReplicas}) must not exceed maxReplicas (${a.maxReplicas})`;
    }
  }
  return undefined;
}

/** values.yaml edits for the service settings. */
function serviceEdits(s: ServiceSettings | undefined): YamlEdit[] {
  if (!s) return [];
  const edits: YamlEdit[] = [];
  if (s.port !== undefined) edits.push([['containerPort'], s.port]);
  if (s.replicas !== undefined) edits.push([['replicaCount'], s.replicas]);
  const a = s.autoscaling;
  if (a?.enabled !== undefined)
    edits.push([['autoscaling', 'enabled'], a.enabled]);
  if (a?.minReplicas !== undefined)
    edits.push([['autoscaling', 'minReplicas'], a.minReplicas]);
  if (a?.maxReplicas !== undefined)
    edits.push([['autoscaling', 'maxReplicas'], a.maxReplicas]);
  return edits;
}

/**
 * An environment file that sets its own HPA bounds gets the wizard's bounds
 * instead, so the service runs within what its team chose everywhere.
 */
function envBoundEdits(
  text: string,
  s: ServiceSettings | undefined,
): YamlEdit[] {
  const a = s?.autoscaling;
  if (!a) return [];
  const edits: YamlEdit[] = [];
  for (const key of ['minReplicas', 'maxReplicas'] as const) {
    if (
      a[key] !== undefined &&
      readYaml(text, ['autoscaling', key]) !== undefined
    ) {
      edits.push([['autoscaling', key], a[key]]);
    }
  }
  return edits;
}

const ECR_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/(.+)$/;
const ROLE_ARN =
  /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[A-Za-z0-9+=,.@_-]+\/)*[A-Za-z0-9+=,.@_-]{1,64}$/;
/** Annotation (on Chart.yaml) naming the service account's namespace. */
export const NAMESPACE_ANNOTATION = 'slipway.io/namespace';

export function checkImageRepository(v: unknown): NameProblem {
  if (typeof v !== 'string' || !v) return 'imageRepository is required';
  const m = ECR_URI.exec(v);
  if (!m) {
    return `imageRepository must be an ECR repository URI, <account>.dkr.ecr.<region>.amazonaws.com/<name> (got '${v}')`;
  }
  return checkEcrRepositoryName(m[3], 'imageRepository');
}

export function checkRoleArn(v: unknown): NameProblem {
  if (v === undefined) return undefined;
  return typeof v === 'string' && ROLE_ARN.test(v) && !v.includes('..')
    ? undefined
    : `roleArn must be an IAM role ARN, arn:aws:iam::<account>:role/<path><name>, without wildcards (got '${v}')`;
}

/**
 * Checks that a chart folder is the service's place in the helm-charts
 * layout, `charts/<name>`: the release code, the status and Argo CD's
 * applications find the chart nowhere else.
 *
 * @public
 */
export function checkChartPath(
  v: unknown,
  name: string,
  field = 'chartPath',
): NameProblem {
  const expected = chartPathOf(name);
  return v === expected
    ? undefined
    : `${field} must be ${expected}, the service's folder in the helm-charts layout (got '${String(
        v,
      ).slice(0, 140)}')`;
}

export function checkEnvironments(
  selected: unknown,
  configured: string[],
): NameProblem {
  if (!Array.isArray(selected) || selected.length === 0) {
    return `environments must name at least one of ${configured.join(', ')}`;
  }
  const unknown = selected.filter(e => !configured.includes(e));
  if (unknown.length) {
    return `environments must be among ${configured.join(
      ', ',
    )} (got ${unknown.join(', ')})`;
  }
  if (new Set(selected).size !== selected.length) {
    return 'environments must not repeat';
  }
  return undefined;
}

export function checkOverrides(
  overrides: unknown,
  environments: string[],
): NameProblem {
  if (overrides === undefined) return undefined;
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) {
    return 'overrides must map environment names to { replicas }';
  }
  for (const [env, o] of Object.entries(overrides)) {
    if (!environments.includes(env)) {
      return `overrides names environment '${env}', which is not among ${environments.join(
        ', ',
      )}`;
    }
    const replicas = (o as { replicas?: unknown })?.replicas;
    if (
      replicas !== undefined &&
      !(
        Number.isInteger(replicas) &&
        (replicas as number) >= 0 &&
        (replicas as number) <= 100
      )
    ) {
      return `overrides.${env}.replicas must be a whole number from 0 to 100`;
    }
  }
  return undefined;
}

/**
 * Reads the base chart folder: every regular file, by '/'-separated path
 * relative to the folder. Refuses symlinks that lead outside the folder and
 * anything that is neither a file nor a folder, so nothing from the
 * portal's disk can be copied into helm-charts.
 */
export async function readBaseChart(dir: string): Promise<Map<string, Buffer>> {
  let root: string;
  try {
    root = await fs.promises.realpath(dir);
  } catch {
    throw new InputError(
      `The base chart folder ${dir} (slipway.gitops.baseChartDir) does not exist`,
    );
  }
  const files = new Map<string, Buffer>();
  const walk = async (rel: string) => {
    const abs = rel ? path.join(root, rel) : root;
    for (const entry of await fs.promises.readdir(abs, {
      withFileTypes: true,
    })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const childAbs = path.join(root, childRel);
      let stat = entry;
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await fs.promises.realpath(childAbs);
        } catch {
          throw new InputError(
            `The base chart holds a dangling symlink: ${childRel}`,
          );
        }
        const inside = path.relative(root, target);
        if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) {
          throw new InputError(
            `The base chart holds a symlink pointing outside it: ${childRel}`,
          );
        }
        const s = await fs.promises.stat(target);
        if (s.isDirectory()) {
          throw new InputError(
            `The base chart holds a symlink to a folder, which is not supported: ${childRel}`,
          );
        }
        stat = {
          isFile: () => s.isFile(),
          isDirectory: () => false,
        } as fs.Dirent;
      }
      if (stat.isDirectory()) {
        if (entry.name === '.git') continue;
        await walk(childRel);
      } else if (stat.isFile()) {
        files.set(childRel, await fs.promises.readFile(childAbs));
      } else {
        throw new InputError(
          `The base chart holds something that is not a file: ${childRel}`,
        );
      }
    }
  };
  await walk('');
  if (!files.has('Chart.yaml') || !files.has('values.yaml')) {
    throw new InputError(
      `The base chart folder ${dir} must hold Chart.yaml and values.yaml`,
    );
  }
  return files;
}

/** The chart's files in helm-charts, by repository path. */
export function renderChart(
  base: Map<string, Buffer>,
  input: ChartInput,
): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const at = (rel: string) => `${input.chartPath}/${rel}`;
  for (const [rel, content] of base) out.set(at(rel), content);

  const chart = editYaml(base.get('Chart.yaml')!.toString('utf8'), [
    [['name'], input.name],
    [['annotations', OWNER_TAG], ownerTagValue(input.name)],
    [['annotations', NAMESPACE_ANNOTATION], input.namespace],
    ...(input.task
      ? ([[['annotations', TASK_TAG], input.task]] as YamlEdit[])
      : []),
  ]);
  out.set(at('Chart.yaml'), Buffer.from(chart));

  const values = editYaml(base.get('values.yaml')!.toString('utf8'), [
    [['image', 'repository'], input.imageRepository],
    [['image', 'tag'], input.imageTag],
    [['nameOverride'], input.name],
    [['fullnameOverride'], input.name],
    [['serviceAccount', 'name'], input.name],
    // Each service reads its secrets (e.g. DJANGO_SECRET_KEY) from an
    // optional Secret <name>-secrets that the team or External Secrets
    // creates; without it, the pod starts with none.
    [
      ['envFrom'],
      [{ secretRef: { name: `${input.name}-secrets`, optional: true } }],
    ],
    ...(input.roleArn
      ? [
          [
            ['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'],
            input.roleArn,
          ] as YamlEdit,
        ]
      : []),
    ...serviceEdits(input.service),
  ]);
  out.set(at('values.yaml'), Buffer.from(values));

  for (const env of input.environments) {
    const file = `values-${env}.yaml`;
    const header = `# ${input.name} in ${env}: overrides of values.yaml for this environment.\n# Argo CD's Application for ${env} lists this file in spec.source.helm.valueFiles.\n`;
    const text = base.get(file)?.toString('utf8') ?? header;
    const replicas = input.overrides[env]?.replicas;
    const edits: YamlEdit[] = [
      ...envBoundEdits(text, input.service),
      ...(replicas === undefined
        ? []
        : [[['replicaCount'], replicas] as YamlEdit]),
    ];
    out.set(at(file), Buffer.from(edits.length ? editYaml(text, edits) : text));
  }
  return out;
}

/** True when `existing` (path -> content) is exactly `desired`. */
export function sameFiles(
  existing: Map<string, string>,
  desired: Map<string, Buffer>,
): boolean {
  if (existing.size !== desired.size) return false;
  // Which task registered it (TASK_TAG) does not make another chart.
  const content = (p: string, text: string | undefined) =>
    p.endsWith('/Chart.yaml') && text !== undefined
      ? editYaml(text, [[['annotations', TASK_TAG], null]])
      : text;
  for (const [p, c] of desired) {
    if (content(p, existing.get(p)) !== content(p, c.toString('utf8')))
      return false;
  }
  return true;
}
