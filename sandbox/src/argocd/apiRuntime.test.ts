/*
 * The runtime endpoints of the Argo CD stand-in (GetResource,
 * ListResourceActions, RunResourceAction v1 and v2, ListResourceEvents),
 * every response checked against the swagger; the live Rollout and
 * AnalysisRun also against Argo Rollouts' CRD schemas.
 */

import Ajv, { ValidateFunction } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Harness, violations } from './__testUtils__/harness';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api';
const SPECS = path.resolve(__dirname, '../../../specs');

/** A CRD's schema, closed like the swagger's: no field the CRD does not declare. */
function crdValidator(file: string): ValidateFunction {
  const crd = parse(fs.readFileSync(path.join(SPECS, file), 'utf8'));
  const schema = crd.spec.versions[0].schema.openAPIV3Schema;
  const close = (node: any): void => {
    if (Array.isArray(node)) {
      node.forEach(close);
      return;
    }
    if (!node || typeof node !== 'object') return;
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
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

function values(tag: string, strategy: 'canary' | 'rolling') {
  return `replicaCount: 2
image:
  repository: ${REPO}
  tag: ${tag}
service:
  port: 80
rollout:
  strategy: ${strategy}
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 4
  targetCPUUtilizationPercentage: 70
`;
}

describe('Argo CD API: live resources, actions and events (swagger contract)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await new Harness().init();
    h.images.add('payments-api:t1');
    h.images.add('payments-api:t2');
    await h.commit(
      {
        'charts/canary/values.yaml': values('t1', 'canary'),
        'charts/rolling/values.yaml': values('t1', 'rolling'),
      },
      'two services',
    );
    for (const name of ['canary', 'rolling']) {
      await h.request('POST', '/api/v1/applications', {
        body: h.appSpec(name),
      });
    }
    await h.argo.reconcileNow();
    h.advance(1000);
    await h.argo.reconcileNow();
    // canary: a second revision paused at its pause step, analysis running.
    await h.commit(
      { 'charts/canary/values.yaml': values('t2', 'canary') },
      'canary: t2',
    );
    await h.argo.reconcileNow();
    h.advance(1000);
    await h.argo.reconcileNow();
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(() => {
    if (violations.length) throw new Error(violations.join('\n'));
    if (h.errors.length)
      throw new Error(`sandbox errors: ${h.errors.join('; ')}`);
  });

  const nodes = async (app: string) => {
    const res = await h.request(
      'GET',
      `/api/v1/applications/${app}/resource-tree`,
    );
    expect(res.status).toBe(200);
    return res.body.nodes as any[];
  };
  const query = (n: any) =>
    new URLSearchParams({
      namespace: n.namespace,
      resourceName: n.name,
      version: n.version,
      group: n.group,
      kind: n.kind,
    }).toString();

  it('serves a tree of the workload, its ReplicaSets, Pods, HPA, Services and analysis', async () => {
    const canary = await nodes('canary');
    const kinds = [...new Set(canary.map(n => n.kind))].sort();
    expect(kinds).toEqual([
      'AnalysisRun',
      'AnalysisTemplate',
      'HorizontalPodAutoscaler',
      'Pod',
      'ReplicaSet',
      'Rollout',
      'Service',
      'ServiceAccount',
    ]);
    const sets = canary.filter(n => n.kind === 'ReplicaSet');
    expect(sets).toHaveLength(2);
    for (const rs of sets) {
      expect(rs.parentRefs).toEqual([
        expect.objectContaining({ kind: 'Rollout', name: 'canary' }),
      ]);
      expect(rs.info).toEqual([
        { name: 'Revision', value: expect.stringMatching(/^Rev:[12]$/) },
      ]);
    }
    for (const pod of canary.filter(n => n.kind === 'Pod')) {
      expect(sets.map(s => s.uid)).toContain(pod.parentRefs[0].uid);
      expect(pod.health.status).toBe('Healthy');
      expect(pod.images).toHaveLength(1);
    }
    const hpa = canary.find(n => n.kind === 'HorizontalPodAutoscaler');
    expect(hpa.health.status).toBe('Healthy');
    const services = canary.filter(n => n.kind === 'Service');
    expect(services.map(s => s.name).sort()).toEqual([
      'canary',
      'canary-canary',
    ]);
    const rolling = await nodes('rolling');
    expect([...new Set(rolling.map(n => n.kind))].sort()).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'Pod',
      'ReplicaSet',
      'Service',
      'ServiceAccount',
    ]);
  });

  it('answers GetResource with the live object as a JSON string; the Rollout and AnalysisRun match their CRDs', async () => {
    const canary = await nodes('canary');
    const rolloutNode = canary.find(n => n.kind === 'Rollout');
    const res = await h.request(
      'GET',
      `/api/v1/applications/canary/resource?${query(rolloutNode)}`,
    );
    expect(res.status).toBe(200);
    expect(typeof res.body.manifest).toBe('string');
    const ro = JSON.parse(res.body.manifest);
    expect(ro).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'canary', namespace: 'canary', uid: rolloutNode.uid },
      status: { phase: 'Paused', currentStepIndex: 1 },
    });
    // The HPA owns the count: it targets the Rollout.
    const hpaNode = canary.find(n => n.kind === 'HorizontalPodAutoscaler');
    const hpa = JSON.parse(
      (
        await h.request(
          'GET',
          `/api/v1/applications/canary/resource?${query(hpaNode)}`,
        )
      ).body.manifest,
    );
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'canary',
    });
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(70);

    const validRollout = crdValidator('argo-rollouts-1.10-rollout-crd.yaml');
    expect(validRollout(ro) ? [] : validRollout.errors).toEqual([]);
    const runNode = canary.find(n => n.kind === 'AnalysisRun');
    const run = JSON.parse(
      (
        await h.request(
          'GET',
          `/api/v1/applications/canary/resource?${query(runNode)}`,
        )
      ).body.manifest,
    );
    const validRun = crdValidator('argo-rollouts-1.10-analysis-run-crd.yaml');
    expect(validRun(run) ? [] : validRun.errors).toEqual([]);
    const templateNode = canary.find(n => n.kind === 'AnalysisTemplate');
    const template = JSON.parse(
      (
        await h.request(
          'GET',
          `/api/v1/applications/canary/resource?${query(templateNode)}`,
        )
      ).body.manifest,
    );
    const validTemplate = crdValidator(
      'argo-rollouts-1.10-analysis-template-crd.yaml',
    );
    expect(validTemplate(template) ? [] : validTemplate.errors).toEqual([]);
  });

  it('refuses an object that is not part of the application as Argo CD does', async () => {
    const missing = await h.request(
      'GET',
      '/api/v1/applications/canary/resource?namespace=canary&resourceName=nope&version=v1&group=&kind=Pod',
    );
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: 'Pod  nope not found as part of application canary',
      code: 3,
      message: 'Pod  nope not found as part of application canary',
    });
    // An object of another application is not this one's.
    const other = (await nodes('rolling')).find(n => n.kind === 'Deployment');
    const foreign = await h.request(
      'GET',
      `/api/v1/applications/canary/resource?${query(other)}`,
    );
    expect(foreign.status).toBe(400);
    // An unknown application: permission denied, as for every app call.
    expect(
      (
        await h.request(
          'GET',
          `/api/v1/applications/nope/resource?${query(other)}`,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await h.request(
          'GET',
          `/api/v1/applications/rolling/resource?${query(other)}`,
          { token: null },
        )
      ).status,
    ).toBe(401);
  });

  it("lists actions from Argo CD's discovery scripts", async () => {
    const canary = await nodes('canary');
    const list = async (app: string, n: any) =>
      (
        await h.request(
          'GET',
          `/api/v1/applications/${app}/resource/actions?${query(n)}`,
        )
      ).body.actions;
    const rolloutActions = await list(
      'canary',
      canary.find(n => n.kind === 'Rollout'),
    );
    expect(rolloutActions).toContainEqual({
      name: 'restart',
      disabled: false,
      displayName: 'Restart Pods',
    });
    expect(
      Object.fromEntries(rolloutActions.map((a: any) => [a.name, a.disabled])),
    ).toEqual({
      restart: false,
      resume: false,
      abort: false,
      retry: true,
      pause: false,
      'promote-full': false,
      'skip-current-step': false,
    });
    const deployment = (await nodes('rolling')).find(
      n => n.kind === 'Deployment',
    );
    expect(await list('rolling', deployment)).toEqual([
      { name: 'restart', disabled: false, iconClass: 'fa fa-fw fa-redo' },
      { name: 'pause', disabled: false, iconClass: 'fa fa-fw fa-pause-circle' },
      { name: 'resume', disabled: true, iconClass: 'fa fa-fw fa-play-circle' },
      {
        name: 'scale',
        disabled: false,
        iconClass: 'fa fa-fw fa-plus-circle',
        params: [{ name: 'replicas' }],
      },
    ]);
    const service = canary.find(n => n.kind === 'Service');
    expect(await list('canary', service)).toEqual([]);
  });

  it('runs actions, refuses one without a script, and runs a disabled one as Argo CD does', async () => {
    const deployment = (await nodes('rolling')).find(
      n => n.kind === 'Deployment',
    );
    const v2 = (action: string, n: any, extra: object = {}) =>
      h.request('POST', '/api/v1/applications/rolling/resource/actions/v2', {
        body: {
          name: 'rolling',
          namespace: n.namespace,
          resourceName: n.name,
          version: n.version,
          group: n.group,
          kind: n.kind,
          action,
          ...extra,
        },
      });
    const before = h.faults.mutations().argocd ?? {};

    const unknown = await v2('promote-full', deployment);
    expect(unknown.status).toBe(500);
    expect(unknown.body).toMatchObject({
      code: 2,
      message:
        'error getting Lua resource action: built-in script does not exist',
    });
    const badParam = await v2('scale', deployment, {
      resourceActionParameters: [{ name: 'replicas', value: 'many' }],
    });
    expect(badParam.status).toBe(500);
    expect(badParam.body.message).toBe(
      'error executing Lua resource action: invalid number: many',
    );

    // resume is disabled on a Deployment that is not paused. Argo CD's API
    // does not check discovery's `disabled` (its UI does): it runs the
    // script, which changes nothing here.
    const disabled = await v2('resume', deployment);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({});

    const paused = await v2('pause', deployment);
    expect(paused.status).toBe(200);
    const node = (await nodes('rolling')).find(n => n.kind === 'Deployment');
    expect(node.health).toEqual({
      status: 'Suspended',
      message: 'Deployment is paused',
    });
    const app = (await h.request('GET', '/api/v1/applications/rolling')).body;
    expect(app.status.health.status).toBe('Suspended');
    // A field the chart does not set is not drift.
    expect(app.status.sync.status).toBe('Synced');
    expect((await v2('resume', deployment)).status).toBe(200);

    const after = h.faults.mutations().argocd;
    expect(after['argocd:ApplicationService_RunResourceActionV2']).toBe(
      (before['argocd:ApplicationService_RunResourceActionV2'] ?? 0) + 5,
    );
    expect(after['argocd:ApplicationService_GetResource']).toBeUndefined();
    expect(
      h.faults.counters().argocd['argocd:ApplicationService_GetResource'],
    ).toBeGreaterThan(0);

    // restart recreates the pods: a new ReplicaSet rolls out.
    expect((await v2('restart', deployment)).status).toBe(200);
    const sets = (await nodes('rolling')).filter(n => n.kind === 'ReplicaSet');
    expect(sets).toHaveLength(2);
    h.advance(1000);
    await h.argo.reconcileNow();
    const rolled = (await nodes('rolling')).filter(n => n.kind === 'Pod');
    expect(rolled).toHaveLength(2);
    expect(new Set(rolled.map(p => p.parentRefs[0].name)).size).toBe(1);

    // The v1 endpoint takes the name as a JSON string.
    const v1 = await h.request(
      'POST',
      `/api/v1/applications/rolling/resource/actions?${query(deployment)}`,
      { body: { action: 'restart' } },
    );
    expect(v1.status).toBe(400);
    expect(v1.body.code).toBe(3);
  });

  it("lists an object's events and the application's own", async () => {
    const rolloutNode = (await nodes('canary')).find(n => n.kind === 'Rollout');
    const res = await h.request(
      'GET',
      `/api/v1/applications/canary/events?${new URLSearchParams({
        resourceName: rolloutNode.name,
        resourceNamespace: rolloutNode.namespace,
        resourceUID: rolloutNode.uid,
      })}`,
    );
    expect(res.status).toBe(200);
    const paused = res.body.items.find(
      (e: any) => e.reason === 'RolloutPaused',
    );
    expect(paused).toMatchObject({
      type: 'Normal',
      message: 'Rollout is paused (CanaryPauseStep)',
      count: 1,
      involvedObject: {
        kind: 'Rollout',
        name: 'canary',
        namespace: 'canary',
        uid: rolloutNode.uid,
      },
      source: { component: 'rollouts-controller' },
    });
    expect(paused.firstTimestamp).toBe(paused.lastTimestamp);

    const wrongUid = await h.request(
      'GET',
      `/api/v1/applications/canary/events?resourceName=canary&resourceNamespace=canary&resourceUID=nope`,
    );
    expect(wrongUid.status).toBe(400);
    expect(wrongUid.body.message).toBe(
      'canary not found as part of application canary',
    );

    const own = await h.request('GET', '/api/v1/applications/rolling/events');
    expect(own.status).toBe(200);
    const reasons = own.body.items.map((e: any) => e.reason);
    expect(reasons).toContain('OperationCompleted');
    expect(reasons).toContain('ResourceActionRan');
    const ran = own.body.items.filter(
      (e: any) => e.reason === 'ResourceActionRan',
    );
    expect(ran.map((e: any) => e.message)).toContain(
      'admin ran action pause on resource apps/Deployment/rolling',
    );
    expect(ran[0].involvedObject).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      name: 'rolling',
      namespace: 'argocd',
    });
  });
});
