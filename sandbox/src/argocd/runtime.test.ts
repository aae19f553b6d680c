/*
 * The runtime model behind the Argo CD stand-in, walked with the injected
 * clock through the API (every response checked against the swagger): a
 * canary step by step, promote-full, a failing analysis, a crash loop and
 * its rollback, HPA load, and drift put back by self-heal.
 */

import { git } from '../git';
import { Harness, violations } from './__testUtils__/harness';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api';
const P = 1000; // the harness's progressing time

/** values.yaml of a service on the canary strategy (the agreed values shape). */
function canaryValues(tag: string, replicas = 4) {
  return `replicaCount: ${replicas}
image:
  repository: ${REPO}
  tag: ${tag}
service:
  port: 80
  targetPort: 8080
resources:
  requests:
    cpu: 100m
    memory: 128Mi
rollout:
  strategy: canary
  canary:
    steps:
      - setWeight: 20
      - pause: {}
      - setWeight: 50
      - pause: { duration: 30s }
    analysis:
      enabled: true
      startingStep: 1
      path: /readyz
      interval: 10s
      count: 3
      failureLimit: 1
`;
}

function rollingValues(tag: string, extra = '') {
  return `replicaCount: 2
image:
  repository: ${REPO}
  tag: ${tag}
service:
  port: 80
  targetPort: 8080
${extra}`;
}

describe('Argo CD runtime model', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await new Harness().init();
  });

  afterEach(async () => {
    await h.close();
    if (violations.length) throw new Error(violations.join('\n'));
    if (h.errors.length)
      throw new Error(`sandbox errors: ${h.errors.join('; ')}`);
  });

  const app = async (name = 'svc') =>
    (await h.request('GET', `/api/v1/applications/${name}`)).body;
  const tree = async (name = 'svc') =>
    (await h.request('GET', `/api/v1/applications/${name}/resource-tree`)).body
      .nodes as any[];
  const resourceQuery = (n: any) =>
    `namespace=${n.namespace}&resourceName=${n.name}&version=${n.version}&group=${n.group}&kind=${n.kind}`;
  const live = async (node: any, name = 'svc') => {
    const res = await h.request(
      'GET',
      `/api/v1/applications/${name}/resource?${resourceQuery(node)}`,
    );
    expect(res.status).toBe(200);
    return JSON.parse(res.body.manifest);
  };
  const rolloutNode = async () =>
    (await tree()).find(n => n.kind === 'Rollout');
  const rollout = async () => live(await rolloutNode());
  const actions = async (node: any) => {
    const res = await h.request(
      'GET',
      `/api/v1/applications/svc/resource/actions?${resourceQuery(node)}`,
    );
    expect(res.status).toBe(200);
    return Object.fromEntries(
      res.body.actions.map((a: any) => [a.name, !!a.disabled]),
    );
  };
  const runAction = async (node: any, action: string) => {
    const res = await h.request(
      'POST',
      '/api/v1/applications/svc/resource/actions/v2',
      {
        body: {
          name: 'svc',
          namespace: node.namespace,
          resourceName: node.name,
          version: node.version,
          group: node.group,
          kind: node.kind,
          action,
        },
      },
    );
    expect(res.status).toBe(200);
  };
  const events = async (node: any) => {
    const res = await h.request(
      'GET',
      `/api/v1/applications/svc/events?resourceName=${node.name}&resourceNamespace=${node.namespace}&resourceUID=${node.uid}`,
    );
    expect(res.status).toBe(200);
    return res.body.items as any[];
  };
  const pass = async (ms = 0) => {
    h.advance(ms);
    await h.argo.reconcileNow();
  };
  const podImages = (nodes: any[]) =>
    nodes
      .filter(n => n.kind === 'Pod')
      .flatMap(n => n.images)
      .map((i: string) => i.split(':').pop())
      .sort();

  /** An app on canary, first deployed with t1 and Healthy. */
  async function healthyCanary() {
    h.images.add('payments-api:t1');
    h.images.add('payments-api:t2');
    await h.commit(
      { 'charts/svc/values.yaml': canaryValues('t1') },
      'svc: canary, t1',
    );
    await h.request('POST', '/api/v1/applications', {
      body: h.appSpec('svc'),
    });
    await pass();
    // A first deploy skips the steps: promoted at once, Healthy when the pods are.
    let ro = await rollout();
    expect(ro.status.phase).toBe('Progressing');
    expect(ro.status.stableRS).toBe(ro.status.currentPodHash);
    await pass(P);
    ro = await rollout();
    expect(ro.status.phase).toBe('Healthy');
    expect((await app()).status.health.status).toBe('Healthy');
    return ro.status.stableRS as string;
  }

  it('renders the canary objects and walks a canary: setWeight, pause, resume, timed pause, Healthy', async () => {
    const stableHash = await healthyCanary();
    let a = await app();
    expect(
      a.status.resources.map((r: any) => `${r.kind}/${r.name}`).sort(),
    ).toEqual([
      'AnalysisTemplate/svc-readiness',
      'Rollout/svc',
      'Service/svc',
      'Service/svc-canary',
      'ServiceAccount/svc',
    ]);
    const template = await live(
      (await tree()).find(n => n.kind === 'AnalysisTemplate'),
    );
    expect(template.spec.metrics[0]).toMatchObject({
      name: 'readiness',
      interval: '10s',
      count: 3,
      failureLimit: 1,
    });
    let ro = await rollout();
    expect(ro.spec.strategy.canary).toMatchObject({
      canaryService: 'svc-canary',
      stableService: 'svc',
      analysis: {
        templates: [{ templateName: 'svc-readiness' }],
        startingStep: 1,
        args: [
          {
            name: 'canary-url',
            value: 'http://svc-canary.svc.svc.cluster.local:80/readyz',
          },
        ],
      },
    });

    // t2: a new canary from step 0 (setWeight 20: one of four pods).
    h.advance(60_000);
    await h.commit({ 'charts/svc/values.yaml': canaryValues('t2') }, 't2');
    await pass();
    ro = await rollout();
    const canaryHash = ro.status.currentPodHash;
    expect(canaryHash).not.toBe(stableHash);
    expect(ro.status).toMatchObject({
      phase: 'Progressing',
      currentStepIndex: 0,
      stableRS: stableHash,
      observedGeneration: String(ro.metadata.generation),
    });
    // A basic canary (no traffic router): no weights in status, as Argo
    // Rollouts leaves them; the share is the pods'.
    expect(ro.status.canary.weights).toBeUndefined();
    expect(podImages(await tree())).toEqual(['t1', 't1', 't1', 't1', 't2']);
    expect((await app()).status.health.status).toBe('Progressing');

    // The canary pod is ready: step 1, pause {}: Suspended, analysis running.
    await pass(P);
    ro = await rollout();
    expect(ro.status).toMatchObject({
      phase: 'Paused',
      message: 'CanaryPauseStep',
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [
        { reason: 'CanaryPauseStep', startTime: expect.any(String) },
      ],
    });
    a = await app();
    expect(a.status.health.status).toBe('Suspended');
    expect(
      a.status.resources.find((r: any) => r.kind === 'Rollout').health,
    ).toEqual({ status: 'Suspended', message: 'CanaryPauseStep' });
    let nodes = await tree();
    const run = nodes.find(n => n.kind === 'AnalysisRun');
    expect(run.name).toBe(`svc-${canaryHash}-2`);
    expect(run.health.status).toBe('Progressing');
    expect(run.parentRefs[0]).toMatchObject({ kind: 'Rollout', name: 'svc' });
    const node = await rolloutNode();
    expect(await actions(node)).toEqual({
      restart: false,
      resume: false,
      abort: false,
      retry: true,
      pause: false,
      'promote-full': false,
      'skip-current-step': false,
    });

    // The pause waits for as long as it takes; the analysis finishes meanwhile.
    await pass(5 * 60_000);
    expect((await rollout()).status.currentStepIndex).toBe(1);
    nodes = await tree();
    expect(nodes.find(n => n.kind === 'AnalysisRun').health.status).toBe(
      'Healthy',
    );

    // resume: step 2, setWeight 50 (two canary pods), then the 30 s pause.
    await runAction(node, 'resume');
    ro = await rollout();
    expect(ro.status.currentStepIndex).toBe(2);
    expect(ro.status.pauseConditions).toBeUndefined();
    expect(podImages(await tree())).toEqual([
      't1',
      't1',
      't1',
      't1',
      't2',
      't2',
    ]);
    await pass(P);
    ro = await rollout();
    expect(ro.status).toMatchObject({ phase: 'Paused', currentStepIndex: 3 });
    await pass(29_000);
    expect((await rollout()).status.currentStepIndex).toBe(3);
    // The timed pause ends on the clock; the canary takes all four pods.
    await pass(1000);
    ro = await rollout();
    expect(ro.status.currentStepIndex).toBe(4);
    expect(ro.status.phase).toBe('Progressing');
    expect(ro.status.stableRS).toBe(stableHash);
    await pass(P);
    ro = await rollout();
    expect(ro.status).toMatchObject({
      phase: 'Healthy',
      stableRS: canaryHash,
      currentPodHash: canaryHash,
      replicas: 4,
      updatedReplicas: 4,
      availableReplicas: 4,
    });
    expect(podImages(await tree())).toEqual(['t2', 't2', 't2', 't2']);
    expect((await app()).status.health.status).toBe('Healthy');

    const reasons = (await events(node)).map(e => e.reason);
    for (const reason of [
      'ScalingReplicaSet',
      'RolloutUpdated',
      'RolloutStepCompleted',
      'RolloutPaused',
      'RolloutResumed',
      'AnalysisRunRunning',
      'AnalysisRunSuccessful',
      'RolloutCompleted',
    ]) {
      expect(reasons).toContain(reason);
    }
    const stepEvents = (await events(node))
      .filter(e => e.reason === 'RolloutStepCompleted')
      .map(e => e.message);
    expect(stepEvents).toEqual([
      'Rollout step 1/4 completed (setWeight: 20)',
      'Rollout step 2/4 completed (pause)',
      'Rollout step 3/4 completed (setWeight: 50)',
      'Rollout step 4/4 completed (pause: 30s)',
    ]);
  });

  it('promotes fully on promote-full, skipping the remaining steps', async () => {
    const stableHash = await healthyCanary();
    await h.commit({ 'charts/svc/values.yaml': canaryValues('t2') }, 't2');
    await pass();
    await pass(P);
    const node = await rolloutNode();
    expect((await rollout()).status.currentStepIndex).toBe(1);

    // The deprecated v1 endpoint: the action's name is the body.
    const res = await h.request(
      'POST',
      `/api/v1/applications/svc/resource/actions?${resourceQuery(node)}`,
      { body: 'promote-full' },
    );
    expect(res.status).toBe(200);
    let ro = await rollout();
    expect(ro.status.promoteFull).toBe(true);
    expect(ro.status.pauseConditions).toBeUndefined();
    expect(ro.status.stableRS).toBe(stableHash);
    await pass(P);
    ro = await rollout();
    expect(ro.status.phase).toBe('Healthy');
    expect(ro.status.stableRS).toBe(ro.status.currentPodHash);
    expect(ro.status.promoteFull).toBeUndefined();
    expect(podImages(await tree())).toEqual(['t2', 't2', 't2', 't2']);
    expect(await actions(node)).toMatchObject({
      'promote-full': true,
      abort: true,
      resume: true,
    });

    // restart: every pod is recreated; the Rollout is restarting until they are ready.
    const podsBefore = (await tree()).filter(n => n.kind === 'Pod');
    h.advance(5000);
    await runAction(node, 'restart');
    ro = await rollout();
    expect(ro.spec.restartAt).toBe(
      new Date(h.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );
    expect(ro.status).toMatchObject({
      phase: 'Progressing',
      message: 'rollout is restarting',
    });
    const podsAfter = (await tree()).filter(n => n.kind === 'Pod');
    expect(podsAfter).toHaveLength(4);
    for (const pod of podsAfter) {
      expect(podsBefore.map(p => p.name)).not.toContain(pod.name);
      expect(pod.health.status).toBe('Progressing');
    }
    await pass(P);
    ro = await rollout();
    expect(ro.status.phase).toBe('Healthy');
    expect(ro.status.restartedAt).toBe(ro.spec.restartAt);
    // restartAt is not in the chart: not drift.
    expect((await app()).status.sync.status).toBe('Synced');
  });

  it('aborts a canary whose analysis fails: Degraded, canary scaled to 0, stable serving', async () => {
    const stableHash = await healthyCanary();
    h.argo.setImageBehaviour(REPO, 't2', 'fails-analysis');
    expect(h.argo.scenarios().images).toEqual({
      'payments-api:t2': 'fails-analysis',
    });
    await h.commit({ 'charts/svc/values.yaml': canaryValues('t2') }, 't2');
    await pass();
    await pass(P);
    let nodes = await tree();
    expect(nodes.find(n => n.kind === 'AnalysisRun').health.status).toBe(
      'Progressing',
    );
    // Two failed measurements (at 0 s and 10 s) exceed failureLimit 1.
    await pass(10_000);
    const ro = await rollout();
    const message =
      'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: Metric "readiness" assessed Failed due to failed (2) > failureLimit (1)';
    expect(ro.status).toMatchObject({
      abort: true,
      phase: 'Degraded',
      message,
      stableRS: stableHash,
      currentStepIndex: 0,
    });
    expect(ro.status.abortedAt).toBe(
      new Date(h.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );
    const a = await app();
    expect(a.status.health.status).toBe('Degraded');
    expect(
      a.status.resources.find((r: any) => r.kind === 'Rollout').health,
    ).toEqual({ status: 'Degraded', message });
    nodes = await tree();
    expect(podImages(nodes)).toEqual(['t1', 't1', 't1', 't1']);
    const run = nodes.find(n => n.kind === 'AnalysisRun');
    expect(run.health).toEqual({
      status: 'Degraded',
      message:
        'Metric "readiness" assessed Failed due to failed (2) > failureLimit (1)',
    });
    const arLive = await live(run);
    expect(arLive.status.metricResults[0]).toMatchObject({
      failed: 2,
      count: 2,
    });
    const node = await rolloutNode();
    const warnings = (await events(node)).filter(e => e.type === 'Warning');
    expect(warnings.map(e => e.reason).sort()).toEqual([
      'AnalysisRunFailed',
      'RolloutAborted',
    ]);
    expect(await actions(node)).toMatchObject({ abort: true, retry: false });

    // retry: the canary starts over from step 0.
    await runAction(node, 'retry');
    const retried = await rollout();
    expect(retried.status.abort).toBeUndefined();
    expect(retried.status.currentStepIndex).toBe(0);
    expect(retried.status.phase).toBe('Progressing');
    await pass(P);
    expect(
      (await tree())
        .filter(n => n.kind === 'AnalysisRun')
        .map(n => n.name)
        .sort(),
    ).toEqual([
      `svc-${retried.status.currentPodHash}-2`,
      `svc-${retried.status.currentPodHash}-2.1`,
    ]);
  });

  it('shows a crash loop climbing with the clock, goes Degraded, and recovers on a git revert', async () => {
    h.images.add('payments-api:t1');
    h.images.add('payments-api:t2');
    h.argo.setImageBehaviour('payments-api', 't2', 'crashloop');
    await h.commit(
      {
        'charts/svc/values.yaml': rollingValues(
          't1',
          'resources:\n  requests:\n    cpu: 100m\n    memory: 128Mi\n',
        ),
      },
      't1',
    );
    await h.request('POST', '/api/v1/applications', {
      body: h.appSpec('svc'),
    });
    await pass();
    await pass(P);
    expect((await app()).status.health.status).toBe('Healthy');
    let nodes = await tree();
    const healthyPod = nodes.find(n => n.kind === 'Pod');
    expect(healthyPod.info).toEqual([
      { name: 'Status Reason', value: 'Running' },
      { name: 'Node', value: expect.stringMatching(/^sandbox-node-\d$/) },
      { name: 'Containers', value: '1/1' },
      { name: 'cpu', value: '100' },
      { name: 'memory', value: '134217728000' },
    ]);

    await h.commit(
      {
        'charts/svc/values.yaml': rollingValues(
          't2',
          'resources:\n  requests:\n    cpu: 100m\n    memory: 128Mi\n',
        ),
      },
      't2',
    );
    await pass();
    expect((await app()).status.health.status).toBe('Progressing');
    // One controller pass after the progressing time: Degraded.
    await pass(P);
    let a = await app();
    expect(a.status.health.status).toBe('Degraded');
    expect(
      a.status.resources.find((r: any) => r.kind === 'Deployment').health,
    ).toEqual({
      status: 'Degraded',
      message: 'Deployment "svc" exceeded its progress deadline',
    });
    nodes = await tree();
    const crashing = nodes.filter(
      n => n.kind === 'Pod' && n.images[0].endsWith(':t2'),
    );
    expect(crashing).toHaveLength(2);
    expect(crashing[0].health.status).toBe('Degraded');
    expect(crashing[0].info).toContainEqual({
      name: 'Status Reason',
      value: 'CrashLoopBackOff',
    });
    expect(crashing[0].info).toContainEqual({
      name: 'Restart Count',
      value: '1',
    });
    // The old pods keep serving.
    expect(podImages(nodes)).toEqual(['t1', 't1', 't2', 't2']);

    // Back-off 10 s, 20 s, 40 s: four crashes 70 s after the first.
    await pass(70_000);
    nodes = await tree();
    const pod = nodes.find(
      n => n.kind === 'Pod' && n.images[0].endsWith(':t2'),
    );
    expect(pod.info).toContainEqual({ name: 'Restart Count', value: '4' });
    const podLive = await live(pod);
    const cs = podLive.status.containerStatuses[0];
    expect(cs).toMatchObject({
      ready: false,
      restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'Error', exitCode: 1 } },
    });
    expect(Date.parse(cs.lastState.terminated.finishedAt)).toBeLessThanOrEqual(
      h.now,
    );
    const backOff = (await events(pod)).find(e => e.reason === 'BackOff');
    expect(backOff).toMatchObject({ type: 'Warning', count: 4 });
    expect(backOff.message).toMatch(/^Back-off restarting failed container/);

    // Rollback: a git revert of the tag bump.
    await git(['revert', '--no-edit', 'HEAD'], { cwd: h.work });
    await git(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: h.work });
    await pass();
    await pass(P);
    a = await app();
    expect(a.status.health.status).toBe('Healthy');
    expect(a.status.summary.images).toEqual([`${REPO}:t1`]);
    expect(podImages(await tree())).toEqual(['t1', 't1']);
  });

  it('goes Degraded on a crash-looping canary and back to Healthy on a revert (fast rollback)', async () => {
    const stableHash = await healthyCanary();
    h.argo.setImageBehaviour(REPO, 't2', 'crashloop');
    await h.commit({ 'charts/svc/values.yaml': canaryValues('t2') }, 't2');
    await pass();
    await pass(P);
    let ro = await rollout();
    expect(ro.status).toMatchObject({
      phase: 'Degraded',
      message: `ProgressDeadlineExceeded: ReplicaSet "svc-${ro.status.currentPodHash}" has timed out progressing.`,
      currentStepIndex: 0,
      stableRS: stableHash,
    });
    expect((await app()).status.health.status).toBe('Degraded');
    await pass(30_000);
    const canaryPod = (await tree()).find(
      n => n.kind === 'Pod' && n.images[0].endsWith(':t2'),
    );
    expect(canaryPod.info).toContainEqual({
      name: 'Restart Count',
      value: '3',
    });

    await git(['revert', '--no-edit', 'HEAD'], { cwd: h.work });
    await git(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: h.work });
    await pass();
    ro = await rollout();
    expect(ro.status).toMatchObject({
      phase: 'Healthy',
      stableRS: stableHash,
      currentPodHash: stableHash,
    });
    expect((await app()).status.health.status).toBe('Healthy');
    expect(podImages(await tree())).toEqual(['t1', 't1', 't1', 't1']);
    const reasons = (await events(await rolloutNode())).map(e => e.reason);
    expect(reasons).toContain('SkipSteps');
  });

  it('scales with load: HPA desired from min to max over a couple of passes, and back', async () => {
    h.images.add('payments-api:t1');
    await h.commit(
      {
        'charts/svc/values.yaml': rollingValues(
          't1',
          'autoscaling:\n  enabled: true\n  minReplicas: 2\n  maxReplicas: 5\n  targetCPUUtilizationPercentage: 80\n',
        ),
      },
      't1',
    );
    await h.request('POST', '/api/v1/applications', {
      body: h.appSpec('svc'),
    });
    await pass();
    await pass(P);
    const hpaNode = (await tree()).find(
      n => n.kind === 'HorizontalPodAutoscaler',
    );
    let hpa = await live(hpaNode);
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'svc',
    });
    expect(hpa.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 2,
    });
    expect(hpaNode.health.status).toBe('Healthy');

    h.argo.setLoad('svc', true);
    await pass(15_000);
    hpa = await live(hpaNode);
    expect(hpa.status.desiredReplicas).toBe(4);
    await pass(15_000);
    hpa = await live(hpaNode);
    expect(hpa.status).toMatchObject({
      currentReplicas: 5,
      desiredReplicas: 5,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 150 } },
        },
      ],
      lastScaleTime: expect.any(String),
    });
    expect(hpa.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'ScalingLimited',
        status: 'True',
        reason: 'TooManyReplicas',
      }),
    );
    await pass(P);
    expect((await tree()).filter(n => n.kind === 'Pod')).toHaveLength(5);
    const rescales = (await events(hpaNode)).filter(
      e => e.reason === 'SuccessfulRescale',
    );
    expect(rescales.map(e => e.message)).toEqual([
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'New size: 5; reason: cpu resource utilization (percentage of request) above target',
    ]);

    h.argo.setLoad('svc', false);
    await pass(15_000);
    hpa = await live(hpaNode);
    expect(hpa.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 2,
    });
    expect((await tree()).filter(n => n.kind === 'Pod')).toHaveLength(2);
  });

  it('puts drift back with automated self-heal, recorded as Argo CD records it', async () => {
    h.images.add('payments-api:t1');
    await h.commit({ 'charts/svc/values.yaml': rollingValues('t1') }, 't1');
    await h.request('POST', '/api/v1/applications', {
      body: h.appSpec('svc'),
    });
    await pass();
    await pass(P);
    const before = await app();
    expect(before.status.history).toHaveLength(1);

    const drift = await h.argo.drift('svc');
    expect(drift).toMatchObject({
      kind: 'Deployment',
      name: 'svc',
      field: 'spec.replicas',
      from: 2,
      to: 3,
    });
    let a = await app();
    expect(a.status.sync.status).toBe('OutOfSync');
    expect(
      a.status.resources.find((r: any) => r.kind === 'Deployment').status,
    ).toBe('OutOfSync');

    await pass(2000);
    a = await app();
    expect(a.status.sync.status).toBe('Synced');
    expect(a.status.operationState).toMatchObject({
      phase: 'Succeeded',
      operation: {
        initiatedBy: { automated: true },
        sync: {
          revision: before.status.sync.revision,
          autoHealAttemptsCount: 1,
          resources: [{ group: 'apps', kind: 'Deployment', name: 'svc' }],
        },
      },
    });
    // A selective sync is not a deployment: the history is unchanged.
    expect(a.status.history).toEqual(before.status.history);
    const dep = await live((await tree()).find(n => n.kind === 'Deployment'));
    expect(dep.spec.replicas).toBe(2);
    const appEvents = await h.request('GET', '/api/v1/applications/svc/events');
    expect(
      appEvents.body.items.filter((e: any) => e.reason === 'OperationStarted'),
    ).toHaveLength(2);

    // A second drift waits out the self-heal back-off (2 s after the last).
    await h.argo.drift('svc');
    await pass(0);
    expect((await app()).status.sync.status).toBe('OutOfSync');
    await pass(2000);
    a = await app();
    expect(a.status.sync.status).toBe('Synced');
    expect(a.status.operationState.operation.sync.autoHealAttemptsCount).toBe(
      2,
    );
  });

  it('keeps the runtime across a restart', async () => {
    await healthyCanary();
    await h.commit({ 'charts/svc/values.yaml': canaryValues('t2') }, 't2');
    await pass();
    await pass(P);
    const before = await rollout();
    expect(before.status.phase).toBe('Paused');
    await h.restart();
    const after = await rollout();
    expect(after.status).toEqual(before.status);
    await pass(60_000);
    expect((await rollout()).status.currentStepIndex).toBe(1);
  });
});
