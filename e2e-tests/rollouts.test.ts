import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { cloneService, SANDBOX, sandboxEcr, signInAs } from './support';

/*
 * Canaries and runtime on the service page, against the sandbox's Argo CD
 * (Argo Rollouts' Rollout with Argo CD's own health and action Lua, ported):
 * (a) a canary paused at its first weight, Promote, Promote full, Healthy;
 * (b) a canary whose analysis fails is aborted and the page says why while
 *     the stable version keeps running;
 * (c) a crash-looping image shows restarts and Degraded, and Roll back from
 *     the page brings it back to Healthy (the time is printed);
 * (d) load scales the HPA out, and the Runtime card shows it.
 * Scenarios are set through the sandbox's control API; everything the page
 * does goes through the portal and Argo CD's API.
 */

const GITHUB = `${SANDBOX.github}/api/v3`;
const GH = SANDBOX.githubHeaders;
const ARGOCD = SANDBOX.argocd;
const CONTROL = SANDBOX.control;
const ecr = sandboxEcr;

test.setTimeout(240_000);

const CANARY_VALUES = `
# e2e: a canary, as the wizard's Rollout strategy writes it.
rollout:
  strategy: canary
  canary:
    steps:
      - setWeight: 20
      - pause: {}
      - setWeight: 50
      - pause: {}
    analysis:
      enabled: true
      startingStep: 1
      path: /readyz
      interval: 10s
      count: 3
      failureLimit: 1
`;

/** charts/<service>/values.yaml on helm-charts' main, through GitHub's contents API. */
async function chartValues(request: APIRequestContext, service: string) {
  const res = await request.get(
    `${GITHUB}/repos/slipway-demo/helm-charts/contents/charts/${service}/values.yaml?ref=main`,
    { headers: GH },
  );
  expect(res.status()).toBe(200);
  const file = await res.json();
  return {
    sha: file.sha as string,
    text: Buffer.from(file.content, 'base64').toString('utf8'),
  };
}

async function commitChartValues(
  request: APIRequestContext,
  service: string,
  edit: (text: string) => string,
  message: string,
) {
  const { sha, text } = await chartValues(request, service);
  const res = await request.put(
    `${GITHUB}/repos/slipway-demo/helm-charts/contents/charts/${service}/values.yaml`,
    {
      headers: GH,
      data: {
        message,
        content: Buffer.from(edit(text)).toString('base64'),
        sha,
        branch: 'main',
      },
    },
  );
  expect(res.status()).toBe(200);
}

/** Sets image.tag the way CI's tag bump does (same commit subject). */
function bumpTag(
  request: APIRequestContext,
  service: string,
  tag: string,
): Promise<void> {
  return commitChartValues(
    request,
    service,
    text => text.replace(/^( {2}tag: )\S+/m, `$1${tag}`),
    `ci(${service}): deploy ${tag}\n\nImage ${service}:${tag}, set by the e2e test.`,
  );
}

async function argocd(request: APIRequestContext, path: string) {
  const { token } = await (
    await request.post(`${ARGOCD}/api/v1/session`, {
      data: { username: 'admin', password: 'sandbox-argocd-password' },
    })
  ).json();
  const res = await request.get(`${ARGOCD}/api/v1/applications/${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status()).toBe(200);
  return res.json();
}

/** Runs an Argo CD resource action on the application's Rollout (test setup). */
async function runAction(
  request: APIRequestContext,
  app: string,
  action: string,
) {
  const { token } = await (
    await request.post(`${ARGOCD}/api/v1/session`, {
      data: { username: 'admin', password: 'sandbox-argocd-password' },
    })
  ).json();
  const tree = await argocd(request, `${app}/resource-tree`);
  const rollout = (
    tree.nodes as Array<{ kind: string; name: string; namespace: string }>
  ).find(n => n.kind === 'Rollout')!;
  const res = await request.post(
    `${ARGOCD}/api/v1/applications/${app}/resource/actions/v2`,
    {
      headers: { authorization: `Bearer ${token}` },
      data: {
        name: app,
        namespace: rollout.namespace,
        resourceName: rollout.name,
        group: 'argoproj.io',
        version: 'v1alpha1',
        kind: 'Rollout',
        action,
      },
    },
  );
  expect(res.status()).toBe(200);
}

/** What the application runs and how it is, from Argo CD's own API. */
async function application(request: APIRequestContext, name: string) {
  const app = await argocd(request, name);
  const tree = await argocd(request, `${name}/resource-tree`);
  return {
    health: app.status.health.status as string,
    images: (app.status.summary?.images ?? []) as string[],
    kinds: (tree.nodes as Array<{ kind: string }>).map(n => n.kind),
  };
}

/** The service's image tags in ECR, newest first. */
async function tags(service: string): Promise<string[]> {
  const images = (
    await ecr.send(new DescribeImagesCommand({ repositoryName: service }))
  ).imageDetails!.sort(
    (a, b) => b.imagePushedAt!.getTime() - a.imagePushedAt!.getTime(),
  );
  return images.flatMap(i => i.imageTags ?? []);
}

async function behaviour(
  request: APIRequestContext,
  service: string,
  tag: string,
  what: 'healthy' | 'crashloop' | 'fails-analysis',
) {
  const res = await request.put(`${CONTROL}/scenarios/images`, {
    data: { repository: service, tag, behaviour: what },
  });
  expect(res.status()).toBe(200);
}

function runningTag(images: string[], service: string) {
  return images
    .find(i => i.includes(`/${service}:`))
    ?.split(':')
    .pop();
}

async function openOverview(page: Page, service: string) {
  await page.goto(`/catalog/default/component/${service}`);
  await expect(
    page.getByRole('heading', { name: service, exact: true }),
  ).toBeVisible();
}

test('(a) a canary pauses at its first weight; Promote goes to the next step, Promote full to Healthy; (b) a failed analysis aborts it and the stable version keeps running', async ({
  page,
  request,
}) => {
  const SERVICE = 'ledger-worker';
  let before = await application(request, SERVICE);
  if (before.kinds.includes('Rollout') && before.health !== 'Healthy') {
    // A run before this one (or other tests' pushes) left a canary on its
    // way: finish it first, as its owners would.
    await runAction(request, SERVICE, 'promote-full');
    await expect
      .poll(async () => (await application(request, SERVICE)).health, {
        timeout: 60_000,
      })
      .toBe('Healthy');
    before = await application(request, SERVICE);
  }
  const stableTag = runningTag(before.images, SERVICE)!;
  if (!before.kinds.includes('Rollout')) {
    await commitChartValues(
      request,
      SERVICE,
      text => `${text.trimEnd()}\n${CANARY_VALUES}`,
      `feat(${SERVICE}): canary rollout`,
    );
  }
  // The Rollout replaces the Deployment; its first rollout runs no steps.
  await expect
    .poll(async () => application(request, SERVICE), { timeout: 60_000 })
    .toMatchObject({
      health: 'Healthy',
      kinds: expect.arrayContaining(['Rollout']),
    });

  // A push: CI builds, pushes and bumps the tag; the canary starts.
  const clone = cloneService(SERVICE);
  const sha = clone.push(`docs: canary e2e ${Date.now().toString(36)}`);
  clone.remove();

  // The Delivery tab: the Rollout card, and the commit's canary between its
  // Synced and Healthy.
  await signInAs(page);
  await openOverview(page, SERVICE);
  await page.getByRole('link', { name: 'Delivery', exact: true }).click();
  const rollout = page.getByRole('region', { name: 'Rollout in dev' });
  await expect(rollout).toContainText('Step 2 of 4', { timeout: 90_000 });
  await expect(rollout).toContainText('20%');
  await expect(rollout).toContainText(sha.slice(0, 7));
  await expect(rollout).toContainText(stableTag);
  const entry = page.getByRole('listitem', {
    name: `Commit ${sha.slice(0, 7)}`,
  });
  await expect(
    entry.getByRole('listitem', { name: 'Canary: step 2 of 4' }),
  ).toBeVisible();

  await rollout.getByRole('button', { name: 'Promote in dev' }).click();
  await expect(rollout).toContainText('Step 4 of 4', { timeout: 60_000 });
  await expect(rollout).toContainText('50%');

  await rollout.getByRole('button', { name: 'Promote full in dev' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Promote full' }).click();
  await expect(rollout).toContainText('All 4 steps done', { timeout: 60_000 });
  await expect
    .poll(async () => application(request, SERVICE), { timeout: 60_000 })
    .toMatchObject({ health: 'Healthy' });
  const promoted = runningTag(
    (await application(request, SERVICE)).images,
    SERVICE,
  )!;
  expect(promoted.startsWith(sha.slice(0, 7))).toBe(true);

  // (b) An image whose analysis fails: the canary is aborted, the page says
  // why, and the stable version (the promoted one) keeps running.
  const bad = (await tags(SERVICE)).find(t => t !== promoted)!;
  await behaviour(request, SERVICE, bad, 'fails-analysis');
  await bumpTag(request, SERVICE, bad);
  await expect(rollout).toContainText('Aborted', { timeout: 90_000 });
  // Why, in Argo Rollouts' words: the analysis metric that failed.
  await expect(rollout).toContainText(
    /Aborted: .*Metric "readiness" assessed Failed/,
  );
  await expect(
    rollout.getByRole('button', { name: 'Retry in dev' }),
  ).toBeVisible();
  const aborted = await application(request, SERVICE);
  expect(aborted.health).toBe('Degraded');
  await expect(rollout).toContainText(promoted);

  // Put it back: the chart's tag returns to the promoted image.
  await behaviour(request, SERVICE, bad, 'healthy');
  await bumpTag(request, SERVICE, promoted);
  await expect
    .poll(async () => (await application(request, SERVICE)).health, {
      timeout: 60_000,
    })
    .toBe('Healthy');
});

test('(c) a crash-looping image shows restarts and Degraded; Roll back from the page brings it back to Healthy', async ({
  page,
  request,
}) => {
  const SERVICE = 'docs-portal';
  const before = await application(request, SERVICE);
  const goodTag = runningTag(before.images, SERVICE)!;
  const crashing = (await tags(SERVICE)).find(t => t !== goodTag)!;
  await behaviour(request, SERVICE, crashing, 'crashloop');
  await bumpTag(request, SERVICE, crashing);

  await signInAs(page, 'dana');
  await openOverview(page, SERVICE);
  const runtime = page.getByRole('region', { name: 'Runtime in dev' });
  await expect(runtime).toContainText('Degraded', { timeout: 90_000 });
  await expect(runtime).toContainText('CrashLoopBackOff');
  await expect(runtime).toContainText(/\d+ restarts?/);

  await page.getByRole('link', { name: 'Delivery', exact: true }).click();
  const started = Date.now();
  await page.getByRole('button', { name: 'Roll back dev' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Roll back' })
    .click();
  await expect(page.getByRole('status')).toContainText(
    `dev: ${crashing} → ${goodTag}`,
  );
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  await expect(
    page.getByRole('region', { name: 'Runtime in dev' }),
  ).toContainText('Healthy', { timeout: 60_000 });
  const ms = Date.now() - started;
  // eslint-disable-next-line no-console
  console.log(
    `rollback: click to Healthy on the page ${(ms / 1000).toFixed(1)} s`,
  );
  expect((await application(request, SERVICE)).health).toBe('Healthy');
  await behaviour(request, SERVICE, crashing, 'healthy');
});

test('(d) load scales the HPA out to its maximum, and the Runtime card shows it', async ({
  page,
  request,
}) => {
  const SERVICE = 'payments-api';
  await signInAs(page);
  await openOverview(page, SERVICE);
  const runtime = page.getByRole('region', { name: 'Runtime in dev' });
  const autoscaler = runtime.getByLabel('Autoscaler');
  await expect(autoscaler).toContainText('of 2–5');
  await expect(autoscaler).not.toContainText('at its maximum');
  const load = (on: boolean) =>
    request.put(`${CONTROL}/scenarios/apps/${SERVICE}/load`, {
      data: { load: on },
    });
  expect((await load(true)).status()).toBe(200);
  try {
    await expect(autoscaler).toContainText('5 replicas', { timeout: 90_000 });
    await expect(autoscaler).toContainText('at its maximum');
  } finally {
    await load(false);
  }
  await expect(autoscaler).not.toContainText('at its maximum', {
    timeout: 90_000,
  });
});
