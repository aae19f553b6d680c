/*
 * Stands in for GitHub Actions' workflow runs API (what the GitHub Actions
 * card reads): a repository's runs, newest first, filtered by head_sha,
 * branch and status, with ETags answered 304; and one run. Runs are
 * recorded by the sandbox's pipelines (GitHubUpstream.addWorkflowRun).
 */

import { HttpError, Router, sendJson } from '../../http';
import { RepoRecord, WorkflowRunRecord } from '../records';
import {
  API,
  etagOf,
  notModified,
  perPageOf,
  repoOr404,
  RouteContext,
} from './context';

export function registerActionRoutes(router: Router, g: RouteContext) {
  const { store, repos, shapes } = g;

  /** A run in GitHub's shape, with its head commit. */
  const runShape = async (r: RepoRecord, run: WorkflowRunRecord) =>
    shapes.workflowRun(
      r,
      store.ownerOf(r),
      run,
      await repos.commitIn(r.owner, r.name, run.headSha),
    );

  router.add(
    'GET',
    `${API}/repos/:owner/:repo/actions/runs`,
    'actions/list-workflow-runs-for-repo',
    async ctx => {
      const r = repoOr404(store, ctx);
      const q = ctx.url.searchParams;
      let runs = [...r.runs].reverse();
      if (q.get('head_sha'))
        runs = runs.filter(x => x.headSha === q.get('head_sha'));
      if (q.get('branch'))
        runs = runs.filter(x => x.headBranch === q.get('branch'));
      if (q.get('status'))
        runs = runs.filter(
          x => x.status === q.get('status') || x.conclusion === q.get('status'),
        );
      const page = runs.slice(0, perPageOf(q));
      const etag = etagOf(page);
      if (notModified(ctx, etag)) return;
      const body = {
        total_count: runs.length,
        workflow_runs: await Promise.all(page.map(run => runShape(r, run))),
      };
      sendJson(ctx.res, 200, body, { etag });
    },
  );
  router.add(
    'GET',
    `${API}/repos/:owner/:repo/actions/runs/:id`,
    'actions/get-workflow-run',
    async ctx => {
      const r = repoOr404(store, ctx);
      const run = r.runs.find(x => String(x.id) === ctx.params.id);
      if (!run) throw new HttpError(404, 'Not Found');
      sendJson(ctx.res, 200, await runShape(r, run));
    },
  );
}
