import { APIRequestContext, expect, test } from '@playwright/test';
import { runTemplate, signInAs } from './support';

/*
 * Identity decides: dana (docs-team) signs in through the development
 * sign-in and cannot roll back, promote or decommission payments-api
 * (payments-team's), sees why, and nothing upstream changes (the
 * sandbox's counters of mutating calls stay empty). guest, a member of
 * payments-team, is offered the same actions.
 */

const BACKEND = 'http://localhost:7007';
const CONTROL = 'http://127.0.0.1:7070';
const SERVICE = 'payments-api';

test.setTimeout(180_000);

/** The token the development provider gives `user`, as the browser gets it. */
async function tokenOf(request: APIRequestContext, user: string) {
  const res = await request.get(`${BACKEND}/api/auth/development/refresh`, {
    headers: { 'x-slipway-development-user': user },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).backstageIdentity.token as string;
}

const mutations = async (request: APIRequestContext) =>
  (await request.get(`${CONTROL}/mutations`)).json();

test("a docs-team member cannot roll back, promote or decommission payments-team's service, and sees why", async ({
  page,
  request,
}) => {
  await request.post(`${CONTROL}/counters/reset`);

  // The page: both actions disabled, and said in words.
  await signInAs(page, 'dana');
  await page.goto(`/catalog/default/component/${SERVICE}`);
  await page.getByRole('link', { name: 'Delivery', exact: true }).click();
  await expect(page.getByRole('note')).toContainText(
    'You may not roll back or promote this service: only its owners (group:default/payments-team) or a platform group may.',
  );
  await expect(
    page.getByRole('button', { name: 'Roll back dev' }),
  ).toBeDisabled();
  await expect(
    page.getByRole('button', { name: 'Promote dev to staging' }),
  ).toBeDisabled();

  // The API refuses the same, whatever the page shows.
  const auth = { authorization: `Bearer ${await tokenOf(request, 'dana')}` };
  const entityRef = `component:default/${SERVICE}`;
  const rollback = await request.post(`${BACKEND}/api/delivery/rollback`, {
    headers: auth,
    data: { entityRef, environment: 'dev' },
  });
  expect(rollback.status()).toBe(403);
  expect((await rollback.json()).error.message).toContain(
    `user:default/dana may not delivery.rollback on ${entityRef}`,
  );
  const promote = await request.post(`${BACKEND}/api/delivery/promote`, {
    headers: auth,
    data: { entityRef, from: 'dev', to: 'staging' },
  });
  expect(promote.status()).toBe(403);

  // Decommission, started from the scaffolder as dana, stops at its first
  // step; the task page says why.
  const task = await runTemplate(
    request,
    auth,
    'template:default/decommission',
    { component: entityRef, deleteImages: true },
    60_000,
  );
  expect(task.status).toBe('failed');
  await page.goto(`/create/tasks/${task.id}`);
  await expect(
    page
      .getByText(
        `user:default/dana may not slipway.service.delete on ${entityRef}`,
      )
      .first(),
  ).toBeVisible({ timeout: 30_000 });

  // Nothing changed upstream: no commit, no deletion, no write anywhere.
  expect(await mutations(request)).toEqual({});

  // The service's own team is offered what dana is not.
  await page.context().clearCookies();
  await page.evaluate(() => window.localStorage.clear());
  await signInAs(page, 'guest');
  await page.goto(`/catalog/default/component/${SERVICE}`);
  await page.getByRole('link', { name: 'Delivery', exact: true }).click();
  await expect(
    page.getByRole('button', { name: 'Promote dev to staging' }),
  ).toBeEnabled();
  await expect(page.getByRole('note')).toHaveCount(0);
});
