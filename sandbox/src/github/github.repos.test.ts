/*
 * The GitHub stand-in's repositories API against GitHub's contract:
 * creating a repository as publish:github does (and with auto_init, as
 * slipway:repository:publish does), updating it, collaborators and topics,
 * token auth, and the real `gh` CLI reading a repository.
 */

import { Octokit } from '@octokit/rest';
import { expectContract } from './__testUtils__/contract';
import {
  execFileP,
  TOKEN,
  undiciFetch,
  useGitHubSandbox,
} from './__testUtils__/sandbox';

describe('sandbox GitHub', () => {
  const sb = useGitHubSandbox();

  it('creates a repository the way publish:github does, in the documented shapes', async () => {
    const { octokit, base } = sb;
    const user = await octokit.users.getByUsername({
      username: 'slipway-demo',
    });
    expectContract('GET', '/users/{username}', 200, user.data);
    expect(user.data.type).toBe('Organization');

    const created = await octokit.repos.createInOrg({
      org: 'slipway-demo',
      name: 'orders',
      private: true,
      description: 'Takes orders',
      delete_branch_on_merge: true,
    });
    expectContract('POST', '/orgs/{org}/repos', 201, created.data);
    expect(created.data.full_name).toBe('slipway-demo/orders');
    expect(created.data.clone_url).toBe(`${base}/slipway-demo/orders.git`);

    const again = await octokit.repos
      .createInOrg({ org: 'slipway-demo', name: 'orders' })
      .catch(e => e);
    expect(again.status).toBe(422);
    expectContract('POST', '/orgs/{org}/repos', 422, again.response.data);

    const got = await octokit.repos.get({
      owner: 'slipway-demo',
      repo: 'orders',
    });
    expectContract('GET', '/repos/{owner}/{repo}', 200, got.data);
    expect(got.data.delete_branch_on_merge).toBe(true);

    const missing = await octokit.repos
      .get({ owner: 'slipway-demo', repo: 'nope' })
      .catch(e => e);
    expect(missing.status).toBe(404);

    await octokit.repos.addCollaborator({
      owner: 'slipway-demo',
      repo: 'orders',
      username: 'dana',
      permission: 'admin',
    });
    const topics = await octokit.repos.replaceAllTopics({
      owner: 'slipway-demo',
      repo: 'orders',
      names: ['python'],
    });
    expectContract('PUT', '/repos/{owner}/{repo}/topics', 200, topics.data);
  });

  it("creates a repository with GitHub's first commit (auto_init) and updates its settings, in the documented shapes", async () => {
    const { octokit } = sb;
    const created = await octokit.repos.createInOrg({
      org: 'slipway-demo',
      name: 'seeded',
      description: 'Starts with a README',
      auto_init: true,
    });
    expectContract('POST', '/orgs/{org}/repos', 201, created.data);
    const head = await octokit.git.getRef({
      owner: 'slipway-demo',
      repo: 'seeded',
      ref: 'heads/main',
    });
    const first = await octokit.git.getCommit({
      owner: 'slipway-demo',
      repo: 'seeded',
      commit_sha: head.data.object.sha,
    });
    expect(first.data).toMatchObject({
      message: 'Initial commit',
      parents: [],
    });
    const readme = await octokit.repos.getContent({
      owner: 'slipway-demo',
      repo: 'seeded',
      path: 'README.md',
    });
    expect(
      Buffer.from(
        (readme.data as { content: string }).content,
        'base64',
      ).toString(),
    ).toBe('# seeded\n\nStarts with a README\n');

    const updated = await octokit.repos.update({
      owner: 'slipway-demo',
      repo: 'seeded',
      description: 'Takes seeds',
      delete_branch_on_merge: true,
    });
    expectContract('PATCH', '/repos/{owner}/{repo}', 200, updated.data);
    expect(updated.data).toMatchObject({
      description: 'Takes seeds',
      delete_branch_on_merge: true,
    });
    const missing = await octokit.repos
      .update({ owner: 'slipway-demo', repo: 'nope', description: 'x' })
      .catch(e => e);
    expect(missing.status).toBe(404);
  });

  it("lists an organization's repositories a page at a time, in the documented shape", async () => {
    const { octokit } = sb;
    for (const name of ['list-b', 'list-a', 'list-c']) {
      await octokit.repos.createInOrg({ org: 'slipway-demo', name });
    }
    const all = await octokit.paginate(octokit.repos.listForOrg, {
      org: 'slipway-demo',
      per_page: 2,
    });
    const names = all.map(r => r.name);
    expect(names.filter(n => n.startsWith('list-'))).toEqual([
      'list-a',
      'list-b',
      'list-c',
    ]);
    expect(new Set(names).size).toBe(names.length);
    const page = await octokit.repos.listForOrg({
      org: 'slipway-demo',
      per_page: 1,
    });
    expectContract('GET', '/orgs/{org}/repos', 200, page.data);
    expect(page.data).toHaveLength(1);
  });

  it('refuses requests without a valid token', async () => {
    const { base } = sb;
    const anon = new Octokit({
      baseUrl: `${base}/api/v3`,
      request: { fetch: undiciFetch() },
    });
    const res = await anon.repos
      .get({ owner: 'slipway-demo', repo: 'orders' })
      .catch(e => e);
    expect(res.status).toBe(401);
    expect(res.response.data.message).toBe('Bad credentials');
  });

  it('works with the real gh CLI', async () => {
    const { base, dir } = sb;
    // gh takes no port in --hostname, so it gets the full API URL.
    const { stdout } = await execFileP(
      'gh',
      ['api', `${base}/api/v3/repos/slipway-demo/orders`],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          GH_ENTERPRISE_TOKEN: TOKEN,
          GH_HOST: '127.0.0.1',
          GH_NO_UPDATE_NOTIFIER: '1',
          GH_PROMPT_DISABLED: '1',
        },
      },
    ).catch(e => {
      throw new Error(
        `gh api failed (is Debian's gh installed?): ${e.stderr ?? e.message}`,
      );
    });
    const repo = JSON.parse(stdout);
    expect(repo.full_name).toBe('slipway-demo/orders');
  });
});
