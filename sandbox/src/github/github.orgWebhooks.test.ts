/*
 * The GitHub stand-in's organization webhooks: created over REST or with
 * ensureOrgWebhook, loopback only, signed push deliveries for every
 * repository of the org, and kept across restarts.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FaultInjector } from '../faults';
import { BareRepos } from '../git';
import { GitHubUpstream, ZERO_SHA } from '.';
import { expectContract, expectSchema } from './__testUtils__/contract';
import {
  startReceiver,
  useGitHubSandbox,
  validSignature,
} from './__testUtils__/sandbox';

describe('sandbox GitHub', () => {
  const sb = useGitHubSandbox();

  it('creates an org webhook that hears pushes to every repository of the org, signed, with the organization; never a user repository', async () => {
    const { octokit, gh, pushes } = sb;
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
    const { octokit } = sb;
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
    const { octokit, base, gh, dir } = sb;
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
    // GitHub's push payload, with the pushed commits (oldest first).
    const payload = JSON.parse(raw.toString());
    expectSchema('webhook-push', payload);
    expect(payload.commits.map((c: { id: string }) => c.id)).toEqual([sha]);
    expect(payload.commits[0]).toMatchObject({
      message: 'changelog',
      timestamp: expect.any(String),
    });
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
});
