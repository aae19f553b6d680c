import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { expect, Page, test } from '@playwright/test';
import { runTemplate, signInAs } from './support';

/*
 * The "Create component" wizard in the browser, against the sandbox: bad
 * values are refused in the form; a good service runs every step; then the
 * sandbox holds what the road promises.
 */

const SANDBOX = {
  github: 'http://127.0.0.1:7071/api/v3',
  aws: 'http://127.0.0.1:7072',
  argocd: 'http://127.0.0.1:7073',
  jenkins: 'http://127.0.0.1:7074',
};
const GH = { authorization: 'token sandbox-github-token' };
const BACKEND = 'http://127.0.0.1:7007';
// The sandbox's own, sandbox-only keys (app-config.yaml).
const AWS = {
  endpoint: 'http://127.0.0.1:7072',
  region: 'eu-west-1',
  credentials: {
    accessKeyId: 'AKIASLIPWAYSANDBOX01',
    secretAccessKey: 'slipwaySandboxOnlySecretNotForRealAws0000',
  },
};

test.setTimeout(300_000);

const field = (page: Page, label: string | RegExp) =>
  page
    .getByRole('textbox', { name: label })
    .or(page.getByRole('spinbutton', { name: label }));

test('the wizard refuses bad values, then takes a service from nothing to Healthy', async ({
  page,
  request,
}) => {
  const name = `e2e-${Date.now().toString(36)}`;
  await signInAs(page);
  await page.goto('/create');
  await expect(page.getByText('Service on EKS')).toBeVisible();
  await expect(page.getByText('Decommission a service')).toBeVisible();
  await page.goto('/create/templates/default/service');

  // Step 1: about the service. A bad name is refused by the form.
  await field(page, /^Name/).fill('Bad_Name');
  await field(page, /^Description/).fill('Created by the e2e test');
  const owner = page
    .getByRole('combobox', { name: /Owner/ })
    .or(page.getByLabel(/Owner/).first());
  await owner.click();
  await owner.fill('payments-team');
  await page
    .getByRole('option', { name: /payments-team/ })
    .first()
    .click();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText(/must match pattern/).first()).toBeVisible();
  await field(page, /^Name/).fill(name);
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 2: runtime and CI (defaults: Python, Jenkins).
  await expect(
    page.getByText('Runtime', { exact: false }).first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 3: deployment. Each bad value is refused in the form: the
  // namespace by the schema's pattern, the port and HPA bounds by the
  // number fields' limits (the browser blocks the step).
  const namespace = field(page, /Kubernetes namespace/);
  const port = field(page, /Container port/);
  const maxReplicas = field(page, /HPA maximum replicas/);
  await namespace.fill('Team_A');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText(/must match pattern/).first()).toBeVisible();
  await namespace.fill(name);
  // The environments are the portal's own (slipway.environments), all chosen.
  for (const env of [
    /^dev \(cluster slipway-nonprod\)/,
    /^staging \(cluster slipway-nonprod\)/,
    /^prod \(cluster slipway-prod; promotions wait for an approved pull request\)/,
  ]) {
    await expect(page.getByRole('checkbox', { name: env })).toBeChecked();
  }

  for (const [input, bad, good, limit] of [
    [port, '80', '8080', /1024/],
    [maxReplicas, '0', '5', /1/],
  ] as const) {
    await input.fill(bad);
    await page.getByRole('button', { name: 'Next' }).click();
    expect(
      await input.evaluate(el => (el as HTMLInputElement).validity.valid),
    ).toBe(false);
    expect(
      await input.evaluate(el => (el as HTMLInputElement).validationMessage),
    ).toMatch(limit);
    await expect(namespace).toBeVisible(); // still on this step
    await input.fill(good);
  }
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 4: the repository, on the sandbox's GitHub host and org.
  // RepoUrlPicker takes typed input (it debounces its own state).
  const repo = field(page, /^Repository/);
  await repo.click();
  await repo.pressSequentially(name);
  await repo.press('Tab');
  await expect(page.getByText(/repo not provided/)).toHaveCount(0);
  await page.getByRole('button', { name: 'Review' }).click();
  const started = Date.now();
  await page.getByRole('button', { name: 'Create' }).click();

  // Every step succeeds.
  await expect(page.getByText('Open in catalog')).toBeVisible({
    timeout: 240_000,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  test
    .info()
    .annotations.push({ type: 'wizard-seconds', description: seconds });
  console.log(`wizard end to end: ${seconds} s`);
  await page.screenshot({
    path: 'node_modules/.cache/e2e-test-results/wizard-done.png',
    fullPage: true,
  });

  // The app repo with the expected files.
  for (const file of [
    'catalog-info.yaml',
    'Jenkinsfile',
    'Dockerfile',
    'manage.py',
  ]) {
    const res = await request.get(
      `${SANDBOX.github}/repos/slipway-demo/${name}/contents/${file}`,
      {
        headers: GH,
      },
    );
    expect(res.status(), file).toBe(200);
  }
  const workflow = await request.get(
    `${SANDBOX.github}/repos/slipway-demo/${name}/contents/.github/workflows/ci.yaml`,
    { headers: GH },
  );
  expect(workflow.status()).toBe(404);

  // The ECR repository with its settings, through the AWS SDK.
  const ecr = new ECRClient(AWS);
  const ecrRepo = (
    await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))
  ).repositories![0];
  expect(ecrRepo.imageTagMutability).toBe('IMMUTABLE');
  expect(ecrRepo.imageScanningConfiguration?.scanOnPush).toBe(true);
  expect(ecrRepo.encryptionConfiguration?.encryptionType).toBe('AES256');
  const lifecycle = await ecr.send(
    new GetLifecyclePolicyCommand({ repositoryName: name }),
  );
  expect(
    JSON.parse(lifecycle.lifecyclePolicyText!).rules.length,
  ).toBeGreaterThan(0);

  // The IAM role: trusted for exactly this namespace and service account, under the boundary.
  const role = (
    await new IAMClient(AWS).send(new GetRoleCommand({ RoleName: name }))
  ).Role!;
  // One statement per cluster: dev and staging on non-prod, prod on prod.
  const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
  const subs = trust.Statement.map((statement: any) => {
    const condition = statement.Condition.StringEquals;
    const sub = Object.keys(condition).find(k => k.endsWith(':sub'))!;
    expect(condition[sub.replace(/:sub$/, ':aud')]).toBe('sts.amazonaws.com');
    return condition[sub];
  });
  expect(subs).toEqual([
    [
      `system:serviceaccount:${name}:${name}`,
      `system:serviceaccount:${name}-staging:${name}`,
    ],
    `system:serviceaccount:${name}:${name}`,
  ]);
  expect(role.PermissionsBoundary?.PermissionsBoundaryArn).toBe(
    'arn:aws:iam::123456789012:policy/slipway-service-boundary',
  );

  // charts/<name> in helm-charts, and the first build's tag bump on top.
  const commits = await (
    await request.get(
      `${SANDBOX.github}/repos/slipway-demo/helm-charts/commits?per_page=20`,
      { headers: GH },
    )
  ).json();
  const bump = commits.find((c: any) =>
    c.commit.message.startsWith(`ci(${name}): deploy `),
  );
  expect(bump).toBeDefined();
  expect(
    commits.some((c: any) =>
      c.commit.message.startsWith(`feat(${name}): register chart`),
    ),
  ).toBe(true);

  // The Argo CD app is Synced and Healthy at the bump commit.
  const session = await (
    await request.post(`${SANDBOX.argocd}/api/v1/session`, {
      data: { username: 'admin', password: 'sandbox-argocd-password' },
    })
  ).json();
  const app = await (
    await request.get(`${SANDBOX.argocd}/api/v1/applications/${name}-dev`, {
      headers: { authorization: `Bearer ${session.token}` },
    })
  ).json();
  expect(app.status.sync.status).toBe('Synced');
  expect(app.status.health.status).toBe('Healthy');
  // At the bump, or at the later commits that pin staging and prod to it.
  const tag = bump.commit.message.split('\n')[0].split(' deploy ')[1];
  for (const env of ['staging', 'prod']) {
    expect(
      commits.some((c: any) =>
        c.commit.message.startsWith(
          `promote(${name}): ${tag} from dev to ${env}`,
        ),
      ),
    ).toBe(true);
  }
  const bumpIndex = commits.findIndex((c: any) => c.sha === bump.sha);
  expect(
    commits
      .slice(0, bumpIndex + 1)
      .map((c: any) => c.sha)
      .includes(app.status.sync.revision),
  ).toBe(true);
  expect(app.spec.project).toBe('slipway');

  // Jenkins built the first commit.
  const job = await (
    await request.get(
      `${SANDBOX.jenkins}/job/slipway-demo/job/${name}/api/json`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(
            'slipway:sandbox-jenkins-token',
          ).toString('base64')}`,
        },
      },
    )
  ).json();
  expect(job.builds[0].result).toBe('SUCCESS');

  // The entity is in the catalog, with the annotations the cards read.
  await page.getByText('Open in catalog').click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${name}`),
  );
  await expect(page.getByText(name).first()).toBeVisible();

  // Decommission removes it all again (through the scaffolder's API, as the guest).
  const guest = await (
    await request.get(`${BACKEND}/api/auth/guest/refresh`)
  ).json();
  const auth = { authorization: `Bearer ${guest.backstageIdentity.token}` };
  // The catalog processes the new entity asynchronously; decommission it once it is there.
  const entityUrl = `${BACKEND}/api/catalog/entities/by-name/component/default/${name}`;
  await expect
    .poll(
      async () => (await request.get(entityUrl, { headers: auth })).status(),
      { timeout: 60_000 },
    )
    .toBe(200);
  const task = await runTemplate(
    request,
    auth,
    'template:default/decommission',
    { component: `component:default/${name}`, deleteImages: true },
  );
  expect(task.status).toBe('completed');

  const status = async (url: string, headers: Record<string, string>) =>
    (await request.get(url, { headers })).status();
  expect(
    await status(
      `${SANDBOX.github}/repos/slipway-demo/helm-charts/contents/charts/${name}/values.yaml`,
      GH,
    ),
  ).toBe(404);
  expect(
    await status(`${SANDBOX.argocd}/api/v1/applications/${name}-dev`, {
      authorization: `Bearer ${session.token}`,
    }),
  ).not.toBe(200);
  await expect
    .poll(
      async () => (await request.get(entityUrl, { headers: auth })).status(),
      { timeout: 30_000 },
    )
    .toBe(404);
  // The app repo stays (archived by its team, not deleted by the portal).
  expect(await status(`${SANDBOX.github}/repos/slipway-demo/${name}`, GH)).toBe(
    200,
  );
});
