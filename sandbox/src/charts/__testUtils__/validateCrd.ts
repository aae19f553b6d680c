/*
 * Validates custom resources against their CustomResourceDefinition's
 * openAPIV3Schema, the way the API server does on a create with strict
 * field validation (what `kubectl apply`, and so Argo CD, asks for):
 *
 * - apiVersion must be one the CRD serves, and kind its kind;
 * - metadata.name must be a DNS-1123 subdomain;
 * - the schema's types, enums, required fields, formats and
 *   int-or-string unions hold;
 * - a field the schema does not declare is refused. The API server prunes
 *   unknown fields of a structural schema (and, strictly, reports them);
 *   here every object that declares `properties` gets
 *   `additionalProperties: false`, unless it keeps unknown fields
 *   (`x-kubernetes-preserve-unknown-fields`) or says otherwise.
 *
 * Not reproduced: CEL rules (`x-kubernetes-validations`, e.g. "selector is
 * immutable", which only matter on updates) and list-map key uniqueness.
 *
 * The CRDs are read from the repo's copies in specs/ (copied unchanged from
 * the projects that publish them), never from outside the repository.
 */

import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helmTemplate';

/** The Argo Rollouts CRDs the service chart's canary objects must satisfy. */
export const ARGO_ROLLOUTS_CRDS = [
  'specs/argo-rollouts-1.10-rollout-crd.yaml',
  'specs/argo-rollouts-1.10-analysis-template-crd.yaml',
  'specs/argo-rollouts-1.10-analysis-run-crd.yaml',
];

const DNS1123_SUBDOMAIN =
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

type Schema = Record<string, any>;

/** The schema with unknown fields refused where the API server drops them. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) out[key] = strict(value);
  if (
    out.properties &&
    typeof out.properties === 'object' &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

interface CrdValidator {
  kind: string;
  /** By apiVersion (group/version), the versions the CRD serves. */
  versions: Map<string, ValidateFunction>;
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') {
    return `${at}: unknown field "${
      (e.params as { additionalProperty: string }).additionalProperty
    }"`;
  }
  return `${at}: ${e.message}`;
}

const compiled = new Map<string, Map<string, CrdValidator>>();

/** Compiles a set of CRDs once per test file; keyed by kind. */
function load(files: string[]): Map<string, CrdValidator> {
  const cached = compiled.get(files.join('\n'));
  if (cached) return cached;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, CrdValidator>();
  compiled.set(files.join('\n'), validators);
  for (const file of files) {
    const crd = parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const { group, names } = crd.spec;
    const versions = new Map<string, ValidateFunction>();
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const schema = strict(version.schema.openAPIV3Schema) as Schema;
      schema.required = [
        ...new Set([...(schema.required ?? []), 'apiVersion', 'kind']),
      ];
      schema.properties = {
        ...schema.properties,
        apiVersion: { const: `${group}/${version.name}` },
        kind: { const: names.kind },
        metadata: {
          type: 'object',
          required: ['name'],
          properties: {
            name: {
              type: 'string',
              maxLength: 253,
              pattern: DNS1123_SUBDOMAIN,
            },
          },
        },
      };
      versions.set(`${group}/${version.name}`, ajv.compile(schema));
    }
    validators.set(names.kind, { kind: names.kind, versions });
  }
  return validators;
}

/**
 * Problems per object against the CRD of its kind (an empty list for a
 * valid object), in the order given; an object whose kind none of the CRDs
 * defines is a problem too.
 */
export function validateCustomResources(
  objects: Array<Record<string, any>>,
  crdFiles: string[] = ARGO_ROLLOUTS_CRDS,
): string[][] {
  const crds = load(crdFiles);
  return objects.map(o => {
    const crd = crds.get(o?.kind);
    if (!crd) return [`no CRD for kind ${o?.kind}`];
    const validate = crd.versions.get(o.apiVersion);
    if (!validate) {
      return [
        `${o.kind} is not served as ${o.apiVersion} (served: ${[
          ...crd.versions.keys(),
        ].join(', ')})`,
      ];
    }
    return validate(o) ? [] : (validate.errors ?? []).map(describe);
  });
}
