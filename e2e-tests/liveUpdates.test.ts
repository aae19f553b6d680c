import { expect, test } from '@playwright/test';
import { cloneService, signInAs } from './support';

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
  await signInAs(page);
  await page.goto(`/catalog/default/component/${SERVICE}/delivery`);
  await expect(page.getByText('From commit to running').first()).toBeVisible();

  const clone = cloneService(SERVICE);
  const times: number[] = [];
  try {
    for (let i = 1; i <= PUSHES; i++) {
      const message = `live update ${i} ${Date.now()}`;
      clone.push(message);
      const pushed = Date.now();
      await expect(page.getByText(message).first()).toBeVisible({
        timeout: 60_000,
      });
      times.push(Date.now() - pushed);
    }
  } finally {
    clone.remove();
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
