/*
 * The sandbox Argo CD's destination clusters: the cluster API (swagger
 * contract), applications refused for a cluster Argo CD does not know, and
 * live state kept per cluster, through Slipway's own Argo CD client
 * (delivery-node) where it has the call.
 */

import { ArgoCdClient } from '@internal/backstage-plugin-delivery-node';
import { Harness, valuesYaml, violations } from './__testUtils__/harness';

const NONPROD =
  'https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.eu-west-1.eks.amazonaws.com';
const PROD =
  'https://F9E8D7C6B5A4938271605F4E3D2C1B0A.gr7.eu-west-1.eks.amazonaws.com';
const IN_CLUSTER = 'https://kubernetes.default.svc';
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api';

/** Node's own fetch, past Jest's network guard (it blocks global fetch). */
const nodeFetch = (require('undici') as { fetch: typeof fetch }).fetch;

describe('Argo CD clusters', () => {
  let h: Harness;
  let argo: ArgoCdClient;

  beforeAll(async () => {
    h = await new Harness().init();
    h.argo.ensureCluster('slipway-nonprod', NONPROD);
    h.argo.ensureCluster('slipway-prod', `${PROD}/`);
    // Both clusters by name and by server, as the seed's project has them.
    h.argo.ensureProject('slipway', {
      sourceRepos: ['*'],
      destinations: [
        { server: IN_CLUSTER, namespace: '*' },
        { name: 'slipway-nonprod', namespace: '*' },
        { server: NONPROD, namespace: '*' },
        { name: 'slipway-prod', namespace: '*' },
        { server: PROD, namespace: '*' },
      ],
    });
    await h.commit(
      {
        'charts/orders/values.yaml': valuesYaml('t2'),
        'charts/orders/values-prod.yaml': 'image:\n  tag: t1\n',
      },
      'Add the orders chart',
    );
    h.images.add('payments-api:t1');
    h.images.add('payments-api:t2');
    argo = new ArgoCdClient({
      instance: {
        name: 'sandbox',
        url: `http://127.0.0.1:${h.port}`,
        token: h.token,
      },
      fetch: nodeFetch,
    });
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(() => {
    // Every response through the harness went through the swagger check.
    if (violations.length) throw new Error(violations.join('\n'));
    if (h.errors.length)
      throw new Error(`sandbox errors: ${h.errors.join('; ')}`);
  });

  /** An Application of the orders chart in namespace `orders`, released as `release`. */
  const orders = (
    name: string,
    destination: { server?: string; name?: string },
    opts: { release?: string; valueFiles?: string[] } = {},
  ) => {
    const app = h.appSpec(name, { project: 'slipway', path: 'charts/orders' });
    return {
      ...app,
      spec: {
        ...app.spec,
        source: {
          ...app.spec.source,
          helm: {
            ...(opts.valueFiles ? { valueFiles: opts.valueFiles } : {}),
            releaseName: opts.release ?? 'orders',
          },
        },
        destination: { ...destination, namespace: 'orders' },
      },
    };
  };

  it('lists in-cluster and the registered clusters, filters them, and gets one by server or by name', async () => {
    const list = await h.request('GET', '/api/v1/clusters');
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: any) => [c.name, c.server])).toEqual([
      ['slipway-nonprod', NONPROD],
      ['slipway-prod', PROD],
      ['in-cluster', IN_CLUSTER],
    ]);
    expect(list.body.items[0]).toEqual({
      name: 'slipway-nonprod',
      server: NONPROD,
      connectionState: {
        status: 'Unknown',
        message: 'Cluster has no applications and is not being monitored.',
        attemptedAt: '2026-03-02T09:00:00Z',
      },
      serverVersion: '1.31',
      info: {
        connectionState: list.body.items[0].connectionState,
        serverVersion: '1.31',
        applicationsCount: 0,
      },
    });

    const names = async (q: string) =>
      (await h.request('GET', `/api/v1/clusters${q}`)).body.items.map(
        (c: any) => c.name,
      );
    expect(await names(`?server=${encodeURIComponent(PROD)}`)).toEqual([
      'slipway-prod',
    ]);
    expect(await names('?name=in-cluster')).toEqual(['in-cluster']);
    expect(await names('?id.type=name&id.value=slipway-nonprod')).toEqual([
      'slipway-nonprod',
    ]);
    expect(await names(`?id.value=${encodeURIComponent(NONPROD)}`)).toEqual([
      'slipway-nonprod',
    ]);
    expect(await names('?name=nope')).toEqual([]);

    const byServer = await h.request(
      'GET',
      `/api/v1/clusters/${encodeURIComponent(PROD)}`,
    );
    expect(byServer.status).toBe(200);
    expect(byServer.body).toMatchObject({ name: 'slipway-prod', server: PROD });
    const byName = await h.request(
      'GET',
      '/api/v1/clusters/slipway-nonprod?id.type=name',
    );
    expect(byName.body).toMatchObject({
      name: 'slipway-nonprod',
      server: NONPROD,
    });
    const local = await h.request(
      'GET',
      `/api/v1/clusters/${encodeURIComponent(IN_CLUSTER)}`,
    );
    expect(local.body.name).toBe('in-cluster');
    const unknown = await h.request(
      'GET',
      '/api/v1/clusters/nope?id.type=name',
    );
    expect(unknown.status).toBe(403);
    expect(unknown.body).toEqual({
      error: 'permission denied',
      code: 7,
      message: 'permission denied',
    });
    expect(h.faults.counters().argocd).toMatchObject({
      'argocd:ClusterService_List': 6,
      'argocd:ClusterService_Get': 4,
    });
  });

  it('refuses an application whose destination server or name is no known cluster, and stores nothing', async () => {
    const byServer = orders('lost', {
      server: 'https://0000.gr7.eu-west-1.eks.amazonaws.com',
    });
    const refused = await h.request('POST', '/api/v1/applications', {
      body: byServer,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: refused.body.message,
      code: 3,
      message:
        'application destination spec for lost is invalid: error getting cluster by server "https://0000.gr7.eu-west-1.eks.amazonaws.com": rpc error: code = NotFound desc = cluster "https://0000.gr7.eu-west-1.eks.amazonaws.com" not found',
    });

    // Slipway's client reports it as bad input, with Argo CD's words.
    await expect(
      argo.createApplication(orders('lost', { name: 'slipway-staging' })),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        "Argo CD 'sandbox': application 'lost': application destination spec for lost is invalid: there are no clusters with this name: slipway-staging",
    });
    expect(await argo.findApplication('lost')).toBeUndefined();
    expect(await argo.listApplications()).toEqual([]);

    // An update to an unknown cluster is refused the same way.
    await argo.createApplication(orders('moving', { name: 'slipway-nonprod' }));
    const moved = await h.request('PUT', '/api/v1/applications/moving', {
      body: orders('moving', { name: 'slipway-qa' }),
    });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toBe(
      'application destination spec for moving is invalid: there are no clusters with this name: slipway-qa',
    );
    expect((await argo.getApplication('moving')).spec.destination).toEqual({
      name: 'slipway-nonprod',
      namespace: 'orders',
    });
    await argo.deleteApplication('moving');
  });

  it('keeps live state per cluster: the same Deployment in the same namespace on two clusters, each Synced and Healthy with its own', async () => {
    // nonprod by name, prod by server; same release, namespace and kinds.
    await argo.createApplication(
      orders('orders-staging', { name: 'slipway-nonprod' }),
    );
    await argo.createApplication(
      orders(
        'orders-prod',
        { server: PROD },
        { valueFiles: ['values-prod.yaml'] },
      ),
    );
    // Another release in the same namespace of the same cluster.
    await argo.createApplication(
      orders(
        'orders-worker',
        { name: 'slipway-nonprod' },
        { release: 'orders-worker' },
      ),
    );
    await h.argo.reconcileNow();
    h.advance(1000);
    await h.argo.reconcileNow();

    const deployment = async (app: string) => {
      const tree = await h.request(
        'GET',
        `/api/v1/applications/${app}/resource-tree`,
      );
      return tree.body.nodes.find((n: any) => n.kind === 'Deployment');
    };
    for (const [app, tag] of [
      ['orders-staging', 't2'],
      ['orders-prod', 't1'],
      ['orders-worker', 't2'],
    ]) {
      const got = await argo.getApplication(app);
      expect(got.status?.sync?.status).toBe('Synced');
      expect(got.status?.health?.status).toBe('Healthy');
      expect(got.status?.summary?.images).toEqual([`${IMAGE}:${tag}`]);
    }
    const staging = await deployment('orders-staging');
    const prod = await deployment('orders-prod');
    expect(staging).toMatchObject({ namespace: 'orders', name: 'orders' });
    expect(prod).toMatchObject({ namespace: 'orders', name: 'orders' });
    expect(staging?.uid).not.toBe(prod?.uid);
    expect((await deployment('orders-worker'))?.name).toBe('orders-worker');

    // Cluster info counts the applications deploying to each.
    const clusters = await h.request('GET', '/api/v1/clusters');
    expect(
      clusters.body.items.map((c: any) => [
        c.name,
        c.info.applicationsCount,
        c.info.connectionState.status,
      ]),
    ).toEqual([
      ['slipway-nonprod', 2, 'Successful'],
      ['slipway-prod', 1, 'Successful'],
      ['in-cluster', 0, 'Unknown'],
    ]);

    // A new prod rollout leaves staging's live objects alone.
    await h.commit(
      { 'charts/orders/values-prod.yaml': 'image:\n  tag: t2\n' },
      'Promote orders t2 to prod',
    );
    await h.argo.reconcileNow();
    expect(
      (await argo.getApplication('orders-prod')).status?.summary?.images,
    ).toEqual([`${IMAGE}:t2`]);
    const stagingApp = await argo.getApplication('orders-staging');
    expect(stagingApp.status?.history).toHaveLength(1);
    expect((await deployment('orders-staging'))?.resourceVersion).toBe(
      staging?.resourceVersion,
    );

    // Moved to another cluster, an application finds nothing of its own
    // there until it syncs (the old cluster's objects are not its live state).
    const worker = await argo.getApplication('orders-worker');
    await argo.updateApplication({
      ...worker,
      spec: {
        ...worker.spec,
        destination: { name: 'slipway-prod', namespace: 'orders' },
        syncPolicy: { syncOptions: ['CreateNamespace=true'] },
      },
    });
    await h.argo.reconcileNow();
    const movedApp = await argo.getApplication('orders-worker');
    expect(movedApp.status?.sync?.status).toBe('OutOfSync');
    expect(movedApp.status?.health?.status).toBe('Missing');
    expect((await argo.getResourceTree('orders-worker')).nodes).toEqual([]);
    const resynced = await argo.sync('orders-worker');
    expect(resynced.status?.sync?.status).toBe('Synced');
    expect((await deployment('orders-worker'))?.name).toBe('orders-worker');
  });
});
