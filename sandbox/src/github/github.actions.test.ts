/*
 * The GitHub stand-in's GitHub Actions workflow runs API against GitHub's
 * contract, with ETags for conditional requests.
 */

import { expectContract } from './__testUtils__/contract';
import { useGitHubSandbox } from './__testUtils__/sandbox';

describe('sandbox GitHub', () => {
  const sb = useGitHubSandbox();

  // A repository with a main branch for the run to be on.
  beforeAll(async () => {
    await sb.gh.createRepo('slipway-demo', 'orders');
    await sb.gh.repos.commitFiles(
      'slipway-demo',
      'orders',
      'main',
      { 'README.md': '# orders\n' },
      'docs: readme',
    );
  });

  it('serves workflow runs with ETags for conditional requests', async () => {
    const { octokit, gh } = sb;
    const head = (
      await octokit.git.getRef({
        owner: 'slipway-demo',
        repo: 'orders',
        ref: 'heads/main',
      })
    ).data.object.sha;
    const now = new Date().toISOString();
    gh.addWorkflowRun('slipway-demo', 'orders', {
      headSha: head,
      headBranch: 'main',
      status: 'completed',
      conclusion: 'success',
      createdAt: now,
      updatedAt: now,
      runStartedAt: now,
      displayTitle: 'docs: notes',
    });
    const runs = await octokit.actions.listWorkflowRunsForRepo({
      owner: 'slipway-demo',
      repo: 'orders',
    });
    expectContract('GET', '/repos/{owner}/{repo}/actions/runs', 200, runs.data);
    expect(runs.data.workflow_runs[0]).toMatchObject({
      head_sha: head,
      conclusion: 'success',
    });
    const etag = runs.headers.etag!;
    const again = await octokit.actions
      .listWorkflowRunsForRepo({
        owner: 'slipway-demo',
        repo: 'orders',
        headers: { 'if-none-match': etag },
      })
      .catch(e => e);
    expect(again.status).toBe(304);
  });
});
