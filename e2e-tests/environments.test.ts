import { APIRequestContext, expect, test } from '@playwright/test';
import { cloneService, runTemplate, signInAs } from './support';

/*
 * The road through every environment, in the browser against the sandbox:
 * a service created with dev, staging and prod (one Argo CD application
 * each; dev and staging on the non-prod cluster, prod on the prod
 * cluster); dev Healthy; a push reaches dev; promote to staging; promote
 * to prod opens a pull request the page shows; merging it deploys prod;
 * rolling prod back runs the previous image; the DORA card is prod's.
 */

const GITHUB = 'http://127.0.0.1:7071/api/v3';
const ARGOCD = 'http://127.0.0.1:7073';
const BACKEND = 'http://127.0.0.1:7007';
const GH = { authorization: 'token sandbox-github-token' };

test.setTimeout(480_000);

/** The Argo CD API as the sandbox's admin (to check what runs where). */
async function argocd(request: APIRequestContext) {
  const { token } = await (
    await request.post(`${ARGOCD}/api/v1/session`, {
      data: { username: 'admin', password: 'sandbox-argocd-password' },
    })
  ).json();
  return async (app: string) =>
    (
      await request.get(`${ARGOCD}/api/v1/applications/${app}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json();
}

/** The image tag an Argo CD application runs, once Synced and Healthy. */
function healthyTag(app: any): string | undefined {
  if (app?.status?.sync?.status !== 'Synced') return undefined;
  if (app?.status?.health?.status !== 'Healthy') return undefined;
  const image: string | undefined = app.status.summary?.images?.[0];
  return image?.split(':').pop();
}

test('a service runs dev, staging and prod: promote, approve prod in a pull request, roll prod back', async ({
  page,
  request,
}) => {
  const name = `road-${Date.now().toString(36)}`;
  await signInAs(page);
  const guest = await (
    await request.get(`${BACKEND}/api/auth/guest/refresh`)
  ).json();
  const auth = { authorization: `Bearer ${guest.backstageIdentity.token}` };

  // The wizard's environment choices are the portal's configuration.
  const road = await (
    await request.get(`${BACKEND}/api/delivery/environments`, {
      headers: auth,
    })
  ).json();
  expect(road.environments).toEqual([
    { name: 'dev', changes: 'commit', cluster: 'slipway-nonprod' },
    { name: 'staging', changes: 'commit', cluster: 'slipway-nonprod' },
    { name: 'prod', changes: 'pull-request', cluster: 'slipway-prod' },
  ]);

  // Create the service with all three (the scaffolder's API, as the
  // wizard's Create button calls it).
  const created = await runTemplate(
    request,
    auth,
    'template:default/service',
    {
      name,
      description: 'Every environment, by the e2e test',
      owner: 'group:default/payments-team',
      runtime: 'node',
      ci: 'jenkins',
      namespace: name,
      port: 8080,
      environments: ['dev', 'staging', 'prod'],
      replicas: 2,
      autoscaling: true,
      minReplicas: 2,
      maxReplicas: 4,
      awsPermissions: [],
      repoUrl: `127.0.0.1:7071?owner=slipway-demo&repo=${name}`,
      adopt: false,
    },
    300_000,
  );
  expect(created.status).toBe('completed');

  // One application per environment, each on its cluster and namespace.
  const app = await argocd(request);
  const apps = {
    dev: await app(`${name}-dev`),
    staging: await app(`${name}-staging`),
    prod: await app(`${name}-prod`),
  };
  expect(apps.dev.spec.destination).toEqual({
    name: 'slipway-nonprod',
    namespace: name,
  });
  expect(apps.staging.spec.destination).toEqual({
    name: 'slipway-nonprod',
    namespace: `${name}-staging`,
  });
  expect(apps.prod.spec.destination).toEqual({
    name: 'slipway-prod',
    namespace: name,
  });
  // dev is Healthy on the first build; the others start on that image.
  const first = healthyTag(apps.dev)!;
  expect(first).toMatch(/^[0-9a-f]{7}-\d+$/);
  for (const env of ['staging', 'prod'] as const) {
    await expect
      .poll(async () => healthyTag(await app(`${name}-${env}`)), {
        timeout: 60_000,
      })
      .toBe(first);
  }

  // A push builds a second image, which reaches dev only.
  const repo = cloneService(name);
  let pushed = '';
  try {
    pushed = repo.push('feat: the second version');
  } finally {
    repo.remove();
  }
  let second = '';
  await expect
    .poll(
      async () => {
        second = healthyTag(await app(`${name}-dev`)) ?? '';
        return second !== '' && second !== first;
      },
      { timeout: 120_000 },
    )
    .toBe(true);
  expect(healthyTag(await app(`${name}-staging`))).toBe(first);

  // Promote dev to staging from the page: staging runs it, on non-prod.
  await page.goto(`/catalog/default/component/${name}/delivery`);
  await expect(
    page
      .getByRole('table', { name: 'Release actions' })
      .getByRole('row', { name: /^dev/ }),
  ).toContainText(second, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Promote dev to staging' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Promote' })
    .click();
  await expect(page.getByRole('status')).toContainText(
    `staging: ${first} → ${second}`,
  );
  await expect
    .poll(async () => healthyTag(await app(`${name}-staging`)), {
      timeout: 60_000,
    })
    .toBe(second);

  // Promote staging to prod: a pull request, shown on the page. The page
  // promotes what it shows staging running: wait until that is the new tag.
  const actions = page.getByRole('table', { name: 'Release actions' });
  await expect(actions.getByRole('row', { name: /^staging/ })).toContainText(
    second,
    { timeout: 60_000 },
  );
  await page.getByRole('button', { name: 'Promote staging to prod' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Promote' })
    .click();
  await expect(
    page.getByRole('status').getByRole('link', { name: 'Pull request opened' }),
  ).toBeVisible();
  const waiting = page.getByRole('note', { name: 'Open promotion into prod' });
  await expect(waiting).toContainText(`Waiting for approval: ${second}`, {
    timeout: 60_000,
  });
  await expect(waiting).toContainText('from staging');
  await expect(waiting).toContainText('asked by guest');
  const prUrl = await waiting
    .getByRole('link', { name: /pull request #\d+/ })
    .getAttribute('href');
  const number = Number(prUrl!.split('/').pop());
  // Not yet deployed: prod still runs the first build.
  expect(healthyTag(await app(`${name}-prod`))).toBe(first);

  // A reviewer merges it: prod runs the promoted image.
  const merged = await request.put(
    `${GITHUB}/repos/slipway-demo/helm-charts/pulls/${number}/merge`,
    { headers: GH, data: { merge_method: 'merge' } },
  );
  expect(merged.status()).toBe(200);
  await expect
    .poll(async () => healthyTag(await app(`${name}-prod`)), {
      timeout: 60_000,
    })
    .toBe(second);
  await expect(waiting).toHaveCount(0, { timeout: 60_000 });

  // Roll prod back from the page: the previous image runs again.
  await page.getByRole('button', { name: 'Roll back prod' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Roll back' })
    .click();
  await expect(page.getByRole('status')).toContainText(
    `prod: ${second} → ${first}`,
  );
  await expect
    .poll(async () => healthyTag(await app(`${name}-prod`)), {
      timeout: 60_000,
    })
    .toBe(first);

  // The DORA card is prod's.
  await page.reload();
  await expect(
    page.getByRole('columnheader', { name: 'Key (prod)' }),
  ).toBeVisible();
  // The timeline follows the pushed commit past dev: promoted to staging
  // (it runs there) and to prod (since rolled back).
  const later = page
    .getByRole('listitem', { name: `Commit ${pushed.slice(0, 7)}` })
    .getByLabel('Later environments');
  await expect(later).toContainText('staging');
  await expect(later).toContainText('(running)');
  await expect(later).toContainText('prod');
  await expect(later).toContainText('(since replaced)');

  // The service page: delivery cards first, every environment in the Sync card.
  await page.goto(`/catalog/default/component/${name}`);
  const envs = page.getByRole('table', { name: 'Environments' });
  for (const env of ['dev', 'staging', 'prod']) {
    await expect(envs).toContainText(env);
  }
  await expect(envs).toContainText(first);
  await page.screenshot({
    path: 'node_modules/.cache/e2e-test-results/environments-service-page.png',
    fullPage: true,
  });
  await page.goto(`/catalog/default/component/${name}/delivery`);
  await page.screenshot({
    path: 'node_modules/.cache/e2e-test-results/environments-delivery-tab.png',
    fullPage: true,
  });

  // Decommission removes every environment's application.
  const gone = await runTemplate(
    request,
    auth,
    'template:default/decommission',
    { component: `component:default/${name}`, deleteImages: true },
  );
  expect(gone.status).toBe('completed');
  for (const env of ['dev', 'staging', 'prod']) {
    expect((await app(`${name}-${env}`)).metadata?.name).toBeUndefined();
  }
});
