/*
 * GitHub's contract for the GitHub stand-in's tests: every REST response a
 * test receives is validated against GitHub's OpenAPI description
 * (@octokit/openapi), compiled once per test file.
 */

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';

// GitHub's OpenAPI description, compiled once.
const spec = JSON.parse(
  fs.readFileSync(
    require.resolve('@octokit/openapi/generated/api.github.com.json'),
    'utf8',
  ),
);
/**
 * OpenAPI 3.0's `nullable` without a `type` (beside allOf/oneOf) is not JSON
 * Schema; rewrite it as "this, or null" so Ajv reads it as GitHub means it.
 */
function normalizeNullable(node: any): any {
  if (Array.isArray(node)) return node.map(normalizeNullable);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) out[k] = normalizeNullable(v);
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);
ajv.addSchema(normalizeNullable(spec), 'github');

const pointer = (p: string) => p.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates a response body against the documented schema for the operation. */
export function expectContract(
  method: string,
  template: string,
  status: number,
  body: unknown,
) {
  const m = method.toLowerCase();
  let response = spec.paths[template]?.[m]?.responses?.[String(status)];
  if (!response)
    throw new Error(`GitHub documents no ${status} for ${method} ${template}`);
  let ptr = `/paths/${pointer(template)}/${m}/responses/${status}`;
  if (response.$ref) {
    ptr = response.$ref.slice(1);
    response = ptr
      .split('/')
      .slice(1)
      .reduce(
        (o: any, k: string) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')],
        spec,
      );
  }
  if (!response.content?.['application/json']) {
    throw new Error(`${method} ${template} ${status} documents no JSON body`);
  }
  const validate = ajv.compile({
    $ref: `github#${ptr}/content/application~1json/schema`,
  });
  if (!validate(body)) {
    throw new Error(
      `${method} ${template} ${status} violates GitHub's schema: ${ajv.errorsText(
        validate.errors,
      )}`,
    );
  }
}

/** Validates a value against one of GitHub's component schemas. */
export function expectSchema(name: string, value: unknown) {
  const validate = ajv.compile({ $ref: `github#/components/schemas/${name}` });
  if (!validate(value)) {
    throw new Error(
      `violates GitHub's ${name}: ${ajv.errorsText(validate.errors)}`,
    );
  }
}
