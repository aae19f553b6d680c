import { Harness, valuesYaml, violations } from './__testUtils__/harness';

const CHART = `apiVersion: v2
name: payments-api
version: 0.1.0
appVersion: "1.0.0"
`;

describe('Argo CD API (swagger contract)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await new Harness().init();
    await h.commit(
      {
        'charts/payments-api/Chart.yaml': CHART,
        'charts/payments-api/values.yaml': valuesYaml('t1'),
        'charts/ledger/Chart.yaml': CHART.replace('payments-api', 'ledger'),
        'charts/ledger/values.yaml': valuesYaml('l1'),
      },
      'Add charts',
    );
    h.images.add('payments-api:t1');
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(() => {
    // Every response in every test went through the swagger check.
    if (violations.length) throw new Error(violations.join('\n'));
    if (h.errors.length)
      throw new Error(`sandbox errors: ${h.errors.join('; ')}`);
  });

  it('answers /api/version with and without a session', async () => {
    const anon = await h.request('GET', '/api/version', { token: null });
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({ Version: 'v3.6.0+sandbox' });
    const full = await h.request('GET', '/api/version');
    expect(full.body.Version).toBe('v3.6.0+sandbox');
    expect(full.body.HelmVersion).toMatch(/^v3\./);
  });

  it('requires a session token and issues one for the admin password', async () => {
    const none = await h.request('GET', '/api/v1/applications', {
      token: null,
    });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: 'no session information',
      code: 16,
      message: 'no session information',
    });

    const bad = await h.request('GET', '/api/v1/applications', {
      token: 'not-a-token',
    });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe(16);
    expect(bad.body.message).toMatch(/^invalid session: /);

    const forged =
      h.token.slice(0, -4) + (h.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(
      (await h.request('GET', '/api/v1/projects', { token: forged })).status,
    ).toBe(401);

    const wrong = await h.request('POST', '/api/v1/session', {
      token: null,
      body: { username: 'admin', password: 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: 'Invalid username or password',
      code: 16,
      message: 'Invalid username or password',
    });

    const login = await h.request('POST', '/api/v1/session', {
      token: null,
      body: { username: 'admin', password: 'slipway-sandbox' },
    });
    expect(login.status).toBe(200);
    expect(typeof login.body.token).toBe('string');
    expect(login.body.token.split('.')).toHaveLength(3);

    const ok = await h.request('GET', '/api/v1/applications', {
      token: login.body.token,
    });
    expect(ok.status).toBe(200);
    const viaCookie = await h.request('GET', '/api/v1/projects', {
      token: null,
      headers: { cookie: `foo=bar; argocd.token=${login.body.token}` },
    });
    expect(viaCookie.status).toBe(200);

    const info = await h.request('GET', '/api/v1/session/userinfo', {
      token: login.body.token,
    });
    expect(info.body).toEqual({
      loggedIn: true,
      username: 'admin',
      iss: 'argocd',
      groups: [],
    });
    const anonInfo = await h.request('GET', '/api/v1/session/userinfo', {
      token: null,
    });
    expect(anonInfo.body).toEqual({ loggedIn: false });

    // Logging out revokes the token.
    expect(
      (
        await h.request('DELETE', '/api/v1/session', {
          token: login.body.token,
        })
      ).status,
    ).toBe(200);
    expect(
      (await h.request('GET', '/api/v1/projects', { token: login.body.token }))
        .status,
    ).toBe(401);

    // Tokens expire after 24 hours.
    const shortLived = h.argo.issueToken();
    h.advance(24 * 3600 * 1000 + 1000);
    const expired = await h.request('GET', '/api/v1/projects', {
      token: shortLived,
    });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toContain('expired');
    h.token = h.argo.issueToken();
  });

  it('creates applications idempotently, refuses a different spec, and upserts', async () => {
    const app = h.appSpec('payments-api');
    const created = await h.request('POST', '/api/v1/applications', {
      body: app,
    });
    expect(created.status).toBe(200);
    expect(created.body.metadata).toMatchObject({
      name: 'payments-api',
      namespace: 'argocd',
      labels: app.metadata.labels,
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
      generation: 1,
    });
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.spec).toEqual(app.spec);

    const again = await h.request('POST', '/api/v1/applications', {
      body: app,
    });
    expect(again.status).toBe(200);
    expect(again.body.metadata.uid).toBe(created.body.metadata.uid);
    expect(again.body.metadata.resourceVersion).toBe(
      created.body.metadata.resourceVersion,
    );

    const changed = h.appSpec('payments-api');
    changed.spec.destination.namespace = 'payments';
    const conflict = await h.request('POST', '/api/v1/applications', {
      body: changed,
    });
    expect(conflict.status).toBe(400);
    expect(conflict.body).toEqual({
      error:
        'existing application spec is different, use upsert flag to force update',
      code: 3,
      message:
        'existing application spec is different, use upsert flag to force update',
    });

    const upserted = await h.request(
      'POST',
      '/api/v1/applications?upsert=true',
      { body: changed },
    );
    expect(upserted.status).toBe(200);
    expect(upserted.body.spec.destination.namespace).toBe('payments');
    expect(upserted.body.metadata.generation).toBe(2);
    expect(upserted.body.metadata.uid).toBe(created.body.metadata.uid);

    // Put it back for the tests below.
    await h.request('POST', '/api/v1/applications?upsert=true', { body: app });
  });

  it('validates new applications with Argo CD messages', async () => {
    const cases: Array<[any, RegExp]> = [
      [
        { ...h.appSpec('x'), metadata: { name: 'Bad_Name' } },
        /metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
      ],
      [
        {
          ...h.appSpec('x'),
          spec: { ...h.appSpec('x').spec, source: undefined },
        },
        /spec\.source\.repoURL and either spec\.source\.path or spec\.source\.chart are required/,
      ],
      [
        {
          ...h.appSpec('x'),
          spec: { ...h.appSpec('x').spec, destination: { namespace: 'x' } },
        },
        /Destination server missing from app spec/,
      ],
      [
        h.appSpec('x', { project: 'nope' }),
        /app is not allowed in project "nope", or the project does not exist/,
      ],
      [
        h.appSpec('x', { path: 'charts/absent' }),
        /Unable to generate manifests in charts\/absent: .*app path does not exist/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await h.request('POST', '/api/v1/applications', { body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(3);
      expect(res.body.message).toMatch(message);
    }
    // validate=false skips the manifest check.
    const unchecked = await h.request(
      'POST',
      '/api/v1/applications?validate=false',
      {
        body: h.appSpec('later', { path: 'charts/later' }),
      },
    );
    expect(unchecked.status).toBe(200);
    expect(
      (await h.request('DELETE', '/api/v1/applications/later')).status,
    ).toBe(200);
  });

  it('enforces project source repos and destinations', async () => {
    const project = {
      metadata: { name: 'payments' },
      spec: {
        description: 'Payments team',
        sourceRepos: ['http://127.0.0.1:1/acme/*'],
        destinations: [
          { server: 'https://kubernetes.default.svc', namespace: 'payments-*' },
        ],
      },
    };
    const created = await h.request('POST', '/api/v1/projects', {
      body: { project },
    });
    expect(created.status).toBe(200);
    expect(created.body.metadata).toMatchObject({
      name: 'payments',
      namespace: 'argocd',
    });

    const same = await h.request('POST', '/api/v1/projects', {
      body: { project },
    });
    expect(same.body.metadata.uid).toBe(created.body.metadata.uid);
    const different = await h.request('POST', '/api/v1/projects', {
      body: {
        project: { ...project, spec: { ...project.spec, sourceRepos: ['*'] } },
      },
    });
    expect(different.status).toBe(400);
    expect(different.body.message).toBe(
      'existing project spec is different, use upsert flag to force update',
    );

    const wrongNs = h.appSpec('ledger', { project: 'payments' });
    const denied = await h.request('POST', '/api/v1/applications', {
      body: wrongNs,
    });
    expect(denied.status).toBe(400);
    expect(denied.body.message).toBe(
      "application spec for ledger is invalid: InvalidSpecError: application destination server 'https://kubernetes.default.svc' and namespace 'ledger' do not match any of the allowed destinations in project 'payments'",
    );
    const otherRepo = h.appSpec('ledger', { project: 'payments' });
    otherRepo.spec.destination.namespace = 'payments-ledger';
    otherRepo.spec.source.repoURL = 'https://github.com/evil/charts.git';
    const repoDenied = await h.request(
      'POST',
      '/api/v1/applications?validate=false',
      { body: otherRepo },
    );
    expect(repoDenied.status).toBe(400);
    expect(repoDenied.body.message).toContain(
      "application repo https://github.com/evil/charts.git is not permitted in project 'payments'",
    );

    const allowed = h.appSpec('ledger', {
      project: 'payments',
      automated: false,
    });
    allowed.spec.destination.namespace = 'payments-ledger';
    expect(
      (await h.request('POST', '/api/v1/applications', { body: allowed }))
        .status,
    ).toBe(200);

    const list = await h.request('GET', '/api/v1/projects');
    expect(list.body.items.map((p: any) => p.metadata.name)).toEqual([
      'default',
      'payments',
    ]);
    const got = await h.request('GET', '/api/v1/projects/payments');
    expect(got.body.spec.sourceRepos).toEqual(['http://127.0.0.1:1/acme/*']);
    const missing = await h.request('GET', '/api/v1/projects/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: 'appprojects.argoproj.io "nope" not found',
      code: 5,
      message: 'appprojects.argoproj.io "nope" not found',
    });

    const updated = await h.request('PUT', '/api/v1/projects/payments', {
      body: {
        project: {
          ...got.body,
          spec: { ...got.body.spec, description: 'Payments' },
        },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.spec.description).toBe('Payments');

    const inUse = await h.request('DELETE', '/api/v1/projects/payments');
    expect(inUse.status).toBe(400);
    expect(inUse.body.code).toBe(9);
  });

  it('gets and lists applications with filters', async () => {
    const got = await h.request('GET', '/api/v1/applications/payments-api');
    expect(got.status).toBe(200);
    expect(got.body.metadata.name).toBe('payments-api');

    const missing = await h.request('GET', '/api/v1/applications/nope');
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual({
      error: 'permission denied',
      code: 7,
      message: 'permission denied',
    });
    const missingInProject = await h.request(
      'GET',
      '/api/v1/applications/nope?project=default',
    );
    expect(missingInProject.status).toBe(404);
    expect(missingInProject.body.message).toBe(
      'applications.argoproj.io "nope" not found',
    );

    const names = async (q: string) =>
      (await h.request('GET', `/api/v1/applications${q}`)).body.items.map(
        (a: any) => a.metadata.name,
      );
    expect(await names('')).toEqual(['ledger', 'payments-api']);
    expect(await names('?projects=payments')).toEqual(['ledger']);
    expect(
      await names('?selector=backstage.io/component%3Dpayments-api'),
    ).toEqual(['payments-api']);
    expect(
      await names('?selector=team%3Dpayments,backstage.io/component!%3Dledger'),
    ).toEqual(['payments-api']);
    expect(await names('?selector=team%20in%20(payments,core)')).toEqual([
      'ledger',
      'payments-api',
    ]);
    expect(await names('?name=ledger')).toEqual(['ledger']);
    expect(await names(`?repo=${encodeURIComponent(h.repoUrl)}`)).toEqual([
      'ledger',
      'payments-api',
    ]);
    expect(await names('?repo=https://github.com/other/repo')).toEqual([]);
  });

  it('syncs, and serves the resource tree, managed resources and revision metadata', async () => {
    const synced = await h.request('POST', '/api/v1/applications/ledger/sync', {
      body: {
        prune: false,
        dryRun: false,
        strategy: { hook: { force: true } },
        resources: null,
      },
    });
    expect(synced.status).toBe(200);
    const app = synced.body;
    expect(app.status.sync.status).toBe('Synced');
    expect(app.status.operationState.phase).toBe('Succeeded');
    expect(app.status.operationState.operation.initiatedBy).toEqual({
      username: 'admin',
    });
    expect(app.status.history).toHaveLength(1);
    expect(app.status.history[0].id).toBe(0);

    const tree = await h.request(
      'GET',
      '/api/v1/applications/ledger/resource-tree',
    );
    expect(tree.status).toBe(200);
    const kinds = tree.body.nodes.map((n: any) => n.kind).sort();
    // replicaCount: 2 runs two pods of one ReplicaSet.
    expect(kinds).toEqual([
      'Deployment',
      'Pod',
      'Pod',
      'ReplicaSet',
      'Service',
      'ServiceAccount',
    ]);
    const pod = tree.body.nodes.find((n: any) => n.kind === 'Pod');
    expect(pod.images).toEqual([
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:l1',
    ]);
    expect(pod.namespace).toBe('payments-ledger');

    const managed = await h.request(
      'GET',
      '/api/v1/applications/ledger/managed-resources',
    );
    expect(managed.body.items).toHaveLength(3);
    expect(managed.body.items.every((i: any) => i.modified === false)).toBe(
      true,
    );

    const sha = app.status.sync.revision;
    const meta = await h.request(
      'GET',
      `/api/v1/applications/ledger/revisions/${sha}/metadata`,
    );
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({
      author: 'Dana Developer <dana@acme.example>',
      message: 'Add charts',
    });
    expect(new Date(meta.body.date).getTime()).not.toBeNaN();

    const unknownRev = await h.request(
      'GET',
      '/api/v1/applications/ledger/revisions/0123abcd/metadata',
    );
    expect(unknownRev.status).toBe(500);
    expect(unknownRev.body.code).toBe(2);

    const rollback = await h.request(
      'POST',
      '/api/v1/applications/payments-api/rollback',
      { body: { id: 0 } },
    );
    expect(rollback.status).toBe(400);
    expect(rollback.body).toEqual({
      error: 'rollback cannot be initiated when auto-sync is enabled',
      code: 9,
      message: 'rollback cannot be initiated when auto-sync is enabled',
    });
    const noSuchDeployment = await h.request(
      'POST',
      '/api/v1/applications/ledger/rollback',
      { body: { id: 7 } },
    );
    expect(noSuchDeployment.status).toBe(400);
    expect(noSuchDeployment.body.message).toBe(
      'application ledger does not have deployment with id 7',
    );

    const pinned = await h.request(
      'POST',
      '/api/v1/applications/payments-api/sync',
      { body: { revision: 'abc123' } },
    );
    expect(pinned.status).toBe(400);
    expect(pinned.body.message).toBe(
      'Cannot sync to abc123: auto-sync currently set to main',
    );
  });

  it('updates with PUT and deletes', async () => {
    const got = (await h.request('GET', '/api/v1/applications/ledger')).body;
    got.spec.source.helm = {
      parameters: [{ name: 'replicaCount', value: '3' }],
    };
    got.metadata.labels = { team: 'core' };
    const put = await h.request('PUT', '/api/v1/applications/ledger', {
      body: got,
    });
    expect(put.status).toBe(200);
    expect(put.body.spec.source.helm.parameters).toEqual([
      { name: 'replicaCount', value: '3' },
    ]);
    expect(put.body.metadata.labels).toEqual({ team: 'core' });
    expect(put.body.metadata.generation).toBe(2);

    const refreshed = await h.request(
      'GET',
      '/api/v1/applications/ledger?refresh=normal',
    );
    expect(refreshed.body.status.sync.status).toBe('OutOfSync');
    const deployment = refreshed.body.status.resources.find(
      (r: any) => r.kind === 'Deployment',
    );
    expect(deployment.status).toBe('OutOfSync');

    const badPut = await h.request('PUT', '/api/v1/applications/nope', {
      body: got,
    });
    expect(badPut.status).toBe(403);

    const del = await h.request(
      'DELETE',
      '/api/v1/applications/ledger?cascade=true',
    );
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect((await h.request('GET', '/api/v1/applications/ledger')).status).toBe(
      403,
    );
    expect(
      (
        await h.request(
          'DELETE',
          '/api/v1/applications/ledger?project=payments',
        )
      ).status,
    ).toBe(404);

    expect(
      (await h.request('DELETE', '/api/v1/projects/payments')).status,
    ).toBe(200);
    expect((await h.request('GET', '/api/v1/projects/payments')).status).toBe(
      404,
    );
  });

  it('counts requests per swagger operationId and renders injected faults', async () => {
    const counters = h.faults.counters().argocd;
    expect(counters['argocd:ApplicationService_List']).toBeGreaterThan(0);
    expect(counters['argocd:ApplicationService_Create']).toBeGreaterThan(0);
    expect(counters['argocd:SessionService_Create']).toBeGreaterThan(0);

    h.faults.set({ argocd: { errorRate: 1, errorStatuses: [503] } });
    try {
      const res = await h.request('GET', '/api/v1/applications');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: 'injected fault: 503',
        code: 14,
        message: 'injected fault: 503',
      });
    } finally {
      h.faults.clear();
    }
  });
});
