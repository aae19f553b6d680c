/*
 * The GitHub stand-in's git smart HTTP against real `git`: clone and push
 * with the token (refused without it, non-fast-forwards refused), a push
 * firing the repository's signed webhook, then what the push left as the
 * REST API serves it (contents, refs, commits) and branch protection.
 */

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { closeServer, listenLoopback } from '../http';
import { expectContract } from './__testUtils__/contract';
import { execFileP, TOKEN, useGitHubSandbox } from './__testUtils__/sandbox';

describe('sandbox GitHub', () => {
  const sb = useGitHubSandbox();

  // An empty repository to clone and push to.
  beforeAll(async () => {
    await sb.gh.createRepo('slipway-demo', 'orders');
  });

  it('clones and pushes with git over smart HTTP, fires the webhook, and serves contents', async () => {
    const { octokit, base, dir, pushes } = sb;
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
});
