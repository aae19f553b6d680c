import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

/*
 * A push reaches the open page through Backstage's signals: the sandbox's
 * organisation webhook tells the backend, which drops the service's cached
 * status and signals its channel; the page asks at once instead of at its
 * next poll (15 s while nothing moves). Prints the time from `git push`
 * returning to the commit showing on the page, p50 and p95 over 20 pushes;
 * asserts only that every push showed (no timing assertion: CI machines
 * are busy).
 */

const SERVICE = 'ledger-worker';
const PUSHES = 20;

test.setTimeout(600_000);

test('each push shows on the open Delivery tab, through a signal', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in as guest' }).click();
  await expect(
    page.getByRole('heading', { name: 'Slipway Catalog' }),
  ).toBeVisible();
  await page.goto(`/catalog/default/component/${SERVICE}/delivery`);
  await expect(page.getByText('From commit to running').first()).toBeVisible();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-live-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const times: number[] = [];
  try {
    git(
      'clone',
      '--quiet',
      `http://x-access-token:sandbox-github-token@127.0.0.1:7071/slipway-demo/${SERVICE}.git`,
      '.',
    );
    for (let i = 1; i <= PUSHES; i++) {
      const message = `live update ${i} ${Date.now()}`;
      fs.appendFileSync(path.join(dir, 'README.md'), `\n${message}\n`);
      git('add', 'README.md');
      git(
        '-c',
        'user.name=E2E Developer',
        '-c',
        'user.email=e2e@example.com',
        'commit',
        '--quiet',
        '-m',
        message,
      );
      git('push', '--quiet', 'origin', 'HEAD');
      const pushed = Date.now();
      await expect(page.getByText(message).first()).toBeVisible({
        timeout: 60_000,
      });
      times.push(Date.now() - pushed);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  // The figure issue 17 asks for: push to page, p50 and p95.
  // eslint-disable-next-line no-console
  console.log(
    `push to page over ${times.length} pushes: p50 ${at(0.5)} ms, p95 ${at(
      0.95,
    )} ms, max ${
      sorted[sorted.length - 1]
    } ms (the idle poll would be up to 15000 ms)`,
  );
  expect(times).toHaveLength(PUSHES);
});
