/*
 * Slipway's delivery operations as an MCP client reaches them: the official
 * MCP TypeScript SDK against this backend (started as a process, its
 * upstreams the sandbox) at /api/mcp-actions/v1, with each caller's own
 * Backstage token. The tools are listed, a service's status is read, an
 * owner promotes it (a helm-charts commit appears), and another team's
 * member is refused (no commit, an audit event).
 */

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SANDBOX_CREDENTIALS } from '@internal/sandbox';
import { DevPortal, startDevPortal } from './__testUtils__/devPortal';
import { request } from './__testUtils__/net';

jest.setTimeout(300_000);

const PAYMENTS = 'component:default/payments-api';

describe('Slipway through MCP (@backstage/plugin-mcp-actions-backend)', () => {
  let portal: DevPortal;

  beforeAll(async () => {
    portal = await startDevPortal({
      sandbox: { buildMs: 200, progressingMs: 300, reconcileIntervalMs: 250 },
    });
    await portal.entity('component/default/payments-api');
  });

  afterAll(async () => {
    await portal?.stop();
  });

  /** An MCP client connected with `token` as its bearer. */
  async function mcp(token: string): Promise<Client> {
    const client = new Client({ name: 'slipway-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(`${portal.baseUrl}/api/mcp-actions/v1`),
        { requestInit: { headers: { authorization: `Bearer ${token}` } } },
      ),
    );
    return client;
  }

  /** The helm-charts branch head, read through the sandbox's GitHub API. */
  async function chartsHead(): Promise<string> {
    const { owner, repo, branch } = portal.sb.helmCharts;
    const res = await request(
      `${portal.sb.urls.githubApi}/repos/${owner}/${repo}/git/ref/heads/${branch}`,
      {
        headers: { authorization: `token ${SANDBOX_CREDENTIALS.githubToken}` },
      },
    );
    return res.json().object.sha;
  }

  const text = (result: Awaited<ReturnType<Client['callTool']>>) =>
    (result.content as Array<{ type: string; text?: string }>)
      .map(c => c.text ?? '')
      .join('\n');

  it("lists Slipway's tools, reads a status, lets an owner promote and refuses another team", async () => {
    const guest = await mcp(await portal.signIn('guest')); // payments-team
    const dana = await mcp(await portal.signIn('dana')); // docs-team
    try {
      // 1. The tools, with their schemas and attributes.
      const { tools } = await guest.listTools();
      const byName = new Map(tools.map(t => [t.name, t]));
      expect([...byName.keys()]).toEqual(
        expect.arrayContaining([
          'delivery.get-delivery-status',
          'delivery.promote-service',
          'delivery.rollback-service',
        ]),
      );
      expect(
        byName.get('delivery.get-delivery-status')?.annotations,
      ).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(byName.get('delivery.promote-service')?.annotations).toMatchObject(
        {
          readOnlyHint: false,
          destructiveHint: true,
        },
      );
      expect(
        Object.keys(
          byName.get('delivery.promote-service')?.inputSchema.properties ?? {},
        ),
      ).toEqual(expect.arrayContaining(['entityRef', 'from', 'to', 'tag']));

      // 2. The status, as a few sentences and as fields.
      const status = await guest.callTool({
        name: 'delivery.get-delivery-status',
        arguments: { entityRef: PAYMENTS },
      });
      expect(status.isError).toBeFalsy();
      const summary = status.structuredContent as {
        summary: string;
        environments: Array<{ environment: string; runningTag?: string }>;
      };
      const dev = summary.environments.find(e => e.environment === 'dev');
      expect(dev?.runningTag).toMatch(/^[0-9a-f]{7}-\d+$/);
      expect(summary.summary).toContain(
        `${PAYMENTS}: dev runs ${dev!.runningTag}`,
      );

      // 3. Another team's member may not promote it: refused, nothing
      // committed, the refusal audited.
      const before = await chartsHead();
      const refused = await dana.callTool({
        name: 'delivery.promote-service',
        arguments: { entityRef: PAYMENTS, from: 'dev', to: 'staging' },
      });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toContain('NotAllowedError');
      expect(text(refused)).toContain(
        `user:default/dana may not delivery.promote on ${PAYMENTS}`,
      );
      expect(await chartsHead()).toBe(before);
      await portal.backend.waitFor(
        'the refusal in the audit log',
        async () =>
          portal.backend
            .allLogs()
            .split('\n')
            .some(
              l =>
                l.includes('promote-authorization') &&
                l.includes('user:default/dana') &&
                l.includes('failed'),
            ) || undefined,
      );

      // 4. Its owner promotes it: one helm-charts commit, naming the user.
      const promoted = await guest.callTool({
        name: 'delivery.promote-service',
        arguments: { entityRef: PAYMENTS, from: 'dev', to: 'staging' },
      });
      expect(promoted.isError).toBeFalsy();
      const result = promoted.structuredContent as {
        environment: string;
        toTag: string;
        commitSha: string;
      };
      expect(result).toMatchObject({
        environment: 'staging',
        toTag: dev!.runningTag,
      });
      const after = await chartsHead();
      expect(after).toBe(result.commitSha);
      const { owner, repo } = portal.sb.helmCharts;
      const commit = await request(
        `${portal.sb.urls.githubApi}/repos/${owner}/${repo}/git/commits/${after}`,
        {
          headers: {
            authorization: `token ${SANDBOX_CREDENTIALS.githubToken}`,
          },
        },
      );
      expect(commit.json().parents.map((p: { sha: string }) => p.sha)).toEqual([
        before,
      ]);
      expect(commit.json().message).toContain('user:default/guest');
    } finally {
      await guest.close();
      await dana.close();
    }
  });

  it('lets no caller in without a token, and lets a service token read but not change', async () => {
    const anonymous = await request(`${portal.baseUrl}/api/mcp-actions/v1`, {
      method: 'POST',
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      headers: { accept: 'application/json, text/event-stream' },
    });
    expect(anonymous.status).toBe(401);

    // app-config.yaml's development automation token: a service, not a user.
    const automation = await mcp('slipway-dev-automation-token');
    try {
      const status = await automation.callTool({
        name: 'delivery.get-delivery-status',
        arguments: { entityRef: PAYMENTS },
      });
      expect(status.isError).toBeFalsy();
      const before = await chartsHead();
      const refused = await automation.callTool({
        name: 'delivery.rollback-service',
        arguments: { entityRef: PAYMENTS, environment: 'dev' },
      });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toContain('Only a signed-in user may rollback');
      expect(await chartsHead()).toBe(before);
    } finally {
      await automation.close();
    }
  });
});
