/*
 * Validates response bodies against specs/argocd-v3.6.0-swagger.json. The
 * swagger's object schemas are made closed (no properties beyond those
 * declared), so a field the real API does not have is a violation too.
 */

import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';

const SPEC = path.resolve(
  __dirname,
  '../../../../specs/argocd-v3.6.0-swagger.json',
);

type Json = Record<string, any>;

function closeSchemas(node: unknown, defs: Json): void {
  if (Array.isArray(node)) {
    node.forEach(n => closeSchemas(n, defs));
    return;
  }
  if (!node || typeof node !== 'object') return;
  const s = node as Json;
  if (Array.isArray(s.allOf)) {
    // Fold allOf [$ref] into the schema's own properties (ResourceNode embeds ResourceRef).
    s.properties = { ...(s.properties ?? {}) };
    for (const part of s.allOf) {
      const target = part.$ref
        ? defs[part.$ref.replace('#/definitions/', '')]
        : part;
      Object.assign(s.properties, target?.properties ?? {});
    }
    delete s.allOf;
  }
  if (
    s.type === 'object' &&
    s.properties &&
    s.additionalProperties === undefined
  ) {
    s.additionalProperties = false;
  }
  for (const v of Object.values(s)) closeSchemas(v, defs);
}

/** Finds an operation by method and concrete path, and validates bodies against it. */
export class SwaggerContract {
  readonly #doc: Json;
  readonly #ajv: Ajv;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor() {
    this.#doc = JSON.parse(fs.readFileSync(SPEC, 'utf8'));
    closeSchemas(this.#doc.definitions, this.#doc.definitions);
    closeSchemas(this.#doc.paths, this.#doc.definitions);
    this.#doc.$id = 'argocd-swagger';
    this.#ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateSchema: false,
    });
    addFormats(this.#ajv);
    for (const f of [
      'int32',
      'int64',
      'uint32',
      'uint64',
      'byte',
      'double',
      'float',
    ]) {
      this.#ajv.addFormat(f, true);
    }
    this.#ajv.addSchema(this.#doc);
  }

  /** The swagger path template that matches `pathname` (most literal segments wins). */
  template(method: string, pathname: string): string {
    const m = method.toLowerCase();
    const segs = pathname.split('/');
    let best: { tpl: string; literal: number } | undefined;
    for (const [tpl, ops] of Object.entries<Json>(this.#doc.paths)) {
      if (!ops[m]) continue;
      const t = tpl.split('/');
      if (t.length !== segs.length) continue;
      let literal = 0;
      const ok = t.every((part, i) => {
        if (/^\{.+\}$/.test(part)) return segs[i] !== '';
        if (part === segs[i]) {
          literal += 1;
          return true;
        }
        return false;
      });
      if (ok && (!best || literal > best.literal)) best = { tpl, literal };
    }
    if (!best)
      throw new Error(`no swagger operation for ${method} ${pathname}`);
    return best.tpl;
  }

  operationId(method: string, pathname: string): string {
    return this.#doc.paths[this.template(method, pathname)][
      method.toLowerCase()
    ].operationId;
  }

  /** Errors (empty when valid) of `body` as the response of method+path with `status`. */
  errors(
    method: string,
    pathname: string,
    status: number,
    body: unknown,
  ): string[] {
    const tpl = this.template(method, pathname);
    const m = method.toLowerCase();
    const responses = this.#doc.paths[tpl][m].responses;
    const key = status === 200 && responses['200'] ? '200' : 'default';
    const pointer = `#/paths/${encodeURIComponent(
      tpl.replace(/~/g, '~0').replace(/\//g, '~1'),
    )}/${m}/responses/${key}/schema`;
    let validate = this.#cache.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `argocd-swagger${pointer}` });
      this.#cache.set(pointer, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      e =>
        `${method} ${tpl} ${status}: ${e.instancePath || '/'} ${
          e.message
        } ${JSON.stringify(e.params)}`,
    );
  }
}
