/*
 * The GitHub stand-in's pull requests API against GitHub's contract (with
 * the branch made through the Git Data API's refs).
 */

import { expectContract } from './__testUtils__/contract';
import { useGitHubSandbox } from './__testUtils__/sandbox';

describe('sandbox GitHub', () => {
  const sb = useGitHubSandbox();

  // A repository with a main branch to branch off.
  beforeAll(async () => {
    await sb.gh.createRepo('slipway-demo', 'gitdata');
    await sb.gh.repos.commitFiles(
      'slipway-demo',
      'gitdata',
      'main',
      { 'README.md': '# gitdata\n' },
      'chore: bootstrap',
    );
  });

  it('opens, lists and gets pull requests, and refuses a second one for the same branch', async () => {
    const { octokit, base } = sb;
    const o = { owner: 'slipway-demo', repo: 'gitdata' };
    const main = (await octokit.git.getRef({ ...o, ref: 'heads/main' })).data
      .object.sha;
    const mainCommit = await octokit.git.getCommit({ ...o, commit_sha: main });
    const t = await octokit.git.createTree({
      ...o,
      base_tree: mainCommit.data.tree.sha,
      tree: [
        {
          path: 'charts/pr/values.yaml',
          mode: '100644',
          type: 'blob',
          content: 'pr\n',
        },
      ],
    });
    const c = await octokit.git.createCommit({
      ...o,
      message: 'feat(pr): add',
      tree: t.data.sha,
      parents: [main],
    });
    const branch = await octokit.git.createRef({
      ...o,
      ref: 'refs/heads/slipway/pr-1',
      sha: c.data.sha,
    });
    expectContract('POST', '/repos/{owner}/{repo}/git/refs', 201, branch.data);
    const again = await octokit.git
      .createRef({ ...o, ref: 'refs/heads/slipway/pr-1', sha: c.data.sha })
      .catch(e => e);
    expect(again.status).toBe(422);

    const noCommits = await octokit.pulls
      .create({ ...o, title: 'nothing', head: 'main', base: 'main' })
      .catch(e => e);
    expect(noCommits.status).toBe(422);

    const pr = await octokit.pulls.create({
      ...o,
      title: 'feat(pr): add',
      body: 'Adds charts/pr.',
      head: 'slipway/pr-1',
      base: 'main',
    });
    expectContract('POST', '/repos/{owner}/{repo}/pulls', 201, pr.data);
    expect(pr.data).toMatchObject({
      state: 'open',
      head: { ref: 'slipway/pr-1', sha: c.data.sha },
      base: { ref: 'main', sha: main },
      html_url: `${base}/${o.owner}/${o.repo}/pull/${pr.data.number}`,
    });

    const dup = await octokit.pulls
      .create({
        ...o,
        title: 'x',
        head: `${o.owner}:slipway/pr-1`,
        base: 'main',
      })
      .catch(e => e);
    expect(dup.status).toBe(422);
    expectContract(
      'POST',
      '/repos/{owner}/{repo}/pulls',
      422,
      dup.response.data,
    );
    expect(dup.response.data.errors[0].message).toMatch(/already exists/);

    const listed = await octokit.pulls.list({
      ...o,
      state: 'open',
      head: `${o.owner}:slipway/pr-1`,
    });
    expectContract('GET', '/repos/{owner}/{repo}/pulls', 200, listed.data);
    expect(listed.data.map(p => p.number)).toEqual([pr.data.number]);
    const none = await octokit.pulls.list({ ...o, head: `${o.owner}:nope` });
    expect(none.data).toEqual([]);

    const got = await octokit.pulls.get({ ...o, pull_number: pr.data.number });
    expectContract(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      200,
      got.data,
    );
    expect(got.data.title).toBe('feat(pr): add');
  });
});
