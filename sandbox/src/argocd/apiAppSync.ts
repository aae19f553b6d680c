/*
 * Argo CD's ApplicationService operations and history: sync (refused to
 * another revision under auto-sync), rollback to a history entry, terminate
 * (nothing is ever in progress in the sandbox) and the git metadata of a
 * deployed revision.
 */

import { GitReader } from '../git';
import { Ctx, Router, sendJson } from '../http';
import { ApiDeps, bodyOf, findApp, op, userOf, viewOf } from './apiCommon';
import { isAutomated } from './controller';
import { grpcError, GrpcCode } from './errors';
import { primarySource } from './render';
import { k8sTime } from './store';
import { sourcesOf } from './validate';

/** Registers the sync, rollback, terminate and revision metadata routes. */
export function appSyncRoutes(r: Router, d: ApiDeps) {
  r.add(
    'POST',
    '/api/v1/applications/:name/sync',
    op('ApplicationService_Sync'),
    c => sync(d, c),
  );
  r.add(
    'POST',
    '/api/v1/applications/:name/rollback',
    op('ApplicationService_Rollback'),
    c => rollback(d, c),
  );
  r.add(
    'DELETE',
    '/api/v1/applications/:name/operation',
    op('ApplicationService_TerminateOperation'),
    c => terminate(d, c),
  );
  r.add(
    'GET',
    '/api/v1/applications/:name/revisions/:revision/metadata',
    op('ApplicationService_RevisionMetadata'),
    c => revisionMetadata(d, c),
  );
}

async function sync(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  const stored = findApp(d, ctx, name);
  const body = await bodyOf<{
    revision?: string;
    prune?: boolean;
    dryRun?: boolean;
    syncOptions?: { items?: string[] };
  }>(ctx);
  const source = primarySource(stored.app);
  const target = source?.targetRevision || 'HEAD';
  if (
    isAutomated(stored.app) &&
    !body.dryRun &&
    body.revision &&
    body.revision !== target
  ) {
    throw grpcError(
      GrpcCode.FailedPrecondition,
      `Cannot sync to ${body.revision}: auto-sync currently set to ${
        source?.targetRevision ?? ''
      }`,
    );
  }
  await d.controller.sync(name, {
    revision: body.revision || undefined,
    prune: !!body.prune,
    dryRun: !!body.dryRun,
    syncOptions: body.syncOptions?.items,
    initiatedBy: { username: userOf(d, ctx) },
  });
  sendJson(ctx.res, 200, viewOf(findApp(d, ctx, name)));
}

async function rollback(d: ApiDeps, ctx: Ctx) {
  const name = ctx.params.name;
  const stored = findApp(d, ctx, name);
  const body = await bodyOf<{
    id?: number | string;
    dryRun?: boolean;
    prune?: boolean;
  }>(ctx);
  if (isAutomated(stored.app)) {
    throw grpcError(
      GrpcCode.FailedPrecondition,
      'rollback cannot be initiated when auto-sync is enabled',
    );
  }
  const id = Number(body.id ?? 0);
  const entry = (stored.app.status?.history ?? []).find(h => h.id === id);
  if (!entry) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `application ${name} does not have deployment with id ${body.id ?? 0}`,
    );
  }
  await d.controller.sync(name, {
    revision: entry.revision,
    source: entry.source,
    prune: !!body.prune,
    dryRun: !!body.dryRun,
    initiatedBy: { username: userOf(d, ctx) },
  });
  sendJson(ctx.res, 200, viewOf(findApp(d, ctx, name)));
}

function terminate(d: ApiDeps, ctx: Ctx) {
  findApp(d, ctx, ctx.params.name);
  // Sandbox syncs finish before the sync request returns.
  throw grpcError(
    GrpcCode.InvalidArgument,
    'Unable to terminate operation. No operation is in progress',
  );
}

/** BareRepos (and other readers) can optionally list refs, for revision tags. */
interface RefLister {
  parseUrl(url: string): { owner: string; repo: string } | undefined;
  refs(owner: string, repo: string): Promise<Record<string, string>>;
}

function canListRefs(git: GitReader): git is GitReader & RefLister {
  const g = git as Partial<RefLister>;
  return typeof g.parseUrl === 'function' && typeof g.refs === 'function';
}

async function revisionMetadata(d: ApiDeps, ctx: Ctx) {
  const stored = findApp(d, ctx, ctx.params.name);
  const idx = Number(ctx.url.searchParams.get('sourceIndex') ?? '0');
  const sources = sourcesOf(stored.app);
  const source = stored.app.spec.sources?.length
    ? sources[idx]
    : primarySource(stored.app);
  if (!source?.repoURL) {
    throw grpcError(GrpcCode.InvalidArgument, `source index ${idx} not found`);
  }
  const revision = ctx.params.revision;
  const sha = (await d.git.resolve(source.repoURL, revision)) ?? revision;
  const commit = /^[0-9a-f]{4,40}$/i.test(sha)
    ? await d.git.commit(source.repoURL, sha)
    : undefined;
  if (!commit) {
    throw grpcError(
      GrpcCode.Unknown,
      `rpc error: code = Unknown desc = unable to resolve git revision ${revision}: revision not found`,
    );
  }
  const tags: string[] = [];
  if (canListRefs(d.git)) {
    const repo = d.git.parseUrl(source.repoURL);
    if (repo) {
      for (const [ref, target] of Object.entries(
        await d.git.refs(repo.owner, repo.repo),
      )) {
        if (ref.startsWith('refs/tags/') && target === commit.sha)
          tags.push(ref.slice('refs/tags/'.length));
      }
    }
  }
  sendJson(ctx.res, 200, {
    author: `${commit.author} <${commit.email}>`,
    date: k8sTime(new Date(commit.date)),
    message: commit.message,
    ...(tags.length ? { tags } : {}),
  });
}
