/*
 * The GitHub stand-in's repository commits API against GitHub's contract:
 * filters and ETags answered 304.
 */

import { expectContract } from './__testUtils__/contract';
import { useGitHubSandbox } from './__testUtils__/sandbox';

describe('sandbox GitHub', () => {
  const sb = useGitHubSandbox();

  it('lists commits filtered by path, since, until and per_page, with ETags answered 304', async () => {
    const { octokit, gh } = sb;
    await gh.createRepo('slipway-demo', 'history');
    const commit = (
      files: Record<string, string>,
      message: string,
      date: string,
    ) =>
      gh.repos.commitFiles('slipway-demo', 'history', 'main', files, message, {
        name: 'Dana',
        email: 'dana@example.com',
        date,
      });
    const c1 = await commit(
      { 'charts/a/values.yaml': 'a: 1\n' },
      'a: one',
      '2025-01-01T10:00:00Z',
    );
    const c2 = await commit(
      { 'charts/b/values.yaml': 'b: 1\n' },
      'b: one',
      '2025-01-02T10:00:00Z',
    );
    const c3 = await commit(
      { 'charts/a/values-dev.yaml': 'a: 2\n' },
      'a: two',
      '2025-01-03T10:00:00Z',
    );
    const c4 = await commit(
      { 'README.md': '# history\n' },
      'docs',
      '2025-01-04T10:00:00Z',
    );
    const list = async (params: Record<string, string | number> = {}) => {
      const res = await octokit.repos.listCommits({
        owner: 'slipway-demo',
        repo: 'history',
        ...params,
      });
      expectContract('GET', '/repos/{owner}/{repo}/commits', 200, res.data);
      return res.data.map(c => c.sha);
    };

    expect(await list()).toEqual([c4.sha, c3.sha, c2.sha, c1.sha]);
    // A folder, a file, and a path no commit touched.
    expect(await list({ path: 'charts/a' })).toEqual([c3.sha, c1.sha]);
    expect(await list({ path: 'charts/b/values.yaml' })).toEqual([c2.sha]);
    expect(await list({ path: 'charts/c' })).toEqual([]);
    // Inclusive date bounds, on the date the API shows.
    expect(
      await list({
        since: '2025-01-02T10:00:00Z',
        until: '2025-01-03T10:00:00Z',
      }),
    ).toEqual([c3.sha, c2.sha]);
    expect(
      await list({ path: 'charts/a', since: '2025-01-02T00:00:00Z' }),
    ).toEqual([c3.sha]);
    expect(await list({ per_page: 2 })).toEqual([c4.sha, c3.sha]);
    expect(await list({ sha: c2.sha })).toEqual([c2.sha, c1.sha]);
    const badDate = await octokit.repos
      .listCommits({
        owner: 'slipway-demo',
        repo: 'history',
        since: 'yesterday',
      })
      .catch(e => e);
    expect(badDate.status).toBe(400);

    // Conditional requests: the same answer is a 304 (weak ETags match too),
    // a new commit on the path changes it.
    const first = await octokit.repos.listCommits({
      owner: 'slipway-demo',
      repo: 'history',
      path: 'charts/a',
    });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await octokit.repos
        .listCommits({
          owner: 'slipway-demo',
          repo: 'history',
          path: 'charts/a',
          headers: { 'if-none-match': ifNoneMatch },
        })
        .catch(e => e);
      expect(again.status).toBe(304);
      expect(again.response.headers.etag).toBe(etag);
    }
    // A commit elsewhere leaves the path's answer as it was...
    await commit(
      { 'charts/b/values.yaml': 'b: 2\n' },
      'b: two',
      '2025-01-05T10:00:00Z',
    );
    const unchanged = await octokit.repos
      .listCommits({
        owner: 'slipway-demo',
        repo: 'history',
        path: 'charts/a',
        headers: { 'if-none-match': etag },
      })
      .catch(e => e);
    expect(unchanged.status).toBe(304);
    // ...one on the path does not.
    const c6 = await commit(
      { 'charts/a/values.yaml': 'a: 3\n' },
      'a: three',
      '2025-01-06T10:00:00Z',
    );
    const changed = await octokit.repos.listCommits({
      owner: 'slipway-demo',
      repo: 'history',
      path: 'charts/a',
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.data.map(c => c.sha)).toEqual([c6.sha, c3.sha, c1.sha]);
  });
});
