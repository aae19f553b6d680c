/*
 * The sandbox's GitHub against GitHub's contract: every REST response the
 * test receives validates against GitHub's OpenAPI description
 * (@octokit/openapi), @octokit/rest drives it, the real `gh` CLI and `git`
 * clone and push over smart HTTP, and a push fires the webhook.
 */

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { FaultInjector } from '../faults';
import { BareRepos } from '../git';
import { closeServer, createUpstreamServer, listenLoopback } from '../http';
import { GitHubUpstream, PushEvent } from '.';

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

/** Octokit's fetch, past Jest's network guard (it blocks global fetch). */
function undiciFetch(): typeof fetch {
  // The guard wraps global fetch; Node's own implementation is still reachable here.
  const { fetch: nodeFetch } = require('undici') as { fetch: typeof fetch };
  return nodeFetch;
}
