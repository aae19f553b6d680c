/*
 * Webhook deliveries: a push, posted as GitHub posts it (`push` event,
 * X-GitHub-* headers, X-Hub-Signature-256 when the hook has a secret) to
 * the repository's hooks and its organization's that hear pushes. Hooks
 * point at loopback URLs only; each delivery's response is recorded.
 */

import crypto from 'node:crypto';
import http from 'node:http';
import { HookRecord } from './records';
import { Shapes } from './shapes';
import type { CommitInfo } from '../gitHistory';
import { RefUpdate, ZERO_SHA } from './smartHttp';
import { GitHubStore } from './store';

/** GitHub's push payload lists at most this many commits (its schema says). */
const PAYLOAD_COMMITS = 2048;

/** Posts a push of `owner/repo` to every active hook that hears pushes. */
export async function deliverPushWebhooks(
  { store, shapes }: { store: GitHubStore; shapes: Shapes },
  owner: string,
  repo: string,
  updates: RefUpdate[],
) {
  const r = store.getRepo(owner, repo);
  if (!r) return;
  const hears = (h: HookRecord) =>
    h.active && (h.events.includes('push') || h.events.includes('*'));
  const account = store.ownerOf(r);
  const org = account.type === 'Organization' ? account : undefined;
  // GitHub sends an org's hooks the same push payload as the repository's.
  const targets = [
    ...r.hooks
      .filter(hears)
      .map(h => ({ h, type: 'repository', targetId: r.id })),
    ...(org ? store.listOrgWebhooks(org.login) : [])
      .filter(hears)
      .map(h => ({ h, type: 'organization', targetId: org!.id })),
  ];
  if (!targets.length) return;
  for (const u of updates) {
    const head =
      u.after !== ZERO_SHA
        ? await store.repos.commitIn(owner, repo, u.after)
        : undefined;
    // GitHub lists the pushed commits oldest first, at most 2048 (the rest
    // are read through the commits API); a new branch lists its head.
    let pushed: CommitInfo[] = [];
    if (head && u.before === ZERO_SHA) {
      pushed = [head];
    } else if (head) {
      pushed = (
        await store.repos.commitsBetween(owner, repo, u.before, u.after)
      ).slice(-PAYLOAD_COMMITS);
    }
    const html = shapes.repo(r, account).html_url;
    const commit = async (c: CommitInfo) => ({
      id: c.sha,
      tree_id: (await store.repos.resolveTree(owner, repo, c.sha)) ?? '',
      distinct: true,
      message: c.message,
      timestamp: c.date,
      url: `${html}/commit/${c.sha}`,
      author: { name: c.author, email: c.email },
      committer: { name: c.author, email: c.email },
      added: [],
      removed: [],
      modified: [],
    });
    const payload = JSON.stringify({
      ref: u.ref,
      before: u.before,
      after: u.after,
      created: u.before === ZERO_SHA,
      deleted: u.after === ZERO_SHA,
      forced: false,
      base_ref: null,
      compare: `${html}/compare/${u.before.slice(0, 12)}...${u.after.slice(
        0,
        12,
      )}`,
      repository: shapes.repo(r, account),
      ...(org ? { organization: shapes.orgSimple(org) } : {}),
      commits: await Promise.all(pushed.map(commit)),
      head_commit: head ? await commit(head) : null,
      pusher: { name: 'sandbox' },
    });
    for (const { h, type, targetId } of targets) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': crypto.randomUUID(),
        'x-github-hook-id': String(h.id),
        'x-github-hook-installation-target-type': type,
        'x-github-hook-installation-target-id': String(targetId),
      };
      if (h.secret) {
        headers['x-hub-signature-256'] = `sha256=${crypto
          .createHmac('sha256', h.secret)
          .update(payload)
          .digest('hex')}`;
      }
      const code = await postLoopback(h.url, payload, headers);
      store.state.update(() => {
        h.lastResponse = {
          code,
          status: code && code < 300 ? 'active' : 'failed',
          message: null,
        };
      });
    }
  }
}

/** POSTs `body` to a loopback URL; the response status, or null on failure. */
function postLoopback(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<number | null> {
  return new Promise(resolve => {
    const req = http.request(
      url,
      { method: 'POST', headers, agent: false, timeout: 5000 },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? null));
      },
    );
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}
