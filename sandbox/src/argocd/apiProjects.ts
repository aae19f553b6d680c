/*
 * Argo CD's ProjectService: list, get, create or upsert, update, and delete
 * (refused while applications still use the project). The sandbox's
 * ensureProject seeds projects through upsertProject.
 */

import { Ctx, Router, sendJson } from '../http';
import {
  ApiDeps,
  bodyOf,
  createdMeta,
  op,
  replaceMetaFields,
  same,
  sameMeta,
} from './apiCommon';
import { grpcError, GrpcCode } from './errors';
import { bumpVersion, k8sTime } from './store';
import { AppProject } from './types';
import { checkObjectName } from './validate';

/** Registers the project routes. */
export function projectRoutes(r: Router, d: ApiDeps) {
  r.add('GET', '/api/v1/projects', op('ProjectService_List'), c =>
    listProjects(d, c),
  );
  r.add('POST', '/api/v1/projects', op('ProjectService_Create'), c =>
    createProject(d, c),
  );
  r.add('GET', '/api/v1/projects/:name', op('ProjectService_Get'), c =>
    getProject(d, c),
  );
  r.add('PUT', '/api/v1/projects/:name', op('ProjectService_Update'), c =>
    updateProject(d, c),
  );
  r.add('DELETE', '/api/v1/projects/:name', op('ProjectService_Delete'), c =>
    deleteProject(d, c),
  );
}

function findProject(d: ApiDeps, name: string): AppProject {
  const p = d.state.data.projects[name];
  if (!p)
    throw grpcError(
      GrpcCode.NotFound,
      `appprojects.argoproj.io "${name}" not found`,
    );
  return p;
}

function listProjects(d: ApiDeps, ctx: Ctx) {
  const name = ctx.url.searchParams.get('name');
  const items = Object.values(d.state.data.projects)
    .filter(p => !name || p.metadata.name === name)
    .sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
  sendJson(ctx.res, 200, {
    metadata: { resourceVersion: String(d.state.data.resourceVersion) },
    items: structuredClone(items),
  });
}

function getProject(d: ApiDeps, ctx: Ctx) {
  sendJson(ctx.res, 200, structuredClone(findProject(d, ctx.params.name)));
}

/** Creates or (with upsert) updates a project; shared with the seed. */
export function upsertProject(
  d: ApiDeps,
  input: AppProject,
  upsert: boolean,
): AppProject {
  const project = structuredClone(input);
  project.metadata ??= {};
  project.spec ??= {};
  checkObjectName('AppProject', project.metadata.name);
  const name = project.metadata.name as string;
  const existing = d.state.data.projects[name];
  if (existing) {
    if (
      same(existing.spec, project.spec) &&
      sameMeta(existing.metadata, project.metadata)
    ) {
      return structuredClone(existing);
    }
    if (!upsert) {
      throw grpcError(
        GrpcCode.InvalidArgument,
        'existing project spec is different, use upsert flag to force update',
      );
    }
    return replaceProject(d, name, project);
  }
  const now = k8sTime(d.clock());
  return d.state.update(s => {
    const created: AppProject = {
      metadata: createdMeta(name, project.metadata, now),
      spec: project.spec,
      status: {},
    };
    bumpVersion(s, created);
    s.projects[name] = created;
    return structuredClone(created);
  });
}

function replaceProject(
  d: ApiDeps,
  name: string,
  project: AppProject,
): AppProject {
  return d.state.update(s => {
    const p = s.projects[name];
    if (!same(p.spec, project.spec))
      p.metadata.generation = (p.metadata.generation ?? 1) + 1;
    p.spec = project.spec;
    replaceMetaFields(p.metadata, project.metadata);
    bumpVersion(s, p);
    return structuredClone(p);
  });
}

async function createProject(d: ApiDeps, ctx: Ctx) {
  const body = await bodyOf<{ project?: AppProject; upsert?: boolean }>(ctx);
  if (!body.project)
    throw grpcError(GrpcCode.InvalidArgument, 'project is required');
  sendJson(ctx.res, 200, upsertProject(d, body.project, !!body.upsert));
}

async function updateProject(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  const body = await bodyOf<{ project?: AppProject }>(ctx);
  if (!body.project)
    throw grpcError(GrpcCode.InvalidArgument, 'project is required');
  findProject(d, name);
  const project = structuredClone(body.project);
  project.metadata = { ...(project.metadata ?? {}), name };
  project.spec ??= {};
  sendJson(ctx.res, 200, replaceProject(d, name, project));
}

function deleteProject(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  findProject(d, name);
  const using = Object.values(d.state.data.apps).filter(
    a => (a.app.spec.project || 'default') === name,
  );
  if (using.length) {
    throw grpcError(
      GrpcCode.FailedPrecondition,
      `project is referenced by ${using.length} applications`,
    );
  }
  d.state.update(s => {
    delete s.projects[name];
    s.resourceVersion += 1;
  });
  sendJson(ctx.res, 200, {});
}
