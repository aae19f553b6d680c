import { expect, test } from '@playwright/test';
import { signInAs } from './support';
import path from 'node:path';

/*
 * A service's page as a developer opens it: the catalog where Backstage
 * users expect it (/catalog, with / and its filters sent there), the
 * delivery cards first on the Overview (no empty relation tables above
 * them), a Sync card whose headings read as words, and no card showing
 * other services' changes as this one's.
 */

test.setTimeout(120_000);

test("the catalog is at /catalog, and a service's Overview leads with its delivery cards", async ({
  page,
}) => {
  await signInAs(page);
  await expect(page).toHaveURL(/\/catalog(\?|$)/);

  // /catalog itself, and / with catalog filters, land on the catalog.
  await page.goto('/catalog');
  await expect(
    page.getByRole('heading', { name: 'Slipway Catalog' }),
  ).toBeVisible();
  await page.goto('/?filters%5Bkind%5D=component&filters%5Buser%5D=all');
  await expect(page).toHaveURL(/\/catalog\?filters/);
  await expect(
    page.getByRole('table').getByRole('link', { name: 'docs-portal' }),
  ).toBeVisible();

  await page.goto('/catalog/default/component/payments-api');
  const main = page.locator('main');
  // Where a card's title sits on the page (the cards re-render as their
  // status loads, so ask until one answers).
  const top = async (title: string) => {
    const card = main.getByText(title, { exact: true }).first();
    let y: number | undefined;
    await expect
      .poll(async () => {
        y = (await card.boundingBox())?.y;
        return y;
      })
      .toBeDefined();
    return y!;
  };
  // The delivery cards come first, in order, above the relations graph
  // and Roadie's overview card.
  const order = [
    'Build status',
    'Image status',
    'Sync status',
    'Relations',
    'ArgoCD overview',
  ];
  const tops = [];
  for (const title of order) tops.push(await top(title));
  expect([...tops].sort((a, b) => a - b)).toEqual(tops);
  // No empty relation table, and not Roadie's history card (other services'
  // chart commits as this one's).
  for (const gone of [
    'Provided APIs',
    'Consumed APIs',
    'Depends on components',
    'Depends on resources',
    'Has subcomponents',
    'ArgoCD history',
  ]) {
    await expect(main.getByText(gone, { exact: true })).toHaveCount(0);
  }

  // The Sync card's headings are one line each: "Environment" is as tall as
  // "Sync".
  const sync = page.getByRole('table', { name: 'Environments' });
  const height = async (name: string) => {
    const cell = sync.getByRole('columnheader', { name, exact: true });
    let h: number | undefined;
    await expect
      .poll(async () => {
        h = (await cell.boundingBox())?.height;
        return h;
      })
      .toBeDefined();
    return h!;
  };
  expect(await height('Environment')).toBe(await height('Sync'));
  await page.screenshot({
    path: path.join('node_modules/.cache/e2e-test-results', 'service-page.png'),
    fullPage: true,
  });
});
