/*
 * What the plugin reads of GitHub's push webhook. The sandbox's payload is
 * held to GitHub's `webhook-push` schema in its own tests
 * (sandbox/src/github/github.orgWebhooks.test.ts); these are the cases a
 * real delivery brings.
 */

import { readPushEvent } from './pushPayload';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

const push = (fields: Record<string, unknown> = {}) => ({
  ref: 'refs/heads/main',
  before: '0'.repeat(40),
  after: B,
  deleted: false,
  repository: {
    full_name: 'slipway-demo/payments-api',
    default_branch: 'main',
  },
  commits: [
    { id: A, timestamp: '2026-12-01T10:00:00+01:00', message: 'one' },
    { id: B, timestamp: '2026-12-01T10:05:00Z', message: 'two' },
  ],
  ...fields,
});

describe('readPushEvent', () => {
  it('reads the commits pushed to the default branch, their times in UTC', () => {
    expect(readPushEvent(push())).toEqual({
      repository: 'slipway-demo/payments-api',
      pushed: {
        commits: [
          { sha: A, committedAt: '2026-12-01T09:00:00.000Z' },
          { sha: B, committedAt: '2026-12-01T10:05:00.000Z' },
        ],
      },
    });
  });

  it('records no commits for another branch, a tag or a deletion, but still names the repository', () => {
    for (const fields of [
      { ref: 'refs/heads/feature' },
      { ref: 'refs/tags/v1.0.0' },
      { deleted: true, commits: [] },
    ]) {
      expect(readPushEvent(push(fields))).toEqual({
        repository: 'slipway-demo/payments-api',
        pushed: { commits: [] },
      });
    }
  });

  it('leaves out commits without a commit id or a time, and ignores payloads without a repository', () => {
    const read = readPushEvent(
      push({
        commits: [
          { id: 'not-a-sha', timestamp: '2026-12-01T10:00:00Z' },
          { id: A, timestamp: 'yesterday' },
          { id: B, timestamp: '2026-12-01T10:05:00Z' },
          null,
        ],
      }),
    );
    expect(read?.pushed.commits.map(c => c.sha)).toEqual([B]);
    expect(readPushEvent({ zen: 'ping' })).toBeUndefined();
    expect(readPushEvent({ repository: { full_name: 42 } })).toBeUndefined();
    expect(readPushEvent(null)).toBeUndefined();
  });
});
