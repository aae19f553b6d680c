import { expect, test } from '@playwright/test';
import path from 'node:path';

const BACKEND = 'http://127.0.0.1:7007';
const EXAMPLE_SERVICES = ['payments-api', 'ledger-worker', 'docs-portal'];

test.beforeAll(async ({ request }) => {
  // The frontend dev server answers before the backend has finished starting.
  await expect
    .poll(
      async () =>
        (
          await request
            .get(`${BACKEND}/.backstage/health/v1/readiness`)
            .catch(() => undefined)
        )?.status(),
      { timeout: 120_000 },
    )
    .toBe(200);
});

test('a guest signs in, finds the portal and the example services, and opens Create', async ({
  page,
}) => {
  await page.goto('/');

  // Development sign-in: one button per example user (app-config.yaml).
  const enter = page.getByRole('button', { name: 'Sign in as guest' });
  await expect(enter).toBeVisible();
  await enter.click();

  // The catalog is the landing page, at /catalog. It opens on "Owned"
  // components; the guest belongs to payments-team; "all" shows every
  // example service.
  await expect(
    page.getByRole('heading', { name: 'Slipway Catalog' }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/catalog(\?|$)/);
  await page.goto('/catalog?filters%5Bkind%5D=component&filters%5Buser%5D=all');

  const table = page.getByRole('table');
  await expect(
    table.getByRole('link', { name: 'Slipway', exact: true }),
  ).toBeVisible();
  for (const name of EXAMPLE_SERVICES) {
    await expect(table.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await page.screenshot({
    path: path.join('node_modules/.cache/e2e-test-results', 'catalog.png'),
    fullPage: true,
  });

  // One example service's page shows its system and owner from the catalog.
  await table.getByRole('link', { name: 'payments-api', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);
  await expect(page.getByText('payments-team').first()).toBeVisible();

  // The Create page (software templates) opens from the sidebar.
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Create', exact: true })
    .click();
  await expect(page).toHaveURL(/\/create/);
  await expect(
    page.getByRole('tab', { name: 'Templates', selected: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('button', { name: /Register existing component/i }),
  ).toBeVisible();
});
