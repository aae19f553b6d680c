import { Harness, valuesYaml, violations } from './__testUtils__/harness';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api';

describe('Argo CD controller', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await new Harness().init();
  });

  afterEach(async () => {
    await h.close();
    // Every response in every test went through the swagger check.
    if (violations.length) throw new Error(violations.join('\n'));
    if (h.errors.length)
      throw new Error(`sandbox errors: ${h.errors.join('; ')}`);
  });

  const getApp = async (name: string) => {
    const res = await h.request('GET', `/api/v1/applications/${name}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  it('deploys commit A, goes Progressing then Healthy, follows commit B to Degraded and back to Healthy', async () => {
    const shaA = await h.commit(
      { 'charts/payments-api/values.yaml': valuesYaml('t1') },
      'payments-api: deploy t1',
    );
    h.images.add('payments-api:t1');
    expect(
      (
        await h.request('POST', '/api/v1/applications', {
          body: h.appSpec('payments-api'),
        })
      ).status,
    ).toBe(200);

    await h.argo.reconcileNow();
    let app = await getApp('payments-api');
    expect(app.status.sync).toMatchObject({ status: 'Synced', revision: shaA });
    expect(app.status.sync.comparedTo).toEqual({
      source: h.appSpec('payments-api').spec.source,
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'payments-api',
      },
    });
    expect(app.status.health.status).toBe('Progressing');
    expect(app.status.history).toHaveLength(1);
    expect(app.status.history[0]).toMatchObject({
      id: 0,
      revision: shaA,
      initiatedBy: { automated: true },
      deployedAt: '2026-03-02T09:00:00Z',
    });
    expect(app.status.operationState).toMatchObject({
      phase: 'Succeeded',
      syncResult: { revision: shaA },
    });
    expect(app.status.summary.images).toEqual([`${IMAGE}:t1`]);
    expect(
      app.status.resources
        .map((r: any) => `${r.kind}/${r.name}/${r.status}`)
        .sort(),
    ).toEqual([
      'Deployment/payments-api/Synced',
      'Service/payments-api/Synced',
      'ServiceAccount/payments-api/Synced',
    ]);
    expect(
      app.status.resources.every((r: any) => r.namespace === 'payments-api'),
    ).toBe(true);

    // Still progressing just before the rollout time is up.
    h.advance(999);
    await h.argo.reconcileNow();
    expect((await getApp('payments-api')).status.health.status).toBe(
      'Progressing',
    );
    h.advance(2);
    await h.argo.reconcileNow();
    app = await getApp('payments-api');
    expect(app.status.health.status).toBe('Healthy');
    expect(app.status.history).toHaveLength(1);

    // Commit B moves to a tag the registry does not have.
    h.advance(60_000);
    const shaB = await h.commit(
      { 'charts/payments-api/values.yaml': valuesYaml('t2') },
      'payments-api: deploy t2',
      { name: 'Robin Releaser', email: 'robin@acme.example' },
    );
    // Before the controller looks, the app still reports commit A.
    expect((await getApp('payments-api')).status.sync.revision).toBe(shaA);
    await h.argo.reconcileNow();
    app = await getApp('payments-api');
    expect(app.status.sync).toMatchObject({ status: 'Synced', revision: shaB });
    expect(app.status.history.map((e: any) => [e.id, e.revision])).toEqual([
      [0, shaA],
      [1, shaB],
    ]);
    expect(app.status.history[1].deployedAt).toBe('2026-03-02T09:01:01Z');
    expect(app.status.summary.images).toEqual([`${IMAGE}:t2`]);
    expect(app.status.health.status).toBe('Progressing');

    h.advance(1000);
    await h.argo.reconcileNow();
    app = await getApp('payments-api');
    expect(app.status.health).toMatchObject({
      status: 'Degraded',
      message: `image ${IMAGE}:t2 not found`,
    });
    const deployment = app.status.resources.find(
      (r: any) => r.kind === 'Deployment',
    );
    expect(deployment.health.status).toBe('Degraded');
    const tree = await h.request(
      'GET',
      '/api/v1/applications/payments-api/resource-tree',
    );
    const pod = tree.body.nodes.find((n: any) => n.kind === 'Pod');
    expect(pod.health.status).toBe('Degraded');
    expect(pod.info).toContainEqual({
      name: 'Status Reason',
      value: 'ImagePullBackOff',
    });

    // The image is pushed: healthy without another sync.
    h.images.add('payments-api:t2');
    await h.argo.reconcileNow();
    app = await getApp('payments-api');
    expect(app.status.health.status).toBe('Healthy');
    expect(app.status.history).toHaveLength(2);

    const meta = await h.request(
      'GET',
      `/api/v1/applications/payments-api/revisions/${shaB}/metadata`,
    );
    expect(meta.body).toMatchObject({
      author: 'Robin Releaser <robin@acme.example>',
      message: 'payments-api: deploy t2',
    });
  });

  it('reports OutOfSync without automation until a manual sync', async () => {
    const shaA = await h.commit(
      { 'charts/svc/values.yaml': valuesYaml('t1') },
      'A',
    );
    h.images.add('payments-api:t1');
    await h.request('POST', '/api/v1/applications', {
      body: h.appSpec('svc', { automated: false }),
    });
    await h.argo.reconcileNow();
    let app = await getApp('svc');
    expect(app.status.sync).toMatchObject({
      status: 'OutOfSync',
      revision: shaA,
    });
    expect(app.status.health.status).toBe('Missing');
    expect(app.status.history ?? []).toHaveLength(0);

    const dry = await h.request('POST', '/api/v1/applications/svc/sync', {
      body: { dryRun: true },
    });
    expect(dry.body.status.sync.status).toBe('OutOfSync');
    expect(dry.body.status.history ?? []).toHaveLength(0);

    const synced = await h.request('POST', '/api/v1/applications/svc/sync', {
      body: {},
    });
    app = synced.body;
    expect(app.status.sync.status).toBe('Synced');
    expect(app.status.history).toHaveLength(1);
    expect(app.status.history[0].initiatedBy).toEqual({ username: 'admin' });

    // A commit touching another chart does not make this app OutOfSync.
    const shaOther = await h.commit(
      { 'charts/other/values.yaml': valuesYaml('x') },
      'other chart',
    );
    await h.argo.reconcileNow();
    app = await getApp('svc');
    expect(app.status.sync).toMatchObject({
      status: 'Synced',
      revision: shaOther,
    });
  });

  it('refuses rollback under auto-sync, allows it after automation is turned off, and goes OutOfSync', async () => {
    const shaA = await h.commit(
      { 'charts/svc/values.yaml': valuesYaml('t1') },
      'A',
    );
    h.images.add('payments-api:t1');
    h.images.add('payments-api:t2');
    await h.request('POST', '/api/v1/applications', { body: h.appSpec('svc') });
    await h.argo.reconcileNow();
    const shaB = await h.commit(
      { 'charts/svc/values.yaml': valuesYaml('t2') },
      'B',
    );
    await h.argo.reconcileNow();
    let app = await getApp('svc');
    expect(app.status.history.map((e: any) => e.revision)).toEqual([
      shaA,
      shaB,
    ]);

    const refused = await h.request(
      'POST',
      '/api/v1/applications/svc/rollback',
      { body: { id: 0 } },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(9);
    expect(refused.body.message).toBe(
      'rollback cannot be initiated when auto-sync is enabled',
    );

    delete app.spec.syncPolicy.automated;
    const put = await h.request('PUT', '/api/v1/applications/svc', {
      body: app,
    });
    expect(put.status).toBe(200);
    expect(put.body.spec.syncPolicy).toEqual({
      syncOptions: ['CreateNamespace=true'],
    });

    h.advance(5000);
    const rolled = await h.request(
      'POST',
      '/api/v1/applications/svc/rollback',
      { body: { id: '0' } },
    );
    expect(rolled.status).toBe(200);
    app = rolled.body;
    expect(app.status.operationState.syncResult.revision).toBe(shaA);
    expect(app.status.history.map((e: any) => e.revision)).toEqual([
      shaA,
      shaB,
      shaA,
    ]);
    expect(app.status.history[2].id).toBe(2);
    expect(app.status.summary.images).toEqual([`${IMAGE}:t1`]);
    expect(app.status.sync).toMatchObject({
      status: 'OutOfSync',
      revision: shaB,
    });

    // Still OutOfSync on later passes: nothing syncs it forward.
    await h.argo.reconcileNow();
    expect((await getApp('svc')).status.sync.status).toBe('OutOfSync');

    // Turning automation back on syncs forward to the target.
    app = await getApp('svc');
    app.spec.syncPolicy.automated = { prune: true };
    await h.request('PUT', '/api/v1/applications/svc', { body: app });
    await h.argo.reconcileNow();
    app = await getApp('svc');
    expect(app.status.sync.status).toBe('Synced');
    expect(app.status.history.map((e: any) => e.revision)).toEqual([
      shaA,
      shaB,
      shaA,
      shaB,
    ]);
  });

  it('merges valueFiles, renders an HPA, and reports a missing value file as ComparisonError', async () => {
    await h.commit(
      {
        'charts/svc/values.yaml': valuesYaml('t1'),
        'charts/svc/values-prod.yaml':
          'image:\n  tag: p1\nautoscaling:\n  enabled: true\n  maxReplicas: 5\n',
      },
      'prod values',
    );
    h.images.add('payments-api:p1');
    await h.request('POST', '/api/v1/applications', {
      body: h.appSpec('svc', { valueFiles: ['values-prod.yaml'] }),
    });
    await h.argo.reconcileNow();
    let app = await getApp('svc');
    expect(app.status.summary.images).toEqual([`${IMAGE}:p1`]);
    expect(app.status.resources.map((r: any) => r.kind).sort()).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'Service',
      'ServiceAccount',
    ]);

    await h.commit({ 'charts/svc/values-prod.yaml': null }, 'drop prod values');
    await h.argo.reconcileNow();
    app = await getApp('svc');
    expect(app.status.sync.status).toBe('Unknown');
    expect(app.status.conditions).toEqual([
      expect.objectContaining({
        type: 'ComparisonError',
        message: expect.stringContaining(
          'charts/svc/values-prod.yaml: no such file or directory',
        ),
      }),
    ]);
    const sync = await h.request('POST', '/api/v1/applications/svc/sync', {
      body: {},
    });
    expect(sync.body.status.operationState.phase).toBe('Error');
    expect(sync.body.status.operationState.message).toContain(
      'no such file or directory',
    );
    expect(sync.body.status.history).toHaveLength(1);

    // A missing chart path is a ComparisonError too.
    app.spec.source.path = 'charts/missing';
    app.spec.source.helm = undefined;
    expect(
      (
        await h.request('PUT', '/api/v1/applications/svc?validate=false', {
          body: app,
        })
      ).status,
    ).toBe(200);
    await h.argo.reconcileNow();
    app = await getApp('svc');
    expect(app.status.conditions[0].message).toContain(
      'charts/missing: app path does not exist',
    );
  });

  it('keeps apps, history and sessions across a restart on the same data folder', async () => {
    const shaA = await h.commit(
      { 'charts/svc/values.yaml': valuesYaml('t1') },
      'A',
    );
    await h.request('POST', '/api/v1/applications', { body: h.appSpec('svc') });
    await h.request('POST', '/api/v1/projects', {
      body: {
        project: { metadata: { name: 'team' }, spec: { sourceRepos: ['*'] } },
      },
    });
    await h.argo.reconcileNow();
    const login = await h.request('POST', '/api/v1/session', {
      token: null,
      body: { username: 'admin', password: 'slipway-sandbox' },
    });
    const before = await getApp('svc');

    await h.restart();

    const after = await h.request('GET', '/api/v1/applications/svc', {
      token: login.body.token,
    });
    expect(after.status).toBe(200);
    expect(after.body.metadata.uid).toBe(before.metadata.uid);
    expect(after.body.status.history).toEqual(before.status.history);
    expect(after.body.status.sync).toMatchObject({
      status: 'Synced',
      revision: shaA,
    });
    expect((await h.request('GET', '/api/v1/projects/team')).status).toBe(200);

    // The live state survived too: a reconcile does not deploy again.
    await h.argo.reconcileNow();
    expect((await getApp('svc')).status.history).toHaveLength(1);
  });

  it('reconciles in the background after a git push when started', async () => {
    await h.commit({ 'charts/svc/values.yaml': valuesYaml('t1') }, 'A');
    await h.request('POST', '/api/v1/applications', { body: h.appSpec('svc') });
    h.argo.start();
    const waitFor = async (pred: (app: any) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const app = await getApp('svc');
        if (pred(app)) return app;
        await new Promise(r => setTimeout(r, 20));
      }
      throw new Error('timed out waiting for the controller');
    };
    await waitFor(a => a.status.history?.length === 1);
    const shaB = await h.commit(
      { 'charts/svc/values.yaml': valuesYaml('t2') },
      'B',
    );
    h.argo.onGitPush(h.repoUrl);
    const app = await waitFor(a => a.status.history?.length === 2);
    expect(app.status.history[1].revision).toBe(shaB);
    h.argo.stop();
  });
});
