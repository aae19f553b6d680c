/*
 * GitHub Actions' `workflow-run` shape (GET actions/runs, actions/runs/{id}).
 */

import { CommitInfo } from '../../git';
import { RepoRecord, UserRecord, WorkflowRunRecord } from '../records';
import { Links, nodeId } from './links';
import { RepoShapes } from './repos';

export function actionShapes(
  { api, web }: Links,
  repos: Pick<RepoShapes, 'minimalRepo'>,
) {
  function workflowRun(
    r: RepoRecord,
    owner: UserRecord,
    run: WorkflowRunRecord,
    head: CommitInfo | undefined,
  ) {
    const base = `${api()}/repos/${r.owner}/${r.name}/actions/runs/${run.id}`;
    const repo = repos.minimalRepo(r, owner);
    return {
      id: run.id,
      name: 'ci',
      node_id: nodeId('WorkflowRun', run.id),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: '.github/workflows/ci.yaml',
      display_title: run.displayTitle,
      run_number: run.runNumber,
      run_attempt: 1,
      event: 'push',
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: 1,
      url: base,
      html_url: `${web()}/${r.owner}/${r.name}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      run_started_at: run.runStartedAt,
      jobs_url: `${base}/jobs`,
      logs_url: `${base}/logs`,
      check_suite_url: `${api()}/repos/${r.owner}/${r.name}/check-suites/${
        run.id
      }`,
      artifacts_url: `${base}/artifacts`,
      cancel_url: `${base}/cancel`,
      rerun_url: `${base}/rerun`,
      workflow_url: `${api()}/repos/${r.owner}/${r.name}/actions/workflows/1`,
      head_commit: head
        ? {
            id: head.sha,
            tree_id: head.sha,
            message: head.message,
            timestamp: head.date,
            author: { name: head.author, email: head.email },
            committer: { name: head.author, email: head.email },
          }
        : null,
      repository: repo,
      head_repository: repo,
    };
  }

  return { workflowRun };
}
