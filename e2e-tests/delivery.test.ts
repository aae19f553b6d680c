import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import fs from 'node:fs';
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { cloneService, SANDBOX, sandboxEcr, signInAs } from './support';

/*
 * The delivery page of an example service, against the sandbox: the cards
 * and the timeline say what the upstreams say; a push to the service's repo
 * walks the timeline to Healthy; a rollback from the page is a helm-charts
 * commit that Argo CD converges to.
 */

const SERVICE = 'payments-api';
const GITHUB = SANDBOX.github;
const GH = SANDBOX.githubHeaders;
const JENKINS = SANDBOX.jenkins;
const ARGOCD = SANDBOX.argocd;
const CONTROL = SANDBOX.control;
const ecr = sandboxEcr;

test.setTimeout(240_000);

/** What the sandbox's upstreams say now, through their own APIs. */
async function upstreamState(request: APIRequestContext) {
  const [head] = await (
    await request.get(
      `${GITHUB}/api/v3/repos/slipway-demo/${SERVICE}/commits?per_page=1`,
      { headers: GH },
    )
  ).json();
  const job = await (
    await request.get(
      `${JENKINS}/job/slipway-demo/job/${SERVICE}/api/json?tree=builds[number,result,actions[lastBuiltRevision[SHA1]]]{0,1}`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(
            'slipway:sandbox-jenkins-token',
          ).toString('base64')}`,
        },
      },
    )
  ).json();
  const images = (
    await ecr.send(new DescribeImagesCommand({ repositoryName: SERVICE }))
  ).imageDetails!.sort(
    (a, b) => b.imagePushedAt!.getTime() - a.imagePushedAt!.getTime(),
  );
  const { token } = await (
    await request.post(`${ARGOCD}/api/v1/session`, {
      data: { username: 'admin', password: 'sandbox-argocd-password' },
    })
  ).json();
  const app = await (
    await request.get(`${ARGOCD}/api/v1/applications/${SERVICE}`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  const running = (app.status.summary.images as string[])
    .find(i => i.includes(`/${SERVICE}:`))
    ?.split(':')
    .pop();
  return {
    runningTag: running,
    headSha: head.sha as string,
    build: job.builds[0] as { number: number },
    newestTag: images[0].imageTags![0],
    app: app.status as {
      sync: { status: string };
      health: { status: string };
      summary: { images: string[] };
    },
  };
}

/** Pushes one commit to the service's default branch with git, as a developer would. */
function pushCommit(message: string): string {
  const clone = cloneService(SERVICE);
  try {
    return clone.push(message);
  } finally {
    clone.remove();
  }
}

const HOPS = [
  'Pushed',
  'Built',
  'Image pushed',
  'Tag bumped',
  'Synced',
  'Healthy',
];

test('the delivery page shows the sandbox state, follows a push to Healthy, and rolls back', async ({
  page,
  request,
}) => {
  await signInAs(page);
  const before = await upstreamState(request);

  // Overview: the three cards agree with Jenkins, ECR and Argo CD.
  await page.goto(`/catalog/default/component/${SERVICE}`);
  const builds = page.getByRole('table', { name: 'Builds' });
  await expect(builds).toContainText(`#${before.build.number}`);
  await expect(builds).toContainText(before.headSha.slice(0, 7));
  const images = page.getByRole('table', { name: 'Images' });
  await expect(images).toContainText(before.newestTag);
  const envs = page.getByRole('table', { name: 'Environments' });
  await expect(envs).toContainText('dev');
  await expect(envs).toContainText(before.app.sync.status);
  await expect(envs).toContainText(before.app.health.status);
  // Roadie's cards, wired on the same page.
  await expect(page.getByText('ArgoCD overview')).toBeVisible();

  // The Delivery tab: the newest commit was built, imaged and bumped (a
  // rollback of an earlier run may have taken it out of dev since).
  await page.getByRole('link', { name: 'Delivery', exact: true }).click();
  const headEntry = page.getByRole('listitem', {
    name: `Commit ${before.headSha.slice(0, 7)}`,
  });
  for (const hop of HOPS.slice(0, 4)) {
    await expect(
      headEntry.getByRole('listitem', { name: `${hop}: done`, exact: true }),
    ).toBeVisible();
  }

  // A push walks the timeline: built, image pushed, tag bumped, synced,
  // healthy. The push webhook drops the service's cached status; the page's
  // next poll (15 s when idle) shows it. The sandbox's build is slowed past
  // that so the page sees the build running before it sees it done.
  const timing = await (await request.get(`${CONTROL}/timing`)).json();
  expect(
    (
      await request.put(`${CONTROL}/timing`, { data: { buildMs: 30_000 } })
    ).status(),
  ).toBe(200);
  const restoreTiming = () =>
    request.put(`${CONTROL}/timing`, { data: timing });
  const sha = pushCommit(`docs: e2e ${Date.now().toString(36)}`);
  const entry = page.getByRole('listitem', {
    name: `Commit ${sha.slice(0, 7)}`,
  });
  await expect(entry).toBeVisible({ timeout: 40_000 });
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        const labels = await entry
          .getByRole('listitem')
          .evaluateAll(els => els.map(e => e.getAttribute('aria-label')));
        labels.forEach(l => l && seen.add(l));
        return labels;
      },
      { timeout: 120_000, intervals: [500] },
    )
    .toEqual(HOPS.map(h => `${h}: done`))
    .finally(restoreTiming);
  const after = await upstreamState(request);
  expect(after.headSha).toBe(sha);
  expect(after.newestTag).toMatch(new RegExp(`^${sha.slice(0, 7)}-\\d+$`));
  expect(after.app.health.status).toBe('Healthy');
  expect(after.app.summary.images.some(i => i.endsWith(after.newestTag))).toBe(
    true,
  );
  await expect(entry).toContainText(after.newestTag);
  // Away from the sidebar, which opens over the page while hovered; the
  // screenshot waits until the page's title clears it again.
  await page.mouse.move(1200, 600);
  const title = page.getByRole('heading', { name: SERVICE, exact: true });
  const sidebar = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Settings' });
  await expect
    .poll(async () => {
      const [t, n] = await Promise.all([
        title.boundingBox(),
        sidebar.boundingBox(),
      ]);
      return t && n ? t.x - (n.x + n.width) : -1;
    })
    .toBeGreaterThanOrEqual(0);
  fs.mkdirSync('node_modules/.cache/e2e-test-results', { recursive: true });
  await page.screenshot({
    path: 'node_modules/.cache/e2e-test-results/delivery.png',
    fullPage: true,
  });
  // eslint-disable-next-line no-console
  console.log(`hop states seen while walking: ${[...seen].join(', ')}`);
  expect([...seen]).toContain('Built: running');
  expect([...seen]).toContain('Healthy: pending');

  // Roll dev back from the page: a helm-charts commit, and Argo CD follows.
  await page.getByRole('button', { name: 'Roll back dev' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`dev from ${after.newestTag} back to`);
  await dialog.getByRole('button', { name: 'Roll back' }).click();
  // Back to what dev ran before the push.
  await expect(page.getByRole('status')).toContainText(
    `dev: ${after.newestTag} → ${before.runningTag}`,
  );
  await expect
    .poll(async () => (await upstreamState(request)).app.summary.images, {
      timeout: 60_000,
    })
    .toContainEqual(
      expect.stringMatching(new RegExp(`:${before.runningTag}$`)),
    );
  const commit = await (
    await request.get(
      `${GITHUB}/api/v3/repos/slipway-demo/helm-charts/commits?per_page=1`,
      { headers: GH },
    )
  ).json();
  expect(commit[0].commit.message).toContain('Revert "ci(payments-api)');
  expect(commit[0].commit.message).toContain('Requested-by: user:');
});
