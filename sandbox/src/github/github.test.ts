/*
 * The sandbox's GitHub against GitHub's contract: every REST response the
 * test receives validates against GitHub's OpenAPI description
 * (@octokit/openapi), @octokit/rest drives it, the real `gh` CLI and `git`
 * clone and push over smart HTTP, and a push fires the webhook.
 */

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { FaultInjector } from '../faults';
import { BareRepos } from '../git';
import { closeServer, createUpstreamServer, listenLoopback } from '../http';
import { GitHubUpstream, PushEvent, ZERO_SHA } from '.';

const execFileP = promisify(execFile);
const TOKEN = 'test-token';

// GitHub's OpenAPI description, compiled once.
const spec = JSON.parse(
  fs.readFileSync(
    require.resolve('@octokit/openapi/generated/api.github.com.json'),
    'utf8',
  ),
);
/**
 * OpenAPI 3.0's `nullable` without a `type` (beside allOf/oneOf) is not JSON
 * Schema; rewrite it as "this, or null" so Ajv reads it as GitHub means it.
 */
function normalizeNullable(node: any): any {
  if (Array.isArray(node)) return node.map(normalizeNullable);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) out[k] = normalizeNullable(v);
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);
ajv.addSchema(normalizeNullable(spec), 'github');

const pointer = (p: string) => p.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates a response body against the documented schema for the operation. */
function expectContract(
  method: string,
  template: string,
  status: number,
  body: unknown,
) {
  const m = method.toLowerCase();
  let response = spec.paths[template]?.[m]?.responses?.[String(status)];
  if (!response)
    throw new Error(`GitHub documents no ${status} for ${method} ${template}`);
  let ptr = `/paths/${pointer(template)}/${m}/responses/${status}`;
  if (response.$ref) {
    ptr = response.$ref.slice(1);
    response = ptr
      .split('/')
      .slice(1)
      .reduce(
        (o: any, k: string) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')],
        spec,
      );
  }
  if (!response.content?.['application/json']) {
    throw new Error(`${method} ${template} ${status} documents no JSON body`);
  }
  const validate = ajv.compile({
    $ref: `github#${ptr}/content/application~1json/schema`,
  });
  if (!validate(body)) {
    throw new Error(
      `${method} ${template} ${status} violates GitHub's schema: ${ajv.errorsText(
        validate.errors,
      )}`,
    );
  }
}

describe('sandbox GitHub', () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  let gh: GitHubUpstream;
  let octokit: Octokit;
  const pushes: PushEvent[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-gh-'));
    const repos = new BareRepos(path.join(dir, 'git'), () => base);
    gh = new GitHubUpstream({
      dataDir: dir,
      faults: new FaultInjector(),
      repos,
      baseUrl: () => base,
      tokens: { [TOKEN]: 'slipway-bot' },
    });
    gh.ensureUser('slipway-demo', 'Organization');
    gh.ensureUser('slipway-bot');
    gh.onPush(e => {
      pushes.push(e);
    });
    server = createUpstreamServer({
      upstream: 'github',
      faults: gh.faults,
      resolve: gh.resolve.bind(gh),
      renderError: gh.renderError.bind(gh),
      authenticate: gh.authenticate.bind(gh),
    });
    base = `http://127.0.0.1:${await listenLoopback(server, 0)}`;
    octokit = new Octokit({
      auth: TOKEN,
      baseUrl: `${base}/api/v3`,
      request: { fetch: undiciFetch() },
    });
  });

  afterAll(async () => {
    await closeServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a repository the way publish:github does, in the documented shapes', async () => {
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

  it('refuses requests without a valid token', async () => {
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

  it('clones and pushes with git over smart HTTP, fires the webhook, and serves contents', async () => {
    const received: Array<{ headers: http.IncomingHttpHeaders; body: any }> =
      [];
    const hookServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    const hookPort = await listenLoopback(hookServer, 0);
    const hook = await octokit.repos.createWebhook({
      owner: 'slipway-demo',
      repo: 'orders',
      config: {
        url: `http://127.0.0.1:${hookPort}/hook`,
        content_type: 'json',
        secret: 's3cret',
      },
      events: ['push'],
    });
    expectContract('POST', '/repos/{owner}/{repo}/hooks', 201, hook.data);
    const offBox = await octokit.repos
      .createWebhook({
        owner: 'slipway-demo',
        repo: 'orders',
        config: { url: 'http://10.0.0.1/x' },
      })
      .catch(e => e);
    expect(offBox.status).toBe(422);

    const work = path.join(dir, 'work');
    const remote = `${base.replace(
      'http://',
      `http://x-access-token:${TOKEN}@`,
    )}/slipway-demo/orders.git`;
    const env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: dir,
    };
    await execFileP('git', ['clone', '-q', remote, work], { env });
    fs.writeFileSync(path.join(work, 'README.md'), '# orders\n');
    const author = [
      '-c',
      'user.name=Dana',
      '-c',
      'user.email=dana@example.com',
    ];
    await execFileP('git', ['-C', work, 'add', '.'], { env });
    await execFileP(
      'git',
      ['-C', work, ...author, 'commit', '-q', '-m', 'docs: readme'],
      { env },
    );
    await execFileP('git', ['-C', work, 'push', '-q', 'origin', 'HEAD:main'], {
      env,
    });
    const sha = (
      await execFileP('git', ['-C', work, 'rev-parse', 'HEAD'], { env })
    ).stdout.trim();

    expect(pushes.at(-1)).toMatchObject({
      owner: 'slipway-demo',
      repo: 'orders',
      updates: [{ ref: 'refs/heads/main', after: sha }],
    });
    expect(received).toHaveLength(1);
    expect(received[0].headers['x-github-event']).toBe('push');
    expect(received[0].headers['x-hub-signature-256']).toMatch(
      /^sha256=[0-9a-f]{64}$/,
    );
    expect(received[0].body.after).toBe(sha);
    await closeServer(hookServer);

    // A clone without the token is refused.
    const anon = await execFileP(
      'git',
      [
        'clone',
        '-q',
        `${base}/slipway-demo/orders.git`,
        path.join(dir, 'anon'),
      ],
      { env },
    ).catch(e => e);
    expect(anon.stderr).toMatch(
      /Authentication failed|could not read Username|401/,
    );

    // A non-fast-forward push is refused, even forced.
    await execFileP(
      'git',
      ['-C', work, ...author, 'commit', '-q', '--amend', '-m', 'rewritten'],
      { env },
    );
    const forced = await execFileP(
      'git',
      ['-C', work, 'push', '-q', '--force', 'origin', 'HEAD:main'],
      { env },
    ).catch(e => e);
    expect(forced.stderr).toMatch(/non-fast-forward|rejected/);

    const content = await octokit.repos.getContent({
      owner: 'slipway-demo',
      repo: 'orders',
      path: 'README.md',
    });
    expectContract(
      'GET',
      '/repos/{owner}/{repo}/contents/{path}',
      200,
      content.data,
    );
    expect(
      Buffer.from((content.data as any).content, 'base64').toString(),
    ).toBe('# orders\n');
    const raw = await octokit.repos.getContent({
      owner: 'slipway-demo',
      repo: 'orders',
      path: 'README.md',
      mediaType: { format: 'raw' },
    });
    expect(raw.data).toBe('# orders\n');

    const ref = await octokit.git.getRef({
      owner: 'slipway-demo',
      repo: 'orders',
      ref: 'heads/main',
    });
    expectContract('GET', '/repos/{owner}/{repo}/git/ref/{ref}', 200, ref.data);
    expect(ref.data.object.sha).toBe(sha);

    const commits = await octokit.repos.listCommits({
      owner: 'slipway-demo',
      repo: 'orders',
    });
    expectContract('GET', '/repos/{owner}/{repo}/commits', 200, commits.data);
    expect(commits.data[0].commit.message).toBe('docs: readme');

    const updated = await octokit.repos.createOrUpdateFileContents({
      owner: 'slipway-demo',
      repo: 'orders',
      path: 'docs/notes.md',
      message: 'docs: notes',
      content: Buffer.from('notes\n').toString('base64'),
    });
    expectContract(
      'PUT',
      '/repos/{owner}/{repo}/contents/{path}',
      201,
      updated.data,
    );

    const protection = await octokit.repos.updateBranchProtection({
      owner: 'slipway-demo',
      repo: 'orders',
      branch: 'main',
      required_status_checks: null,
      enforce_admins: true,
      required_pull_request_reviews: { required_approving_review_count: 1 },
      restrictions: null,
    });
    expectContract(
      'PUT',
      '/repos/{owner}/{repo}/branches/{branch}/protection',
      200,
      protection.data,
    );
  });

  it('serves workflow runs with ETags for conditional requests', async () => {
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

  it('writes commits through the Git Data API (blobs, a tree on base_tree, a commit, a fast-forward-only ref update) in the documented shapes', async () => {
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

  it('opens, lists and gets pull requests, and refuses a second one for the same branch', async () => {
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

  it('lists commits filtered by path, since, until and per_page, with ETags answered 304', async () => {
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

  it('creates an org webhook that hears pushes to every repository of the org, signed, with the organization; never a user repository', async () => {
    const receiver = await startReceiver();
    const hook = await octokit.rest.orgs.createWebhook({
      org: 'slipway-demo',
      name: 'web',
      config: {
        url: receiver.url('/events'),
        content_type: 'json',
        secret: 'org-s3cret',
        insecure_ssl: '0',
      },
      events: ['push'],
      active: true,
    });
    expectContract('POST', '/orgs/{org}/hooks', 201, hook.data);
    expect(hook.data).toMatchObject({
      type: 'Organization',
      name: 'web',
      active: true,
      events: ['push'],
      config: { url: receiver.url('/events'), secret: '********' },
    });
    // A hook for other events hears no push.
    const other = await octokit.rest.orgs.createWebhook({
      org: 'slipway-demo',
      name: 'web',
      config: { url: receiver.url('/issues'), secret: 'x' },
      events: ['issues'],
    });

    const list = await octokit.rest.orgs.listWebhooks({ org: 'slipway-demo' });
    expectContract('GET', '/orgs/{org}/hooks', 200, list.data);
    expect(list.data.map(h => h.id)).toEqual(
      expect.arrayContaining([hook.data.id, other.data.id]),
    );
    expect(JSON.stringify(list.data)).not.toContain('org-s3cret');
    const one = await octokit.rest.orgs.getWebhook({
      org: 'slipway-demo',
      hook_id: hook.data.id,
    });
    expectContract('GET', '/orgs/{org}/hooks/{hook_id}', 200, one.data);

    // Two repositories of the org, neither with a hook of its own.
    for (const name of ['billing', 'search']) {
      await octokit.rest.repos.createInOrg({ org: 'slipway-demo', name });
      const { sha } = await gh.repos.commitFiles(
        'slipway-demo',
        name,
        'main',
        { 'README.md': `# ${name}\n` },
        'first',
      );
      await gh.notifyPush('slipway-demo', name, [
        { ref: 'refs/heads/main', before: ZERO_SHA, after: sha },
      ]);
    }
    expect(receiver.received.map(r => r.path)).toEqual(['/events', '/events']);
    const org = await octokit.rest.orgs.get({ org: 'slipway-demo' });
    for (const [i, name] of ['billing', 'search'].entries()) {
      const { headers, raw, body } = receiver.received[i];
      expect(headers['x-github-event']).toBe('push');
      expect(headers['x-github-hook-id']).toBe(String(hook.data.id));
      expect(headers['x-github-hook-installation-target-type']).toBe(
        'organization',
      );
      expect(validSignature('org-s3cret', raw, headers)).toBe(true);
      expect(validSignature('wrong-secret', raw, headers)).toBe(false);
      expect(body.repository.full_name).toBe(`slipway-demo/${name}`);
      expect(body.organization).toMatchObject({
        login: 'slipway-demo',
        id: org.data.id,
      });
      expectSchema('organization-simple-webhooks', body.organization);
    }
    expect(
      gh.listOrgWebhooks('slipway-demo').find(h => h.id === hook.data.id)
        ?.lastResponse,
    ).toEqual({ code: 204, status: 'active', message: null });

    // A user's repository belongs to no org: no org hook hears its push.
    const own = await octokit.rest.repos.createForAuthenticatedUser({
      name: 'scratch',
    });
    expect(own.data.owner.login).toBe('slipway-bot');
    const { sha } = await gh.repos.commitFiles(
      'slipway-bot',
      'scratch',
      'main',
      { 'notes.md': 'x\n' },
      'notes',
    );
    await gh.notifyPush('slipway-bot', 'scratch', [
      { ref: 'refs/heads/main', before: ZERO_SHA, after: sha },
    ]);
    expect(pushes.at(-1)).toMatchObject({ owner: 'slipway-bot' });
    expect(receiver.received).toHaveLength(2);

    for (const h of [hook, other]) {
      await octokit.rest.orgs.deleteWebhook({
        org: 'slipway-demo',
        hook_id: h.data.id,
      });
    }
    await receiver.close();
  });

  it('refuses org webhooks off loopback or not http (422), for a user or an unknown org (404), and deletes them (404 once gone)', async () => {
    for (const url of ['http://10.0.0.1/x', 'https://127.0.0.1/x', 'nope']) {
      const offBox = await octokit.rest.orgs
        .createWebhook({ org: 'slipway-demo', name: 'web', config: { url } })
        .catch(e => e);
      expect(offBox.status).toBe(422);
      expectContract('POST', '/orgs/{org}/hooks', 422, offBox.response.data);
    }
    const notWeb = await octokit.rest.orgs
      .createWebhook({
        org: 'slipway-demo',
        name: 'slack',
        config: { url: 'http://127.0.0.1:9/x' },
      })
      .catch(e => e);
    expect(notWeb.status).toBe(422);
    for (const org of ['slipway-bot', 'no-such-org']) {
      const missing = await octokit.rest.orgs
        .createWebhook({
          org,
          name: 'web',
          config: { url: 'http://127.0.0.1:9/x' },
        })
        .catch(e => e);
      expect(missing.status).toBe(404);
      expectContract('POST', '/orgs/{org}/hooks', 404, missing.response.data);
      const list = await octokit.rest.orgs.listWebhooks({ org }).catch(e => e);
      expect(list.status).toBe(404);
    }

    const hook = await octokit.rest.orgs.createWebhook({
      org: 'slipway-demo',
      name: 'web',
      config: { url: 'http://localhost:9/gone' },
    });
    const deleted = await octokit.rest.orgs.deleteWebhook({
      org: 'slipway-demo',
      hook_id: hook.data.id,
    });
    expect(deleted.status).toBe(204);
    const list = await octokit.rest.orgs.listWebhooks({ org: 'slipway-demo' });
    expect(list.data.map(h => h.id)).not.toContain(hook.data.id);
    const again = await octokit.rest.orgs
      .deleteWebhook({ org: 'slipway-demo', hook_id: hook.data.id })
      .catch(e => e);
    expect(again.status).toBe(404);
    expectContract(
      'DELETE',
      '/orgs/{org}/hooks/{hook_id}',
      404,
      again.response.data,
    );
  });

  it('ensureOrgWebhook is idempotent by URL (a second call updates the secret, adds no hook), keeps hooks across restarts, and loads older state files', async () => {
    const receiver = await startReceiver();
    const url = receiver.url('/github');
    const first = gh.ensureOrgWebhook('slipway-demo', { url, secret: 'one' });
    const second = gh.ensureOrgWebhook('slipway-demo', { url, secret: 'two' });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false });
    expect(second.hook.id).toBe(first.hook.id);
    expect(
      gh.listOrgWebhooks('slipway-demo').filter(h => h.url === url),
    ).toHaveLength(1);
    const list = await octokit.rest.orgs.listWebhooks({ org: 'slipway-demo' });
    expect(list.data.filter(h => h.config.url === url)).toHaveLength(1);

    const { sha, parent } = await gh.repos.commitFiles(
      'slipway-demo',
      'billing',
      'main',
      { 'CHANGELOG.md': '- one\n' },
      'changelog',
    );
    await gh.notifyPush('slipway-demo', 'billing', [
      { ref: 'refs/heads/main', before: parent!, after: sha },
    ]);
    expect(receiver.received).toHaveLength(1);
    const { raw, headers } = receiver.received[0];
    expect(validSignature('two', raw, headers)).toBe(true);
    expect(validSignature('one', raw, headers)).toBe(false);
    await receiver.close();

    expect(() =>
      gh.ensureOrgWebhook('slipway-demo', { url: 'http://192.0.2.1/x' }),
    ).toThrow(/loopback/);
    expect(() => gh.ensureOrgWebhook('slipway-bot', { url })).toThrow(
      /organization/,
    );

    // A restart reads the hooks back from the state file.
    const restarted = new GitHubUpstream({
      dataDir: dir,
      faults: new FaultInjector(),
      repos: gh.repos,
      baseUrl: () => base,
      tokens: {},
    });
    expect(restarted.listOrgWebhooks('slipway-demo')).toContainEqual(
      expect.objectContaining({ id: first.hook.id, url, secret: 'two' }),
    );

    // A state file written before org webhooks existed loads with none.
    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-gh-old-'));
    fs.writeFileSync(
      path.join(old, 'github.json'),
      JSON.stringify({
        nextId: 7,
        users: { acme: { login: 'acme', id: 3, type: 'Organization' } },
        repos: {},
      }),
    );
    const legacy = new GitHubUpstream({
      dataDir: old,
      faults: new FaultInjector(),
      repos: new BareRepos(path.join(old, 'git'), () => base),
      baseUrl: () => base,
      tokens: {},
    });
    expect(legacy.listOrgWebhooks('acme')).toEqual([]);
    expect(legacy.ensureOrgWebhook('acme', { url }).hook.id).toBe(7);
    fs.rmSync(old, { recursive: true, force: true });
  });

  it('works with the real gh CLI', async () => {
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

/** Validates a value against one of GitHub's component schemas. */
function expectSchema(name: string, value: unknown) {
  const validate = ajv.compile({ $ref: `github#/components/schemas/${name}` });
  if (!validate(value)) {
    throw new Error(
      `violates GitHub's ${name}: ${ajv.errorsText(validate.errors)}`,
    );
  }
}

/** Whether `x-hub-signature-256` is the HMAC of the raw body with `secret`. */
function validSignature(
  secret: string,
  raw: Buffer,
  headers: http.IncomingHttpHeaders,
): boolean {
  const got = Buffer.from(String(headers['x-hub-signature-256'] ?? ''));
  const want = Buffer.from(
    `sha256=${crypto.createHmac('sha256', secret).update(raw).digest('hex')}`,
  );
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

/** A loopback webhook receiver that records what it is sent. */
async function startReceiver() {
  const received: Array<{
    path: string;
    headers: http.IncomingHttpHeaders;
    raw: Buffer;
    body: any;
  }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body: JSON.parse(raw.toString('utf8')),
      });
      res.writeHead(204).end();
    });
  });
  const port = await listenLoopback(server, 0);
  return {
    received,
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    close: () => closeServer(server),
  };
}

/** Octokit's fetch, past Jest's network guard (it blocks global fetch). */
function undiciFetch(): typeof fetch {
  // The guard wraps global fetch; Node's own implementation is still reachable here.
  const { fetch: nodeFetch } = require('undici') as { fetch: typeof fetch };
  return nodeFetch;
}
