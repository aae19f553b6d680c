/*
 * What the Argo CD REST API's route groups share: their dependencies, the
 * operation names, request reading, the application look-up with Argo CD's
 * not-found answers, and object metadata as Argo CD creates, compares and
 * replaces it.
 */

import crypto from 'node:crypto';
import http from 'node:http';
import { GitReader } from '../git';
import { Ctx } from '../http';
import { StateFile } from '../state';
import { Claims, Sessions } from './auth';
import { Controller } from './controller';
import { grpcError, GrpcCode, permissionDenied } from './errors';
import { ARGOCD_NAMESPACE, ArgoState, StoredApp } from './store';
import { Application, ObjectMeta } from './types';

/** What the API handlers work with. */
export interface ApiDeps {
  state: StateFile<ArgoState>;
  sessions: Sessions;
  controller: Controller;
  git: GitReader;
  clock: () => Date;
  admin: { username: string; password: string };
  /** Ask the controller loop to look at an app soon (no-op when stopped). */
  nudge(name: string): void;
  /** The claims the authenticator attached to a request. */
  claimsOf(req: http.IncomingMessage): Claims | undefined;
}

/** The operation name of a swagger operationId. */
export const op = (id: string) => `argocd:${id}`;

/** Drops Go zero values so two specs compare the way reflect.DeepEqual on decoded structs would. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canonical) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  if (v === false || v === 0 || v === '' || v === null) return undefined;
  return v;
}

/** Whether two values are equal once Go zero values are dropped. */
export const same = (a: unknown, b: unknown) =>
  JSON.stringify(canonical(a) ?? null) === JSON.stringify(canonical(b) ?? null);

const emptyMap = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length ? m : undefined;

/** Whether labels, annotations and finalizers match. */
export function sameMeta(a: ObjectMeta, b: ObjectMeta) {
  return (
    same(emptyMap(a.labels), emptyMap(b.labels)) &&
    same(emptyMap(a.annotations), emptyMap(b.annotations)) &&
    same(a.finalizers, b.finalizers)
  );
}

/** Metadata of a newly created object: server fields plus the given labels, annotations and finalizers. */
export function createdMeta(
  name: string,
  given: ObjectMeta,
  creationTimestamp: string,
): ObjectMeta {
  return {
    name,
    namespace: ARGOCD_NAMESPACE,
    uid: crypto.randomUUID(),
    generation: 1,
    creationTimestamp,
    ...(emptyMap(given.labels) ? { labels: given.labels } : {}),
    ...(emptyMap(given.annotations) ? { annotations: given.annotations } : {}),
    ...(given.finalizers?.length ? { finalizers: given.finalizers } : {}),
  };
}

/** Replaces labels, annotations and finalizers of `meta` with the given ones, as an update does. */
export function replaceMetaFields(meta: ObjectMeta, given: ObjectMeta) {
  for (const key of ['labels', 'annotations'] as const) {
    if (emptyMap(given[key])) meta[key] = given[key];
    else delete meta[key];
  }
  if (given.finalizers?.length) meta.finalizers = given.finalizers;
  else delete meta.finalizers;
}

/** Every value of the named query parameters, comma lists split. */
export function queryAll(url: URL, ...names: string[]): string[] {
  return names
    .flatMap(n => url.searchParams.getAll(n))
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean);
}

export function isTrue(v: string | null) {
  return v === 'true' || v === '1';
}

/** Reads the body as JSON; a missing body is an error for methods that need one. */
export async function bodyOf<T>(ctx: Ctx): Promise<T> {
  try {
    const b = await ctx.json<T>();
    if (b === null || typeof b !== 'object' || Array.isArray(b))
      throw new Error('not an object');
    return b;
  } catch {
    throw grpcError(
      GrpcCode.InvalidArgument,
      'invalid character in request body: expected a JSON object',
    );
  }
}

/** The user a request acts as. */
export function userOf(d: ApiDeps, ctx: Ctx): string {
  return d.claimsOf(ctx.req)?.sub ?? 'admin';
}

/**
 * The stored app, or Argo CD v3's answers for a missing one: 404 when the
 * caller named a project (so RBAC could be checked first), else 403.
 */
export function findApp(d: ApiDeps, ctx: Ctx, name: string): StoredApp {
  const stored = d.state.data.apps[name];
  const ns = ctx.url.searchParams.get('appNamespace');
  if (stored && (!ns || ns === ARGOCD_NAMESPACE)) return stored;
  if (queryAll(ctx.url, 'project').length) {
    throw grpcError(
      GrpcCode.NotFound,
      `applications.argoproj.io "${name}" not found`,
    );
  }
  throw permissionDenied();
}

/** An application as the API answers it: a copy of the stored one. */
export function viewOf(stored: StoredApp): Application {
  return structuredClone(stored.app);
}
