/*
 * The GitHub stand-in's Git Data API against GitHub's contract: blobs,
 * trees, commits and fast-forward-only ref updates (racing writers: one
 * wins), heard by listeners as pushes.
 */

import { expectContract } from './__testUtils__/contract';
import { useGitHubSandbox } from './__testUtils__/sandbox';

describe('sandbox GitHub', () => {
  const sb = useGitHubSandbox();

  it('writes commits through the Git Data API (blobs, a tree on base_tree, a commit, a fast-forward-only ref update) in the documented shapes', async () => {
    const { octokit, gh, pushes } = sb;
    const o = { owner: 'slipway-demo', repo: 'gitdata' };
    await octokit.repos.createInOrg({ org: o.owner, name: o.repo });
    await gh.repos.commitFiles(
      o.owner,
      o.repo,
      'main',
      { 'README.md': '# gitdata\n', 'charts/a/values.yaml': 'a: 1\n' },
      'chore: bootstrap',
    );

    const ref = await octokit.git.getRef({ ...o, ref: 'heads/main' });
    const head = ref.data.object.sha;
    const commit = await octokit.git.getCommit({ ...o, commit_sha: head });
    expectContract(
      'GET',
      '/repos/{owner}/{repo}/git/commits/{commit_sha}',
      200,
      commit.data,
    );
    expect(commit.data.message).toBe('chore: bootstrap');

    const root = await octokit.git.getTree({
      ...o,
      tree_sha: commit.data.tree.sha,
    });
    expectContract(
      'GET',
      '/repos/{owner}/{repo}/git/trees/{tree_sha}',
      200,
      root.data,
    );
    // Non-recursive: one folder's own entries only.
    expect(root.data.tree.map(e => [e.path, e.type])).toEqual([
      ['README.md', 'blob'],
      ['charts', 'tree'],
    ]);
    const deep = await octokit.git.getTree({
      ...o,
      tree_sha: commit.data.tree.sha,
      recursive: 'true',
    });
    expect(deep.data.tree.map(e => e.path)).toEqual([
      'README.md',
      'charts',
      'charts/a',
      'charts/a/values.yaml',
    ]);

    const text = await octokit.git.createBlob({
      ...o,
      content: 'text: yes\n',
      encoding: 'utf-8',
    });
    expectContract('POST', '/repos/{owner}/{repo}/git/blobs', 201, text.data);
    const bytes = Buffer.from([0, 255, 1, 254, 10]);
    const binary = await octokit.git.createBlob({
      ...o,
      content: bytes.toString('base64'),
      encoding: 'base64',
    });
    const readBack = await octokit.git.getBlob({
      ...o,
      file_sha: binary.data.sha,
    });
    expectContract(
      'GET',
      '/repos/{owner}/{repo}/git/blobs/{file_sha}',
      200,
      readBack.data,
    );
    expect(Buffer.from(readBack.data.content, 'base64')).toEqual(bytes);

    const tree = await octokit.git.createTree({
      ...o,
      base_tree: commit.data.tree.sha,
      tree: [
        {
          path: 'charts/b/values.yaml',
          mode: '100644',
          type: 'blob',
          content: 'b: 1\n',
        },
        {
          path: 'charts/b/text.yaml',
          mode: '100644',
          type: 'blob',
          sha: text.data.sha,
        },
        {
          path: 'charts/b/logo.bin',
          mode: '100644',
          type: 'blob',
          sha: binary.data.sha,
        },
        // sha: null deletes; charts/a is left empty, so it goes too.
        {
          path: 'charts/a/values.yaml',
          mode: '100644',
          type: 'blob',
          sha: null,
        },
      ],
    });
    expectContract('POST', '/repos/{owner}/{repo}/git/trees', 201, tree.data);
    const created = await octokit.git.createCommit({
      ...o,
      message: 'feat(b): add',
      tree: tree.data.sha,
      parents: [head],
      author: { name: 'Slipway', email: 'slipway@example.com' },
    });
    expectContract(
      'POST',
      '/repos/{owner}/{repo}/git/commits',
      201,
      created.data,
    );
    expect(created.data).toMatchObject({
      author: { name: 'Slipway', email: 'slipway@example.com' },
      parents: [{ sha: head }],
      tree: { sha: tree.data.sha },
    });

    const pushesBefore = pushes.length;
    const moved = await octokit.git.updateRef({
      ...o,
      ref: 'heads/main',
      sha: created.data.sha,
      force: false,
    });
    expectContract(
      'PATCH',
      '/repos/{owner}/{repo}/git/refs/{ref}',
      200,
      moved.data,
    );
    // Listeners (Argo CD, Jenkins) and webhooks hear it as they hear a git push.
    expect(pushes.slice(pushesBefore)).toEqual([
      {
        owner: o.owner,
        repo: o.repo,
        updates: [
          { ref: 'refs/heads/main', before: head, after: created.data.sha },
        ],
      },
    ]);
    const files = await octokit.git.getTree({
      ...o,
      tree_sha: 'main',
      recursive: '1',
    });
    expect(
      files.data.tree.filter(e => e.type === 'blob').map(e => e.path),
    ).toEqual([
      'README.md',
      'charts/b/logo.bin',
      'charts/b/text.yaml',
      'charts/b/values.yaml',
    ]);
    expect(
      await gh.repos.readFileIn(
        o.owner,
        o.repo,
        'main',
        'charts/b/values.yaml',
      ),
    ).toBe('b: 1\n');

    // A commit on the old head is no fast-forward of the new one: 422, branch unmoved.
    const stale = await octokit.git.createCommit({
      ...o,
      message: 'stale',
      tree: commit.data.tree.sha,
      parents: [head],
    });
    const refused = await octokit.git
      .updateRef({ ...o, ref: 'heads/main', sha: stale.data.sha, force: false })
      .catch(e => e);
    expect(refused.status).toBe(422);
    expect(refused.response.data.message).toBe('Update is not a fast forward');
    expectContract(
      'PATCH',
      '/repos/{owner}/{repo}/git/refs/{ref}',
      422,
      refused.response.data,
    );

    // Two writers racing from the same head: exactly one lands.
    const racers = await Promise.all(
      ['x', 'y'].map(async n => {
        const t = await octokit.git.createTree({
          ...o,
          base_tree: tree.data.sha,
          tree: [
            {
              path: `charts/${n}/values.yaml`,
              mode: '100644',
              type: 'blob',
              content: `${n}\n`,
            },
          ],
        });
        return (
          await octokit.git.createCommit({
            ...o,
            message: n,
            tree: t.data.sha,
            parents: [created.data.sha],
          })
        ).data.sha;
      }),
    );
    const outcomes = await Promise.allSettled(
      racers.map(sha =>
        octokit.git.updateRef({ ...o, ref: 'heads/main', sha, force: false }),
      ),
    );
    expect(outcomes.map(x => x.status).sort()).toEqual([
      'fulfilled',
      'rejected',
    ]);
    const lost = outcomes.find(
      x => x.status === 'rejected',
    ) as PromiseRejectedResult;
    expect(lost.reason.status).toBe(422);
    expect(racers).toContain(await gh.repos.resolveIn(o.owner, o.repo, 'main'));
  });
});
