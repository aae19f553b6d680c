import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { Sandbox } from '@internal/sandbox';
import {
  buildActions,
  CheckpointFake,
  context,
  expectNoSecrets,
  FIXTURE_CHART,
  sandboxConfig,
  startTestSandbox,
} from './__testUtils__/harness';

jest.setTimeout(180_000);

const OWNER = 'slipway-demo';
const REPO = 'helm-charts';
const ECR = (name: string) =>
  `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}`;
const ROLE = (name: string) => `arn:aws:iam::123456789012:role/slipway/${name}`;

describe('gitops:chart:register / unregister (against the sandbox)', () => {
  let sb: Sandbox;
  let actions: ReturnType<typeof buildActions>;

  const read = (p: string) => sb.repos.readFileIn(OWNER, REPO, 'main', p);
  const head = () => sb.repos.resolveIn(OWNER, REPO, 'main');
  const input = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    imageRepository: ECR(name),
    roleArn: ROLE(name),
    namespace: name,
    ...extra,
  });

  beforeAll(async () => {
    sb = await startTestSandbox();
    actions = buildActions(sandboxConfig(sb));
  });
  afterAll(async () => {
    await sb?.stop();
  });
  beforeEach(() => sb.faults.resetCounters());

  it.each([
    ['an uppercase name', { name: 'Orders' }, /lowercase/],
    ['a name over 40 characters', { name: 'a'.repeat(41) }, /2 to 40/],
    ['a name with ..', { name: 'or..ders' }, /must not contain/],
    ['a wildcard in the name', { name: 'orders*' }, /must not contain/],
    ['an absolute chart path', { chartPath: '/etc/charts' }, /charts\/orders/],
    ['a chart path with ..', { chartPath: 'charts/../../x' }, /charts\/orders/],
    ['a chart path into .git', { chartPath: '.git/hooks' }, /charts\/orders/],
    [
      "another service's chart folder",
      { chartPath: 'charts/payments-api' },
      /chartPath must be charts\/orders, the service's folder/,
    ],
    ['a non-ECR image repository', { imageRepository: 'docker.io/x' }, /ECR/],
    [
      'a wildcard role ARN',
      { roleArn: 'arn:aws:iam::123456789012:role/*' },
      /roleArn/,
    ],
    ['an unknown environment', { environments: ['qa'] }, /environments/],
    [
      'an override for an unselected environment',
      { environments: ['dev'], overrides: { prod: { replicas: 2 } } },
      /overrides/,
    ],
    ['a bad namespace', { namespace: 'Team_A' }, /namespace/],
    ['the kube-system namespace', { namespace: 'kube-system' }, /reserved/],
    ["Argo CD's namespace", { namespace: 'argocd' }, /reserved/],
    ['port 0', { service: { port: 0 } }, /service\.port/],
    ['port 70000', { service: { port: 70000 } }, /service\.port/],
    [
      'HPA bounds the wrong way round',
      { service: { autoscaling: { minReplicas: 6, maxReplicas: 3 } } },
      /minReplicas \(6\) must not exceed maxReplicas \(3\)/,
    ],
    [
      'an HPA minimum of 0',
      { service: { autoscaling: { minReplicas: 0, maxReplicas: 3 } } },
      /minReplicas/,
    ],
    [
      'a rollout strategy the chart does not offer',
      { service: { rollout: { strategy: 'blue-green' } } },
      /service\.rollout\.strategy must be rolling or canary \(got 'blue-green'\)/,
    ],
  ])(
    'refuses %s with InputError before any upstream call',
    async (_what, override, message) => {
      const { ctx } = context({ ...input('orders'), ...override });
      await expect(actions.register.handler(ctx)).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(message),
      });
      expect(sb.faults.total('github')).toBe(0);
    },
  );

  it('refuses a base chart holding a symlink that points outside it (InputError, no upstream call)', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'base-chart-'));
    fs.cpSync(FIXTURE_CHART, base, { recursive: true });
    const secret = path.join(os.tmpdir(), `outside-${Date.now()}.txt`);
    fs.writeFileSync(secret, 'not for helm-charts');
    fs.symlinkSync(secret, path.join(base, 'templates', 'leak.yaml'));
    const a = buildActions(sandboxConfig(sb, { baseChartDir: base }));
    const { ctx } = context(input('leaky'));
    await expect(a.register.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/symlink pointing outside/),
    });
    // A relative ../ symlink is refused the same way.
    fs.rmSync(path.join(base, 'templates', 'leak.yaml'));
    fs.symlinkSync(
      '../../../../etc/hostname',
      path.join(base, 'values-dev.yaml'),
    );
    await expect(
      a.register.handler(context(input('leaky')).ctx),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(sb.faults.total('github')).toBe(0);
  });

  it('refuses a canary on a base chart without rollout.strategy (InputError, no upstream call)', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'base-chart-'));
    fs.cpSync(FIXTURE_CHART, base, { recursive: true });
    const values = path.join(base, 'values.yaml');
    const withoutRollout = fs
      .readFileSync(values, 'utf8')
      .replace(/\nrollout:\n(?: {2}.*\n)+/, '\n');
    expect(parse(withoutRollout).rollout).toBeUndefined();
    fs.writeFileSync(values, withoutRollout);
    const a = buildActions(sandboxConfig(sb, { baseChartDir: base }));
    const { ctx } = context(
      input('old-chart', { service: { rollout: { strategy: 'canary' } } }),
    );
    await expect(a.register.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /rollout strategy canary is not offered by the base chart/,
      ),
    });
    // Rolling needs nothing from the chart.
    const rolling = context(
      input('old-chart', { service: { rollout: { strategy: 'rolling' } } }),
      { isDryRun: true },
    );
    await a.register.handler(rolling.ctx);
    expect(sb.faults.total('github')).toBe(0);
  });

  it('dry run renders plausible outputs without calling GitHub', async () => {
    const { ctx, outputs } = context(input('dry'), { isDryRun: true });
    await actions.register.handler(ctx);
    expect(outputs).toEqual({
      commitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
      chartPath: 'charts/dry',
    });
    expect(sb.faults.total('github')).toBe(0);
  });

  it('registers charts/<name>/ with values set and comments kept; a re-run adopts it (no second commit); a different chart is a conflict', async () => {
    const { ctx, outputs, lines } = context(
      input('orders', { overrides: { prod: { replicas: 3 } } }),
    );
    await actions.register.handler(ctx);
    expect(outputs.chartPath).toBe('charts/orders');
    expect(outputs.commitSha).toBe(await head());

    const values = (await read('charts/orders/values.yaml'))!;
    expect(values).toContain(
      '# Values every environment shares. CI bumps image.tag; people review the rest.',
    );
    expect(values).toContain(
      '# The IRSA role goes here as eks.amazonaws.com/role-arn.',
    );
    expect(values).toContain('# Replaced by each build: <sha7>-<build>.');
    expect(parse(values)).toMatchObject({
      image: { repository: ECR('orders'), tag: 'bootstrap' },
      nameOverride: 'orders',
      fullnameOverride: 'orders',
      serviceAccount: {
        name: 'orders',
        annotations: { 'eks.amazonaws.com/role-arn': ROLE('orders') },
      },
    });
    const chart = parse((await read('charts/orders/Chart.yaml'))!);
    expect(chart).toMatchObject({
      name: 'orders',
      annotations: {
        'slipway.io/owner': 'component:default/orders',
        'slipway.io/namespace': 'orders',
      },
    });
    expect(await read('charts/orders/templates/_helpers.tpl')).toBe(
      fs.readFileSync(
        path.join(FIXTURE_CHART, 'templates/_helpers.tpl'),
        'utf8',
      ),
    );
    expect(parse((await read('charts/orders/values-prod.yaml'))!)).toEqual({
      replicaCount: 3,
    });
    expect(await read('charts/orders/values-dev.yaml')).toMatch(
      /^# orders in dev/,
    );
    expect(await read('charts/orders/values-staging.yaml')).toBeDefined();

    const commit = (await sb.repos.log(OWNER, REPO, 'main', 1))[0];
    expect(commit.message).toMatch(/^feat\(orders\): register chart\n\n/);
    expect(commit.message).toContain(
      `Image:           ${ECR('orders')}:bootstrap`,
    );

    // Idempotent re-run: same outputs, no new commit.
    const before = await head();
    const again = context(
      input('orders', { overrides: { prod: { replicas: 3 } } }),
    );
    await actions.register.handler(again.ctx);
    expect(await head()).toBe(before);
    expect(again.outputs.commitSha).toBe(before);
    expect(again.lines.join('\n')).toMatch(/adopted/);

    // A different chart under the same name.
    const other = context(input('orders', { imageTag: 'v2' }));
    await expect(actions.register.handler(other.ctx)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('charts/orders'),
    });
    expect(await head()).toBe(before);
    expectNoSecrets(lines, again.lines, other.lines, outputs);
  });

  it("sets the wizard's port, replicas and HPA bounds from the real base chart, in every environment that sets bounds", async () => {
    const real = buildActions(
      sandboxConfig(sb, {
        baseChartDir: path.resolve(__dirname, '../../../../charts/service'),
      }),
    );
    const { ctx } = context({
      ...input('sized'),
      service: {
        port: 9090,
        replicas: 3,
        autoscaling: { enabled: true, minReplicas: 4, maxReplicas: 7 },
      },
    });
    await real.register.handler(ctx);
    const values = parse((await read('charts/sized/values.yaml'))!);
    expect(values.containerPort).toBe(9090);
    expect(values.replicaCount).toBe(3);
    expect(values.autoscaling).toMatchObject({
      enabled: true,
      minReplicas: 4,
      maxReplicas: 7,
    });
    expect(values.envFrom).toEqual([
      { secretRef: { name: 'sized-secrets', optional: true } },
    ]);
    const prod = parse((await read('charts/sized/values-prod.yaml'))!);
    expect(prod.autoscaling).toMatchObject({ minReplicas: 4, maxReplicas: 7 });
    // dev keeps its own policy: one pod, no HPA.
    const dev = parse((await read('charts/sized/values-dev.yaml'))!);
    expect(dev.autoscaling.enabled).toBe(false);
    expect((await read('charts/sized/values.yaml'))!).toMatch(/# .*CI changes/);
  });

  it("writes rollout.strategy canary into the real base chart's values.yaml and nothing else; the canary templates come along", async () => {
    const chartDir = path.resolve(__dirname, '../../../../charts/service');
    const real = buildActions(sandboxConfig(sb, { baseChartDir: chartDir }));
    const register = async (name: string, strategy?: string) => {
      const { ctx, lines } = context({
        ...input(name),
        service: { port: 8080, ...(strategy && { rollout: { strategy } }) },
      });
      await real.register.handler(ctx);
      return lines;
    };
    const lines = await register('sku-a', 'canary');
    await register('sku-b', 'rolling');
    await register('sku-c');
    const canary = (await read('charts/sku-a/values.yaml'))!;
    const rolling = (await read('charts/sku-b/values.yaml'))!;
    const unset = (await read('charts/sku-c/values.yaml'))!;

    expect(parse(canary).rollout.strategy).toBe('canary');
    expect(parse(rolling).rollout.strategy).toBe('rolling');
    // One value differs; every comment and the canary settings are kept.
    expect(canary).toBe(
      rolling
        .replaceAll('sku-b', 'sku-a')
        .replace('  strategy: rolling\n', '  strategy: canary\n'),
    );
    expect(canary).toContain(
      '  # canary: an Argo Rollouts Rollout (needs the Argo Rollouts controller in the cluster).\n  strategy: canary\n',
    );
    // Rolling is the chart's default: asked for or not, the same file.
    expect(unset).toBe(rolling.replaceAll('sku-b', 'sku-c'));
    // The environments keep their own files: the strategy is set once.
    for (const env of ['dev', 'staging', 'prod']) {
      const text = (await read(`charts/sku-a/values-${env}.yaml`))!;
      expect(parse(text)?.rollout).toBeUndefined();
    }
    for (const file of [
      'templates/rollout.yaml',
      'templates/service-canary.yaml',
      'templates/analysistemplate.yaml',
      'templates/_helpers.tpl',
      'values.schema.json',
    ]) {
      expect(await read(`charts/sku-a/${file}`)).toBe(
        fs.readFileSync(path.join(chartDir, file), 'utf8'),
      );
    }
    expect(lines.join('\n')).toMatch(/Rollout strategy canary/);

    // A re-run adopts it: same files, no new commit.
    const before = await head();
    await register('sku-a', 'canary');
    expect(await head()).toBe(before);
  });

  it('lands twenty concurrent registrations: 20 charts, linear history, no force push, none lost', async () => {
    const before = await head();
    const names = Array.from({ length: 20 }, (_, i) => `svc-${i}`);
    const runs = names.map(name => context(input(name)));
    // Every lost race is another writer's win, so 20 writers need at most
    // 20 attempts each, however slowly the machine runs them.
    const racing = buildActions(sandboxConfig(sb), { maxAttempts: 20 });
    await Promise.all(runs.map(r => racing.register.handler(r.ctx)));

    const log = await sb.repos.log(OWNER, REPO, 'main', 21);
    for (let i = 0; i < 20; i++) {
      expect(log[i].parents).toEqual([log[i + 1].sha]);
    }
    expect(log[20].sha).toBe(before);
    expect(
      log
        .slice(0, 20)
        .map(c => c.message.split('\n')[0])
        .sort(),
    ).toEqual(names.map(n => `feat(${n}): register chart`).sort());
    for (const name of names) {
      expect(
        parse((await read(`charts/${name}/values.yaml`))!).image.repository,
      ).toBe(ECR(name));
    }
    // Each run reports the commit that added its chart.
    for (const [i, r] of runs.entries()) {
      const c = log.find(x => x.sha === r.outputs.commitSha);
      expect(c?.message.split('\n')[0]).toBe(
        `feat(${names[i]}): register chart`,
      );
    }
  });

  it('registers into a helm-charts repo of 300 more charts with the same GitHub calls, never fetching its tree', async () => {
    const githubCalls = async (name: string) => {
      sb.faults.resetCounters();
      const { ctx, outputs } = context(input(name));
      await actions.register.handler(ctx);
      expect(outputs.commitSha).toBe(await head());
      return sb.faults.counters().github;
    };
    const lean = await githubCalls('lean');

    const filler: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      filler[
        `charts/filler-${i}/Chart.yaml`
      ] = `apiVersion: v2\nname: filler-${i}\nversion: 0.1.0\n`;
      filler[`charts/filler-${i}/values.yaml`] = `replicaCount: 1\n`;
    }
    await sb.repos.commitFiles(
      OWNER,
      REPO,
      'main',
      filler,
      'chore: many charts',
    );
    const crowded = await githubCalls('crowded');

    expect(crowded).toEqual(lean);
    // Git Data API only: the ref, its commit, the root and charts/ folders
    // (non-recursive), one tree on base_tree, one commit, one ref update.
    expect(crowded).toEqual({
      'git/get-ref': 1,
      'git/get-commit': 1,
      'git/get-tree': 2,
      'git/create-tree': 1,
      'git/create-commit': 1,
      'git/update-ref': 1,
    });
  });

  it('converges after a crash between the push and its checkpoint: no duplicate commit', async () => {
    const checkpoints = new CheckpointFake();
    checkpoints.crashAfter = 'gitops.chart.register.phoenix';
    const first = context(input('phoenix'), { checkpoints });
    await expect(actions.register.handler(first.ctx)).rejects.toThrow(
      /simulated crash/,
    );
    const afterCrash = await head();

    const second = context(input('phoenix'), { checkpoints });
    await actions.register.handler(second.ctx);
    expect(await head()).toBe(afterCrash);
    expect(second.outputs.commitSha).toBe(afterCrash);
    const log = await sb.repos.log(OWNER, REPO, 'main', 5);
    expect(log.filter(c => c.message.startsWith('feat(phoenix)')).length).toBe(
      1,
    );

    // A third run replays the recorded value without touching GitHub.
    sb.faults.resetCounters();
    const third = context(input('phoenix'), { checkpoints });
    await actions.register.handler(third.ctx);
    expect(third.outputs.commitSha).toBe(afterCrash);
    expect(sb.faults.total('github')).toBe(0);
  });

  it('unregisters only its own chart; a missing chart is success', async () => {
    const { ctx, outputs } = context({ name: 'orders' });
    await actions.unregister.handler(ctx);
    expect(outputs.removed).toBe(true);
    expect(await read('charts/orders/values.yaml')).toBeUndefined();

    const again = context({ name: 'orders' });
    await actions.unregister.handler(again.ctx);
    expect(again.outputs).toMatchObject({
      removed: false,
      commitSha: await head(),
    });

    // A chart bound to another entity is not this service's to remove.
    await sb.repos.commitFiles(
      OWNER,
      REPO,
      'main',
      {
        'charts/foreign/Chart.yaml':
          'apiVersion: v2\nname: foreign\nversion: 0.1.0\nannotations:\n  slipway.io/owner: component:default/someone-else\n',
      },
      'test: a chart bound to someone else',
    );
    const foreign = context({ name: 'foreign' });
    await expect(actions.unregister.handler(foreign.ctx)).rejects.toThrow(
      /charts\/foreign in .* is not bound to component:default\/foreign/,
    );
    expect(await read('charts/foreign/Chart.yaml')).toBeDefined();

    // Another team's member may not remove payments-team's chart: refused
    // before any call to GitHub.
    sb.faults.resetCounters();
    const other = context(
      { name: 'payments-api' },
      { user: 'user:default/dana' },
    );
    await expect(actions.unregister.handler(other.ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(sb.faults.total('github')).toBe(0);
    expect(await read('charts/payments-api/values.yaml')).toBeDefined();
  });
});
