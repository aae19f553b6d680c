/*
 * The GitHub stand-in's pull requests API against GitHub's contract (with
 * the branch made through the Git Data API's refs): opening, listing,
 * updating, closing, and merging (merge commit or squash), where a merge
 * moves the base branch like a push, heard by listeners and webhooks.
 */

import { ZERO_SHA } from './smartHttp';
import { expectContract } from './__testUtils__/contract';
import { startReceiver, useGitHubSandbox } from './__testUtils__/sandbox';

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

  /** A repository whose main holds `files`, with a branch off main that commits `changes` in turn. */
  const repoWithBranch = async (
    repo: string,
    files: Record<string, string>,
    branch: string,
    changes: Array<Record<string, string | null>>,
  ) => {
    const o = { owner: 'slipway-demo', repo };
    await sb.gh.createRepo(o.owner, repo);
    const { sha: main } = await sb.gh.repos.commitFiles(
      o.owner,
      repo,
      'main',
      files,
      'chore: bootstrap',
    );
    await sb.octokit.git.createRef({
      ...o,
      ref: `refs/heads/${branch}`,
      sha: main,
    });
    let head = main;
    for (const [i, change] of changes.entries()) {
      head = (
        await sb.gh.repos.commitFiles(
          o.owner,
          repo,
          branch,
          change,
          `feat: change ${i + 1}`,
        )
      ).sha;
    }
    return { o, main, head };
  };

  /** A file's text on a branch, or undefined. */
  const fileOn = (repo: string, ref: string, file: string) =>
    sb.gh.repos.readFileIn('slipway-demo', repo, ref, file);

  it('merges with a merge commit: the base moves like a push (listeners and webhooks hear it), the pull request is merged once', async () => {
    const { octokit, pushes } = sb;
    const { o, head } = await repoWithBranch(
      'merging',
      {
        'README.md': '# merging\n',
        'charts/orders/values-staging.yaml': 'image:\n  tag: a1\n',
      },
      'promote/staging',
      [{ 'charts/orders/values-staging.yaml': 'image:\n  tag: b2\n' }],
    );
    // The base moves on meanwhile, in another file: still mergeable.
    const { sha: base } = await sb.gh.repos.commitFiles(
      o.owner,
      o.repo,
      'main',
      { 'README.md': '# merging\n\nPromotions by pull request.\n' },
      'docs: explain',
    );
    const receiver = await startReceiver();
    try {
      await octokit.repos.createWebhook({
        ...o,
        config: { url: receiver.url('/hook'), content_type: 'json' },
        events: ['push'],
      });
      const pr = await octokit.pulls.create({
        ...o,
        title: 'Promote orders b2 to staging',
        head: 'promote/staging',
        base: 'main',
      });
      const open = await octokit.pulls.get({
        ...o,
        pull_number: pr.data.number,
      });
      expect(open.data).toMatchObject({
        state: 'open',
        merged: false,
        mergeable: true,
        mergeable_state: 'clean',
        merged_at: null,
        merge_commit_sha: null,
        closed_at: null,
      });

      const heard = pushes.length;
      const merged = await octokit.pulls.merge({
        ...o,
        pull_number: pr.data.number,
        sha: head,
      });
      expectContract(
        'PUT',
        '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
        200,
        merged.data,
      );
      expect(merged.data).toMatchObject({
        merged: true,
        message: 'Pull Request successfully merged',
      });
      const sha = merged.data.sha;

      // A merge commit with two parents, by the token's user, now.
      const commit = await octokit.git.getCommit({ ...o, commit_sha: sha });
      expect(commit.data.parents.map(x => x.sha)).toEqual([base, head]);
      expect(commit.data.message).toBe(
        `Merge pull request #${pr.data.number} from slipway-demo/promote/staging\n\nPromote orders b2 to staging`,
      );
      expect(commit.data.author).toMatchObject({ name: 'slipway-bot' });
      expect(commit.data.author.email).toMatch(
        /^\d+\+slipway-bot@users\.noreply\.github\.com$/,
      );
      expect(commit.data.committer.name).toBe('slipway-bot');
      expect(Date.now() - Date.parse(commit.data.committer.date)).toBeLessThan(
        60_000,
      );
      // Both sides' changes are on main.
      expect(
        (await octokit.git.getRef({ ...o, ref: 'heads/main' })).data.object.sha,
      ).toBe(sha);
      expect(
        await fileOn(o.repo, 'main', 'charts/orders/values-staging.yaml'),
      ).toBe('image:\n  tag: b2\n');
      expect(await fileOn(o.repo, 'main', 'README.md')).toContain(
        'Promotions by pull request.',
      );

      // Heard as a push of main, by the listeners and the repository's webhook.
      expect(pushes.slice(heard)).toEqual([
        {
          owner: o.owner,
          repo: o.repo,
          updates: [{ ref: 'refs/heads/main', before: base, after: sha }],
        },
      ]);
      expect(receiver.received.map(x => x.body)).toEqual([
        expect.objectContaining({
          ref: 'refs/heads/main',
          before: base,
          after: sha,
          head_commit: expect.objectContaining({ id: sha }),
        }),
      ]);
      expect(receiver.received[0].headers['x-github-event']).toBe('push');
      // Without delete_branch_on_merge, the head branch stays.
      expect(
        (await octokit.git.getRef({ ...o, ref: 'heads/promote/staging' })).data
          .object.sha,
      ).toBe(head);

      const checked = await octokit.pulls.checkIfMerged({
        ...o,
        pull_number: pr.data.number,
      });
      expect(checked.status).toBe(204);

      const again = await octokit.pulls
        .merge({ ...o, pull_number: pr.data.number })
        .catch(e => e);
      expect(again.status).toBe(405);
      expectContract(
        'PUT',
        '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
        405,
        again.response.data,
      );
      expect(again.response.data.message).toBe('Pull Request is not mergeable');
      expect(pushes).toHaveLength(heard + 1);

      const got = await octokit.pulls.get({
        ...o,
        pull_number: pr.data.number,
      });
      expectContract(
        'GET',
        '/repos/{owner}/{repo}/pulls/{pull_number}',
        200,
        got.data,
      );
      expect(got.data).toMatchObject({
        state: 'closed',
        merged: true,
        merge_commit_sha: sha,
        merged_by: { login: 'slipway-bot' },
        head: { ref: 'promote/staging', sha: head },
        base: { ref: 'main', sha: base },
      });
      expect(got.data.merged_at).toBe(got.data.closed_at);

      const closed = await octokit.pulls.list({ ...o, state: 'closed' });
      expectContract('GET', '/repos/{owner}/{repo}/pulls', 200, closed.data);
      expect(closed.data).toEqual([
        expect.objectContaining({
          number: pr.data.number,
          state: 'closed',
          merge_commit_sha: sha,
          merged_at: got.data.merged_at,
          closed_at: got.data.closed_at,
        }),
      ]);
      expect((await octokit.pulls.list({ ...o })).data).toEqual([]);
      expect(
        (await octokit.pulls.list({ ...o, state: 'all', base: 'main' })).data,
      ).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('squash-merges into one commit on the base and deletes the head branch with delete_branch_on_merge, both heard as pushes', async () => {
    const { octokit, pushes } = sb;
    const { o, main, head } = await repoWithBranch(
      'squashing',
      { 'README.md': '# squashing\n' },
      'feat/two',
      [{ 'a.txt': 'a\n' }, { 'b.txt': 'b\n', 'README.md': null }],
    );
    await octokit.repos.update({ ...o, delete_branch_on_merge: true });
    const pr = await octokit.pulls.create({
      ...o,
      title: 'Two files',
      head: 'feat/two',
      base: 'main',
    });
    const heard = pushes.length;
    const merged = await octokit.pulls.merge({
      ...o,
      pull_number: pr.data.number,
      merge_method: 'squash',
      commit_message: 'Adds a and b, drops the README.',
    });
    const sha = merged.data.sha;
    const commit = await octokit.git.getCommit({ ...o, commit_sha: sha });
    expect(commit.data.parents.map(x => x.sha)).toEqual([main]);
    expect(commit.data.message).toBe(
      `Two files (#${pr.data.number})\n\nAdds a and b, drops the README.`,
    );
    expect(await fileOn(o.repo, 'main', 'b.txt')).toBe('b\n');
    expect(await fileOn(o.repo, 'main', 'README.md')).toBeUndefined();

    expect(pushes.slice(heard).map(p => p.updates)).toEqual([
      [{ ref: 'refs/heads/main', before: main, after: sha }],
      [{ ref: 'refs/heads/feat/two', before: head, after: ZERO_SHA }],
    ]);
    const gone = await octokit.git
      .getRef({ ...o, ref: 'heads/feat/two' })
      .catch(e => e);
    expect(gone.status).toBe(404);
    // A merged pull request keeps showing the head it merged.
    const got = await octokit.pulls.get({ ...o, pull_number: pr.data.number });
    expect(got.data.head.sha).toBe(head);
    expect(got.data.merged).toBe(true);
  });

  it('lists the commits in the default squash message', async () => {
    const { octokit } = sb;
    const { o } = await repoWithBranch(
      'squash-message',
      { 'README.md': '# squash-message\n' },
      'feat/x',
      [{ 'x.txt': '1\n' }, { 'x.txt': '2\n' }],
    );
    const pr = await octokit.pulls.create({
      ...o,
      title: 'X',
      head: 'feat/x',
      base: 'main',
    });
    const { data } = await octokit.pulls.merge({
      ...o,
      pull_number: pr.data.number,
      merge_method: 'squash',
    });
    const commit = await octokit.git.getCommit({ ...o, commit_sha: data.sha });
    expect(commit.data.message).toBe(
      `X (#${pr.data.number})\n\n* feat: change 1\n\n* feat: change 2`,
    );
  });

  it('refuses a merge when the head moved (409) or the change conflicts (405), leaving the base where it was', async () => {
    const { octokit, pushes } = sb;
    const { o, head } = await repoWithBranch(
      'conflicting',
      { 'values.yaml': 'tag: a\n' },
      'bump',
      [{ 'values.yaml': 'tag: b\n' }],
    );
    const pr = await octokit.pulls.create({
      ...o,
      title: 'Bump',
      head: 'bump',
      base: 'main',
    });
    const moved = await octokit.pulls
      .merge({ ...o, pull_number: pr.data.number, sha: '1'.repeat(40) })
      .catch(e => e);
    expect(moved.status).toBe(409);
    expectContract(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      409,
      moved.response.data,
    );
    expect(moved.response.data.message).toBe(
      'Head branch was modified. Review and try the merge again.',
    );

    // main changes the same file: the pull request no longer merges.
    const { sha: base } = await sb.gh.repos.commitFiles(
      o.owner,
      o.repo,
      'main',
      { 'values.yaml': 'tag: c\n' },
      'chore: hotfix',
    );
    const dirty = await octokit.pulls.get({
      ...o,
      pull_number: pr.data.number,
    });
    expect(dirty.data).toMatchObject({
      mergeable: false,
      mergeable_state: 'dirty',
    });
    const heard = pushes.length;
    const conflict = await octokit.pulls
      .merge({ ...o, pull_number: pr.data.number, sha: head })
      .catch(e => e);
    expect(conflict.status).toBe(405);
    expect(conflict.response.data.message).toBe(
      'Pull Request is not mergeable',
    );
    expect(
      (await octokit.git.getRef({ ...o, ref: 'heads/main' })).data.object.sha,
    ).toBe(base);
    expect(await fileOn(o.repo, 'main', 'values.yaml')).toBe('tag: c\n');
    expect(pushes).toHaveLength(heard);

    const rebase = await octokit.pulls
      .merge({ ...o, pull_number: pr.data.number, merge_method: 'rebase' })
      .catch(e => e);
    expect(rebase.status).toBe(422);
    expectContract(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      422,
      rebase.response.data,
    );
  });

  it('updates title and body, closes and reopens a pull request', async () => {
    const { octokit } = sb;
    const { o } = await repoWithBranch(
      'closing',
      { 'README.md': '# closing\n' },
      'idea',
      [{ 'idea.md': 'maybe\n' }],
    );
    const pr = await octokit.pulls.create({
      ...o,
      title: 'Idea',
      head: 'idea',
      base: 'main',
    });
    const n = pr.data.number;
    const renamed = await octokit.pulls.update({
      ...o,
      pull_number: n,
      title: 'A better idea',
      body: 'Details.',
    });
    expectContract(
      'PATCH',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      200,
      renamed.data,
    );
    expect(renamed.data).toMatchObject({
      title: 'A better idea',
      body: 'Details.',
      state: 'open',
    });

    const closed = await octokit.pulls.update({
      ...o,
      pull_number: n,
      state: 'closed',
    });
    expect(closed.data).toMatchObject({
      state: 'closed',
      merged: false,
      merged_at: null,
      merge_commit_sha: null,
    });
    expect(closed.data.closed_at).not.toBeNull();
    const listed = await octokit.pulls.list({ ...o, state: 'closed' });
    expect(listed.data.map(p => [p.number, p.merged_at])).toEqual([[n, null]]);
    const notMergeable = await octokit.pulls
      .merge({ ...o, pull_number: n })
      .catch(e => e);
    expect(notMergeable.status).toBe(405);
    const unchecked = await octokit.pulls
      .checkIfMerged({ ...o, pull_number: n })
      .catch(e => e);
    expect(unchecked.status).toBe(404);

    const reopened = await octokit.pulls.update({
      ...o,
      pull_number: n,
      state: 'open',
    });
    expect(reopened.data).toMatchObject({ state: 'open', closed_at: null });
    expect(
      (await octokit.pulls.list({ ...o })).data.map(p => p.number),
    ).toEqual([n]);
    const bad = await octokit.pulls
      .update({ ...o, pull_number: n, state: 'merged' as any })
      .catch(e => e);
    expect(bad.status).toBe(422);
    expectContract(
      'PATCH',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      422,
      bad.response.data,
    );
  });

  it('counts merges per operation and lets injected faults fail them like any other call', async () => {
    const { octokit, gh } = sb;
    const { o } = await repoWithBranch(
      'faulty',
      { 'README.md': '# faulty\n' },
      'change',
      [{ 'c.txt': 'c\n' }],
    );
    const pr = await octokit.pulls.create({
      ...o,
      title: 'Change',
      head: 'change',
      base: 'main',
    });
    const before = gh.faults.counters().github?.['pulls/merge'] ?? 0;
    gh.faults.set({
      github: { failNext: { 'pulls/merge': { count: 1, status: 503 } } },
    });
    try {
      const failed = await octokit.pulls
        .merge({ ...o, pull_number: pr.data.number })
        .catch(e => e);
      expect(failed.status).toBe(503);
      const ok = await octokit.pulls.merge({
        ...o,
        pull_number: pr.data.number,
      });
      expect(ok.data.merged).toBe(true);
    } finally {
      gh.faults.clear();
    }
    expect(gh.faults.counters().github['pulls/merge']).toBe(before + 2);
    expect(gh.faults.mutations().github['pulls/merge']).toBe(before + 2);
  });
});
