import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { Sandbox } from '@internal/sandbox';
import { runProvisioningStep } from '@internal/backstage-plugin-delivery-node';
import { buildApplication } from './application';
import {
  buildActions,
  CheckpointFake,
  context,
  expectNoSecrets,
  sandboxConfig,
  startTestSandbox,
} from './__testUtils__/harness';

jest.setTimeout(180_000);

const CRD = path.resolve(
  __dirname,
  '../../../../specs/argocd-v3.6.0-application-crd.yaml',
);

/** The CRD's schema, closed: a field the CRD does not declare is an error too. */
function crdValidator() {
  const crd = parse(fs.readFileSync(CRD, 'utf8'));
  const schema = crd.spec.versions.find((v: any) => v.name === 'v1alpha1')
    .schema.openAPIV3Schema;
  const close = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(close);
      return;
    }
    if (
      node.type === 'object' &&
      node.properties &&
      node.additionalProperties === undefined &&
      !node['x-kubernetes-preserve-unknown-fields']
    ) {
      node.additionalProperties = false;
    }
    Object.values(node).forEach(close);
  };
  close(schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of ['int32', 'int64', 'date-time', 'byte'])
    ajv.addFormat(f, true);
  return ajv.compile(schema);
}

describe('argocd:application:* (against the sandbox)', () => {
  let sb: Sandbox;
  let actions: ReturnType<typeof buildActions>;
  const session = () =>
    sb.faults.counters().argocd?.['argocd:SessionService_Create'] ?? 0;

  beforeAll(async () => {
    sb = await startTestSandbox({ reconcileIntervalMs: 200 });
    actions = buildActions(sandboxConfig(sb));
    // Argo CD checks that the chart path exists (validate=true): register them.
    for (const name of ['orders', 'phoenix', 'claimed']) {
      await actions.register.handler(
        context({
          name,
          imageRepository: sb.aws.repositoryUri(name),
          namespace: name,
        }).ctx,
      );
    }
  });
  afterAll(() => sb?.stop());
  beforeEach(() => sb.faults.resetCounters());

  it('builds an Application that validates against the CRD schema, with and without autoscaling', () => {
    const validate = crdValidator();
    for (const autoscaling of [false, true]) {
      const app = buildApplication(
        {
          name: 'orders',
          appName: 'orders-dev',
          destination: {
            server: 'https://kubernetes.default.svc',
            namespace: 'orders',
          },
          environment: 'dev',
          chartPath: 'charts/orders',
          targetRevision: 'main',
          autoscaling,
          repoURL: 'https://github.com/acme/helm-charts.git',
        },
        {
          project: 'slipway',
          destinationServer: 'https://kubernetes.default.svc',
          namespace: 'argocd',
        },
      );
      expect(validate(app)).toBe(true);
      expect(validate.errors ?? []).toEqual([]);
    }
    // The validator can fail: a misspelt field is caught.
    expect(
      validate({
        ...{
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: {},
        },
        spec: { project: 'x', destination: {}, sourcee: {} },
      }),
    ).toBe(false);
  });

  it.each([
    ['an uppercase name', { name: 'Orders' }],
    ['a name over 40 characters', { name: 'x'.repeat(41) }],
    ['a name with ..', { name: 'a..b' }],
    ['a wildcard name', { name: 'ord*' }],
    ['an absolute chart path', { chartPath: '/charts/orders' }],
    ['an unknown environment', { environment: 'qa' }],
    ['an unknown instance', { instance: 'elsewhere' }],
    ['a bad namespace', { namespace: 'kube_system' }],
    ['the reserved namespace kube-system', { namespace: 'kube-system' }],
    ["Argo CD's own namespace", { namespace: 'argocd' }],
    ['the default namespace', { namespace: 'default' }],
    ['a targetRevision with ..', { targetRevision: 'main..x' }],
  ])(
    'refuses %s with InputError before any upstream call',
    async (_w, extra) => {
      const { ctx } = context({
        name: 'orders',
        namespace: 'orders',
        ...extra,
      });
      await expect(actions.create.handler(ctx)).rejects.toMatchObject({
        name: 'InputError',
      });
      await expect(
        actions.wait.handler(
          context({
            name: (extra as any).name ?? 'orders',
            instance: (extra as any).instance ?? 'bad instance',
          }).ctx,
        ),
      ).rejects.toMatchObject({ name: 'InputError' });
      expect(sb.faults.total('argocd')).toBe(0);
      expect(sb.faults.total('github')).toBe(0);
    },
  );

  it('does not accept project or destination in its input schema (they come from config only)', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(actions.create.schema!.input as object);
    expect(validate({ name: 'orders', namespace: 'orders' })).toBe(true);
    expect(
      validate({ name: 'orders', namespace: 'orders', project: 'default' }),
    ).toBe(false);
    expect(
      validate({
        name: 'orders',
        namespace: 'orders',
        destinationServer: 'https://evil',
      }),
    ).toBe(false);
    expect(
      validate({
        name: 'orders',
        namespace: 'orders',
        destination: { server: 'x' },
      }),
    ).toBe(false);
  });

  it('dry run returns plausible outputs without calling Argo CD', async () => {
    const { ctx, outputs } = context(
      { name: 'dry', namespace: 'dry' },
      { isDryRun: true },
    );
    await actions.create.handler(ctx);
    const dry = {
      appName: 'dry-dev',
      appUrl: `${sb.urls.argocd}/applications/argocd/dry-dev`,
      instance: 'sandbox',
    };
    expect(outputs).toEqual({
      ...dry,
      applications: [{ ...dry, environment: 'dev' }],
    });
    const wait = context({ name: 'dry-dev' }, { isDryRun: true });
    await actions.wait.handler(wait.ctx);
    expect(wait.outputs).toMatchObject({
      health: 'Healthy',
      syncStatus: 'Synced',
    });
    await actions.remove.handler(
      context({ name: 'dry' }, { isDryRun: true }).ctx,
    );
    expect(sb.faults.total('argocd')).toBe(0);
  });

  it('creates the Application with project and destination from config, even when the input tries to set them; adopts an identical one; a different one is a conflict unless upsert', async () => {
    const name = 'orders';
    const { ctx, outputs, lines } = context({
      name,
      namespace: 'orders',
      // Not in the schema; the handler must ignore them all the same.
      project: 'default',
      destinationServer: 'https://evil.example',
    } as any);
    await actions.create.handler(ctx);
    const created = {
      appName: `${name}-dev`,
      appUrl: `${sb.urls.argocd}/applications/argocd/${name}-dev`,
      instance: 'sandbox',
    };
    expect(outputs).toEqual({
      ...created,
      applications: [{ ...created, environment: 'dev' }],
    });
    const app = await actions.instances.get().getApplication(`${name}-dev`);
    expect(app.spec).toMatchObject({
      project: 'slipway',
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'orders',
      },
      source: {
        repoURL: `${sb.urls.github}/slipway-demo/helm-charts.git`,
        path: 'charts/orders',
        targetRevision: 'main',
        helm: { valueFiles: ['values-dev.yaml'] },
      },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    expect(app.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'slipway',
      'slipway.io/owner': 'component.default.orders',
      'slipway.io/environment': 'dev',
    });
    expect(app.metadata.finalizers).toEqual([
      'resources-finalizer.argocd.argoproj.io',
    ]);
    // What was stored (as Argo CD returns it) still validates against the CRD.
    const validate = crdValidator();
    const { status: _status, ...stored } = app;
    expect(validate(stored)).toBe(true);

    // Identical re-run: adopted, no write.
    sb.faults.resetCounters();
    const again = context({ name, namespace: 'orders' });
    await actions.create.handler(again.ctx);
    expect(again.lines.join('\n')).toMatch(/adopted/);
    const c = sb.faults.counters().argocd ?? {};
    expect(c['argocd:ApplicationService_Create'] ?? 0).toBe(0);
    expect(c['argocd:ApplicationService_Update'] ?? 0).toBe(0);

    // Different: conflict naming the difference, unless upsert.
    const different = context({
      name,
      namespace: 'orders',
      autoscaling: true,
    });
    await expect(actions.create.handler(different.ctx)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('spec.ignoreDifferences'),
    });
    const upsert = context({
      name,
      namespace: 'orders',
      upsert: true,
      autoscaling: true,
    });
    await actions.create.handler(upsert.ctx);
    const updated = await actions.instances.get().getApplication(`${name}-dev`);
    expect(updated.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
    ]);
    expectNoSecrets(lines, again.lines, upsert.lines, outputs);
  });

  it("a new run never takes over the service's Application another run created; its owners adopt it on purpose, audited", async () => {
    const name = 'claimed';
    // The service's own place in the helm-charts layout (registered above).
    const CHART = `charts/${name}`;
    await actions.create.handler(
      context({ name, namespace: 'claimed', chartPath: CHART }).ctx,
    );
    const before = await actions.instances.get().getApplication(`${name}-dev`);
    expect(before.metadata.annotations?.['slipway.io/task']).toBe('task-1');
    sb.faults.resetCounters();

    const other = context(
      { name, namespace: 'elsewhere', chartPath: CHART },
      { task: 'task-2' },
    );
    await expect(actions.create.handler(other.ctx)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        `Argo CD application '${name}-dev' on sandbox already exists for component:default/${name} and was not created by this run (task task-1 created it)`,
      ),
    });
    const dana = context(
      { name, namespace: 'elsewhere', chartPath: CHART, adopt: true },
      { task: 'task-3', user: 'user:default/dana' },
    );
    await expect(actions.create.handler(dana.ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(sb.faults.mutations()).toEqual({});
    expect(
      (await actions.instances.get().getApplication(`${name}-dev`)).spec
        .destination,
    ).toEqual(before.spec.destination);

    // guest belongs to payments-team, which owns the service: adopted.
    const owner = context(
      { name, namespace: 'moved', chartPath: CHART, adopt: true },
      { task: 'task-4' },
    );
    await actions.create.handler(owner.ctx);
    const adopted = await actions.instances.get().getApplication(`${name}-dev`);
    expect(adopted.spec.destination?.namespace).toBe('moved');
    expect(adopted.metadata.annotations?.['slipway.io/task']).toBe('task-4');
    expect(
      actions.access.auditor.events
        .filter(e => e.eventId === 'adopt-authorization')
        .map(e => [e.meta.actor, e.outcome]),
    ).toEqual([
      ['user:default/dana', 'failure'],
      ['user:default/guest', 'success'],
    ]);
  });

  it('never adopts or deletes an Application it does not own', async () => {
    // An application made by hand, without Slipway's owner label.
    await sb.argocd.upsertApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'hand-made-dev', namespace: 'argocd' },
      spec: {
        project: 'slipway',
        source: {
          repoURL: `${sb.urls.github}/slipway-demo/helm-charts.git`,
          path: 'charts/hand-made',
          targetRevision: 'main',
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'hand-made',
        },
      },
    });
    await expect(
      actions.create.handler(
        context({
          name: 'hand-made',
          namespace: 'hand-made',
          upsert: true,
        }).ctx,
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(/not owned/),
    });
    await expect(
      actions.remove.handler(context({ name: 'hand-made' }).ctx),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(
      await actions.instances.get().findApplication('hand-made-dev'),
    ).toBeDefined();
  });

  it('signs in to Argo CD once and reuses the session token across calls', async () => {
    const a = buildActions(sandboxConfig(sb));
    for (let i = 0; i < 5; i++) {
      await a.create.handler(
        context({
          name: 'orders',
          namespace: 'orders',
          environment: 'prod',
          upsert: true,
          autoscaling: true,
        }).ctx,
      );
    }
    await Promise.all(
      Array.from({ length: 5 }, () =>
        a.instances.get().findApplication('orders-prod'),
      ),
    );
    expect(session()).toBe(1);
    expect(sb.faults.counters().argocd?.['argocd:ApplicationService_Get']).toBe(
      10,
    );
  });

  it('maps Argo CD v3 "permission denied" for a missing app to NotFoundError', async () => {
    await expect(
      actions.instances.get().getApplication('does-not-exist'),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(
      await actions.instances.get().findApplication('does-not-exist'),
    ).toBeUndefined();
  });

  it('converges after a crash between creating the app and its checkpoint: one app, nothing orphaned', async () => {
    const checkpoints = new CheckpointFake();
    checkpoints.crashAfter = 'argocd.application.create.phoenix-dev';
    await expect(
      actions.create.handler(
        context({ name: 'phoenix', namespace: 'phoenix' }, { checkpoints }).ctx,
      ),
    ).rejects.toThrow(/simulated crash/);
    const second = context(
      { name: 'phoenix', namespace: 'phoenix' },
      { checkpoints },
    );
    await actions.create.handler(second.ctx);
    expect(second.outputs.appName).toBe('phoenix-dev');
    const owned = await actions.instances.get().listApplications({
      selector: 'slipway.io/owner=component.default.phoenix',
    });
    expect(owned.map(x => x.metadata.name)).toEqual(['phoenix-dev']);
  });

  it('deletes its own Application (cascade); a missing one is success', async () => {
    const { ctx, outputs } = context({ name: 'phoenix' });
    await actions.remove.handler(ctx);
    expect(outputs.deleted).toBe(true);
    expect(
      await actions.instances.get().findApplication('phoenix-dev'),
    ).toBeUndefined();
    const again = context({ name: 'phoenix' });
    await actions.remove.handler(again.ctx);
    expect(again.outputs.deleted).toBe(false);
  });

  it('waits until Synced and Healthy at the register commit, after register and create', async () => {
    const name = 'shipped';
    sb.aws.ensureRepository(name, {
      'slipway.io/owner': `component:default/${name}`,
    });
    sb.aws.putImage(name, 'bootstrap');
    const reg = context({
      name,
      imageRepository: sb.aws.repositoryUri(name),
      namespace: name,
    });
    await actions.register.handler(reg.ctx);
    await actions.create.handler(context({ name, namespace: name }).ctx);
    const wait = context({
      name: `${name}-dev`,
      revision: reg.outputs.commitSha as string,
      timeoutSeconds: 60,
      intervalSeconds: 0.2,
    });
    await actions.wait.handler(wait.ctx);
    expect(wait.outputs).toEqual({
      revision: reg.outputs.commitSha,
      health: 'Healthy',
      syncStatus: 'Synced',
    });
    expectNoSecrets(reg.lines, wait.lines);
  });

  it('times out naming Degraded and the message when the image tag is missing', async () => {
    const name = 'broken';
    sb.aws.ensureRepository(name, {
      'slipway.io/owner': `component:default/${name}`,
    });
    const reg = context({
      name,
      imageRepository: sb.aws.repositoryUri(name),
      imageTag: 'missing-tag',
      namespace: name,
    });
    await actions.register.handler(reg.ctx);
    await actions.create.handler(context({ name, namespace: name }).ctx);
    // The sandbox's sync and rollout end first (on a busy machine they may
    // take longer than the wait's 3 s): the wait then sees Degraded, and
    // times out on it.
    for (;;) {
      await sb.argocd.reconcileNow();
      const app = await actions.instances.get().getApplication(`${name}-dev`);
      if (app.status?.health?.status === 'Degraded') break;
      await new Promise(r => setTimeout(r, 100));
    }
    const started = Date.now();
    const err = await actions.wait
      .handler(
        context({
          name: `${name}-dev`,
          timeoutSeconds: 3,
          intervalSeconds: 0.2,
        }).ctx,
      )
      .catch(e => e);
    // Its own 3 s, not the default timeout (minutes).
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(err.message).toMatch(/Timed out after 3s/);
    expect(err.message).toMatch(/health Degraded/);
    expect(err.message).toMatch(/missing-tag not found/);
    expect(err.message).toMatch(
      /last sync status Synced at revision [0-9a-f]{40}/,
    );
    expectNoSecrets(err.message, err.stack);
  });

  it('retries Argo CD reads on 503 with jitter within a budget, a progress line each, then fails clearly', async () => {
    const client = actions.instances.get();
    const [app] = await client.listApplications();
    const appPath = `/api/v1/applications/${app.metadata.name}`;
    const failing = (count: number) =>
      sb.faults.set({
        argocd: {
          failNext: {
            'argocd:ApplicationService_Get': { count, status: 503 },
          },
        },
      });
    failing(2);
    const lines: string[] = [];
    const logger = { info: (l: string) => lines.push(l), warn: () => {} };
    const read = () =>
      runProvisioningStep(
        { logger },
        { action: 'argocd:application:wait' },
        () => client.getApplication(app.metadata.name!),
      );
    expect((await read()).metadata.name).toBe(app.metadata.name);
    expect(lines).toEqual([
      `Argo CD 'sandbox' GET ${appPath} answered 503, retrying 1/3`,
      `Argo CD 'sandbox' GET ${appPath} answered 503, retrying 2/3`,
    ]);

    failing(4);
    await expect(read()).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    // Two failures and the answer, then the budget of four sends spent.
    expect(sb.faults.counters().argocd?.['argocd:ApplicationService_Get']).toBe(
      3 + 4,
    );
  });
});
