/*
 * What runs on the imaginary cluster for one application: the workload
 * (a Deployment with a rolling update, or an Argo Rollouts Rollout with
 * canary steps), its ReplicaSets and Pods, background AnalysisRuns, the
 * HorizontalPodAutoscaler's decisions and Kubernetes events, driven by the
 * injected clock.
 *
 * The persisted state (WorkloadRuntime, inside the application's live
 * state) is compact: ReplicaSets with their pod slots, the canary's step and
 * flags, analysis runs, HPA counts and recorded events. Full objects with
 * their status (Pods' container statuses, restart counts climbing with the
 * clock, the Rollout's phase) are derived from it on read (liveObjects).
 * `advance` applies what came due since the last pass (a canary step
 * completing when its pods are ready, a timed pause ending, an analysis
 * run finishing, a rollout timing out); when nothing is due it costs a
 * comparison, so a thousand idle applications stay cheap.
 *
 * Time in the sandbox is compressed: pods become ready after the
 * controller's progressing time, and a rollout whose pods cannot become
 * ready (a crash loop, an image ECR does not have) exceeds its progress
 * deadline after that same time, not Kubernetes' ten minutes.
 */

import crypto from 'node:crypto';
import { RenderedResource } from './render';
import { k8sTime } from './store';

/** What an image does when it runs, as a scenario sets it. */
export type ImageBehaviour = 'healthy' | 'crashloop' | 'fails-analysis';

/** One pod of a ReplicaSet: its name suffix and when it was (re)created. */
export interface PodSlot {
  id: string;
  createdAt: number;
}

/** A ReplicaSet the workload owns. */
export interface ReplicaSetRecord {
  hash: string;
  revision: number;
  image: string;
  /** The pod template it was created from (with its pod-template-hash label). */
  template: Record<string, any>;
  createdAt: number;
  pods: PodSlot[];
}

/** A Kubernetes event, aggregated like the API server does (count, first/last). */
export interface RecordedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  apiVersion: string;
  kind: string;
  name: string;
  component: string;
  first: number;
  last: number;
  count: number;
  seq: number;
}

/** A status condition, as Kubernetes keeps them. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: number;
  lastUpdateTime: number;
}

/** A background AnalysisRun of a canary. */
export interface AnalysisRecord {
  name: string;
  hash: string;
  revision: number;
  startedAt: number;
  /** Every measurement fails (decided when the run starts). */
  fails: boolean;
  intervalMs: number;
  count: number;
  failureLimit: number;
  phase: 'Running' | 'Successful' | 'Failed';
  finishedAt?: number;
  message?: string;
}

/** The canary's progress (Rollout only). */
export interface CanaryState {
  stepIndex: number;
  stepStartedAt: number;
  /** startTime of the CanaryPauseStep pause condition at a pause step. */
  pauseStartedAt?: number;
  abort?: boolean;
  abortedAt?: number;
  abortMessage?: string;
  promoteFull?: boolean;
  /** spec.paused, set by the pause action. */
  paused?: boolean;
  restartAt?: number;
  restartedAt?: number;
  runs: AnalysisRecord[];
}

/** The HorizontalPodAutoscaler's view. */
export interface HpaState {
  current: number;
  desired: number;
  utilization: number;
  lastScaleTime?: number;
}

/** The persisted runtime of one application's workload. */
export interface WorkloadRuntime {
  kind: 'Deployment' | 'Rollout';
  name: string;
  namespace: string;
  generation: number;
  specKey: string;
  currentHash: string;
  /** Rollout: the stable ReplicaSet's hash. */
  stableHash?: string;
  /** Deployment: the current ReplicaSet has every pod ready and the old ones are gone. */
  complete?: boolean;
  /** When the current rollout (or canary step) started waiting for pods. */
  progressSince: number;
  deadlineExceeded?: boolean;
  /** Deployment: spec.paused (pause action). */
  paused?: boolean;
  /** Deployment: pod template annotations added by actions (restart). */
  templateAnnotations?: Record<string, string>;
  replicaSets: ReplicaSetRecord[];
  canary?: CanaryState;
  hpa?: HpaState;
  conditions: Condition[];
  events: RecordedEvent[];
  seq: number;
  /** When `advance` last looked. */
  checkedAt: number;
  /** The earliest time something is due; undefined: nothing is. */
  wakeAt?: number;
}

/** What the model reads from its surroundings. */
export interface RuntimeContext {
  now: number;
  /** How long new pods take to become ready (and the progress deadline). */
  progressingMs: number;
  /** The application's uid, for stable object uids. */
  appUid: string;
  hasImage(image: string): boolean;
  behaviour(image: string): ImageBehaviour;
  /** The load scenario: CPU well above the HPA's target. */
  load: boolean;
  /** Let the HPA evaluate now (once per controller pass). */
  hpaStep: boolean;
}

const MAX_EVENTS = 40;
const MAX_OLD_REPLICASETS = 3;
const MAX_RUNS = 3;
const CRASH_BACKOFF_MS = 10_000;
const CRASH_BACKOFF_MAX_MS = 300_000;
const IDLE_CPU = 30;
const LOAD_CPU = 150;

const sha = (...parts: string[]) =>
  crypto.createHash('sha256').update(parts.join('\0')).digest();

/** A stable, UUID-shaped id for one object of one application. */
export function uidFor(appUid: string, kind: string, name: string) {
  const h = sha(appUid, kind, name).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(
    16,
    20,
  )}-${h.slice(20, 32)}`;
}

/** Kubernetes' SafeEncodeString alphabet (no vowels, no look-alikes). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
function safeHash(len: number, ...parts: string[]): string {
  const bytes = sha(...parts);
  let out = '';
  for (let i = 0; i < len; i++) out += SAFE[bytes[i] % SAFE.length];
  return out;
}

const iso = (t: number | undefined) =>
  t === undefined ? undefined : k8sTime(t);

/** Go's time.ParseDuration for what canary steps and analysis intervals use; seconds for a bare number. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = '';
  for (const m of v.matchAll(re)) {
    const n = Number(m[1]);
    total +=
      n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's'];
    matched += m[0];
  }
  return matched === v && matched ? total : undefined;
}

// ------------------------------------------------------------------ helpers

type Obj = Record<string, any>;

function workloadOf(resources: RenderedResource[]) {
  return resources.find(
    r =>
      (r.kind === 'Deployment' && r.group === 'apps') ||
      (r.kind === 'Rollout' && r.group === 'argoproj.io'),
  );
}

function hpaOf(resources: RenderedResource[], workload: RenderedResource) {
  return resources.find(
    r =>
      r.kind === 'HorizontalPodAutoscaler' &&
      (r.manifest.spec as Obj)?.scaleTargetRef?.kind === workload.kind &&
      (r.manifest.spec as Obj)?.scaleTargetRef?.name === workload.name,
  );
}

const spec = (r: RenderedResource) => (r.manifest.spec ?? {}) as Obj;

function stepsOf(workload: RenderedResource): Obj[] {
  return spec(workload).strategy?.canary?.steps ?? [];
}

function analysisOf(workload: RenderedResource, resources: RenderedResource[]) {
  const a = spec(workload).strategy?.canary?.analysis;
  if (!a) return undefined;
  const template = resources.find(
    r =>
      r.kind === 'AnalysisTemplate' &&
      r.name === a.templates?.[0]?.templateName,
  );
  const metric = (template ? spec(template).metrics?.[0] : undefined) ?? {};
  return {
    startingStep: Number(a.startingStep ?? 0),
    args: a.args ?? [],
    metrics: template ? spec(template).metrics ?? [] : [],
    intervalMs: durationMs(metric.interval) ?? 10_000,
    count: Number(metric.count ?? 1),
    failureLimit: Number(metric.failureLimit ?? 0),
  };
}

function hashLabel(kind: WorkloadRuntime['kind']) {
  return kind === 'Rollout'
    ? 'rollouts-pod-template-hash'
    : 'pod-template-hash';
}

function revisionAnnotation(kind: WorkloadRuntime['kind']) {
  return kind === 'Rollout'
    ? 'rollout.argoproj.io/revision'
    : 'deployment.kubernetes.io/revision';
}

/** The pod template as the workload controller sees it (with action-added annotations). */
function effectiveTemplate(rt: WorkloadRuntime, workload: RenderedResource) {
  const template = structuredClone(spec(workload).template ?? {});
  if (rt.templateAnnotations && Object.keys(rt.templateAnnotations).length) {
    template.metadata ??= {};
    template.metadata.annotations = {
      ...(template.metadata.annotations ?? {}),
      ...rt.templateAnnotations,
    };
  }
  return template;
}

const imageOfTemplate = (template: Obj) =>
  String(template.spec?.containers?.[0]?.image ?? '');

function desiredReplicas(rt: WorkloadRuntime, workload: RenderedResource) {
  if (rt.hpa) return rt.hpa.current;
  const r = spec(workload).replicas;
  return typeof r === 'number' ? r : 1;
}

const rsName = (rt: WorkloadRuntime, rs: ReplicaSetRecord) =>
  `${rt.name}-${rs.hash}`;
const findRs = (rt: WorkloadRuntime, hash: string | undefined) =>
  rt.replicaSets.find(r => r.hash === hash);

function record(
  rt: WorkloadRuntime,
  at: number,
  e: Omit<RecordedEvent, 'first' | 'last' | 'count' | 'seq'>,
) {
  const same = rt.events.find(
    x =>
      x.kind === e.kind &&
      x.name === e.name &&
      x.reason === e.reason &&
      x.message === e.message &&
      x.type === e.type,
  );
  rt.seq += 1;
  if (same) {
    same.count += 1;
    same.last = at;
    same.seq = rt.seq;
    return;
  }
  rt.events.push({ ...e, first: at, last: at, count: 1, seq: rt.seq });
  if (rt.events.length > MAX_EVENTS) {
    rt.events.sort((a, b) => a.seq - b.seq);
    rt.events.splice(0, rt.events.length - MAX_EVENTS);
  }
}

function workloadEvent(
  rt: WorkloadRuntime,
  at: number,
  reason: string,
  message: string,
  type: 'Normal' | 'Warning' = 'Normal',
) {
  record(rt, at, {
    type,
    reason,
    message,
    apiVersion: rt.kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
    kind: rt.kind,
    name: rt.name,
    component:
      rt.kind === 'Rollout' ? 'rollouts-controller' : 'deployment-controller',
  });
}

function setCondition(
  rt: WorkloadRuntime,
  at: number,
  c: Omit<Condition, 'lastTransitionTime' | 'lastUpdateTime'>,
) {
  const old = rt.conditions.find(x => x.type === c.type);
  if (!old) {
    rt.conditions.push({ ...c, lastTransitionTime: at, lastUpdateTime: at });
    return;
  }
  if (old.status !== c.status) old.lastTransitionTime = at;
  if (
    old.status !== c.status ||
    old.reason !== c.reason ||
    old.message !== c.message
  ) {
    old.lastUpdateTime = at;
  }
  Object.assign(old, c);
}

function scaleRs(
  rt: WorkloadRuntime,
  rs: ReplicaSetRecord,
  to: number,
  at: number,
) {
  const from = rs.pods.length;
  if (from === to) return;
  if (to > from) {
    for (let i = from; i < to; i++) {
      rt.seq += 1;
      rs.pods.push({
        id: safeHash(5, rt.name, rs.hash, String(rt.seq)),
        createdAt: at,
      });
    }
  } else {
    rs.pods.splice(to);
  }
  const up = to > from ? 'up' : 'down';
  workloadEvent(
    rt,
    at,
    'ScalingReplicaSet',
    rt.kind === 'Rollout'
      ? `Scaled ${up} ReplicaSet ${rsName(rt, rs)} (revision ${
          rs.revision
        }) from ${from} to ${to}`
      : `Scaled ${up} replica set ${rsName(rt, rs)} from ${from} to ${to}`,
  );
}

/** When a pod is ready: never for a crash loop or an image the registry lacks. */
function podReadyAt(
  rs: ReplicaSetRecord,
  slot: PodSlot,
  ctx: RuntimeContext,
): number {
  if (!ctx.hasImage(rs.image) || ctx.behaviour(rs.image) === 'crashloop') {
    return Infinity;
  }
  return slot.createdAt + ctx.progressingMs;
}

/** When every pod of the ReplicaSet is ready (its creation time when it has none). */
function rsReadyAt(rs: ReplicaSetRecord | undefined, ctx: RuntimeContext) {
  if (!rs) return Infinity;
  let t = rs.createdAt;
  for (const p of rs.pods) t = Math.max(t, podReadyAt(rs, p, ctx));
  return t;
}

const readyCount = (rs: ReplicaSetRecord, ctx: RuntimeContext) =>
  rs.pods.filter(p => podReadyAt(rs, p, ctx) <= ctx.now).length;

function newReplicaSet(
  rt: WorkloadRuntime,
  template: Obj,
  hash: string,
  at: number,
): ReplicaSetRecord {
  const revision =
    rt.replicaSets.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
  const existing = findRs(rt, hash);
  if (existing) {
    // Going back to an older template reuses its ReplicaSet, with a new revision.
    existing.revision = revision;
    return existing;
  }
  const labelled = structuredClone(template);
  labelled.metadata ??= {};
  labelled.metadata.labels = {
    ...(labelled.metadata.labels ?? {}),
    [hashLabel(rt.kind)]: hash,
  };
  const rs: ReplicaSetRecord = {
    hash,
    revision,
    image: imageOfTemplate(template),
    template: labelled,
    createdAt: at,
    pods: [],
  };
  rt.replicaSets.push(rs);
  // Keep a few scaled-down ReplicaSets, as revisionHistoryLimit does.
  const idle = rt.replicaSets
    .filter(r => r.pods.length === 0 && r !== rs && r.hash !== rt.stableHash)
    .sort((a, b) => a.revision - b.revision);
  while (idle.length > MAX_OLD_REPLICASETS) {
    const gone = idle.shift()!;
    rt.replicaSets.splice(rt.replicaSets.indexOf(gone), 1);
  }
  return rs;
}

// ------------------------------------------------------------------ canary

/** The canary weight at the current step: the last setWeight at or before it; 100 after the last. */
function canaryWeight(rt: WorkloadRuntime, steps: Obj[]): number {
  const c = rt.canary!;
  if (rt.stableHash === rt.currentHash) return 0;
  if (c.abort) return 0;
  if (c.promoteFull || c.stepIndex >= steps.length) return 100;
  let w = 0;
  for (let i = 0; i <= c.stepIndex && i < steps.length; i++) {
    if (typeof steps[i].setWeight === 'number') w = steps[i].setWeight;
  }
  return w;
}

/** Scales the canary and stable ReplicaSets to the current weight (basic canary: by pod count). */
function scaleCanary(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  at: number,
) {
  const replicas = desiredReplicas(rt, workload);
  const stable = findRs(rt, rt.stableHash);
  const current = findRs(rt, rt.currentHash);
  if (!current) return;
  if (rt.stableHash === rt.currentHash || !stable) {
    scaleRs(rt, current, replicas, at);
    for (const rs of rt.replicaSets) {
      if (rs !== current) scaleRs(rt, rs, 0, at);
    }
    return;
  }
  const w = canaryWeight(rt, stepsOf(workload));
  const canaryPods = w > 0 ? Math.ceil((replicas * w) / 100) : 0;
  scaleRs(rt, current, canaryPods, at);
  // The stable pods keep serving until the canary is promoted (a surge, as
  // maxUnavailable 0 would have it), and alone after an abort.
  scaleRs(rt, stable, replicas, at);
  for (const rs of rt.replicaSets) {
    if (rs !== current && rs !== stable) scaleRs(rt, rs, 0, at);
  }
}

function stepString(step: Obj | undefined): string {
  if (!step) return 'invalid';
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause !== undefined) {
    const d = durationMs(step.pause?.duration);
    return d === undefined ? 'pause' : `pause: ${goDuration(d)}`;
  }
  if (step.analysis !== undefined) return 'analysis';
  if (step.experiment !== undefined) return 'experiment';
  return 'invalid';
}

/** Go's Duration.String for whole milliseconds. */
function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

function startAnalysis(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  resources: RenderedResource[],
  at: number,
  ctx: RuntimeContext,
) {
  const a = analysisOf(workload, resources);
  const c = rt.canary!;
  const current = findRs(rt, rt.currentHash);
  if (!a || !current || c.abort || rt.stableHash === rt.currentHash) return;
  if (c.stepIndex < a.startingStep) return;
  if (c.runs.some(r => r.hash === rt.currentHash && r.phase === 'Running')) {
    return;
  }
  const base = `${rt.name}-${current.hash}-${current.revision}`;
  // Argo Rollouts' collision counter: a retry's run is <base>.1, .2, ...
  const taken = new Set(c.runs.map(r => r.name));
  let name = base;
  for (let n = 1; taken.has(name); n++) name = `${base}.${n}`;
  const run: AnalysisRecord = {
    name,
    hash: current.hash,
    revision: current.revision,
    startedAt: at,
    fails:
      ctx.behaviour(current.image) !== 'healthy' ||
      !ctx.hasImage(current.image),
    intervalMs: a.intervalMs,
    count: a.count,
    failureLimit: a.failureLimit,
    phase: 'Running',
  };
  c.runs.push(run);
  if (c.runs.length > MAX_RUNS) c.runs.splice(0, c.runs.length - MAX_RUNS);
  workloadEvent(
    rt,
    at,
    'AnalysisRunRunning',
    `Background Analysis Run '${name}' Status New: 'Running' Previous: 'NoPreviousStatus'`,
  );
}

/** When a running analysis finishes, and how. */
function runOutcome(run: AnalysisRecord) {
  if (run.fails && run.failureLimit + 1 <= run.count) {
    return {
      at: run.startedAt + run.failureLimit * run.intervalMs,
      phase: 'Failed' as const,
      message: `Metric "readiness" assessed Failed due to failed (${
        run.failureLimit + 1
      }) > failureLimit (${run.failureLimit})`,
    };
  }
  return {
    at: run.startedAt + Math.max(0, run.count - 1) * run.intervalMs,
    phase: 'Successful' as const,
    message: undefined,
  };
}

function terminateRuns(rt: WorkloadRuntime, at: number) {
  for (const run of rt.canary?.runs ?? []) {
    if (run.phase !== 'Running') continue;
    run.phase = 'Successful';
    run.finishedAt = at;
    run.message = 'Run Terminated';
  }
}

function enterStep(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  resources: RenderedResource[],
  index: number,
  at: number,
  ctx: RuntimeContext,
) {
  const c = rt.canary!;
  const steps = stepsOf(workload);
  c.stepIndex = index;
  c.stepStartedAt = at;
  c.pauseStartedAt = undefined;
  rt.progressSince = at;
  rt.deadlineExceeded = false;
  scaleCanary(rt, workload, at);
  const step = steps[index];
  if (step && step.pause !== undefined) {
    c.pauseStartedAt = at;
    workloadEvent(
      rt,
      at,
      'RolloutPaused',
      'Rollout is paused (CanaryPauseStep)',
    );
    setCondition(rt, at, {
      type: 'Paused',
      status: 'True',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    });
    setCondition(rt, at, {
      type: 'Progressing',
      status: 'Unknown',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    });
  } else {
    setCondition(rt, at, {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${rt.name}-${rt.currentHash}" is progressing.`,
    });
  }
  startAnalysis(rt, workload, resources, at, ctx);
}

function completeStep(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  resources: RenderedResource[],
  at: number,
  ctx: RuntimeContext,
) {
  const c = rt.canary!;
  const steps = stepsOf(workload);
  if (c.pauseStartedAt !== undefined) {
    workloadEvent(rt, at, 'RolloutResumed', 'Rollout is resumed');
    setCondition(rt, at, {
      type: 'Paused',
      status: 'False',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
    });
  }
  workloadEvent(
    rt,
    at,
    'RolloutStepCompleted',
    `Rollout step ${c.stepIndex + 1}/${steps.length} completed (${stepString(
      steps[c.stepIndex],
    )})`,
  );
  enterStep(rt, workload, resources, c.stepIndex + 1, at, ctx);
}

function promote(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  at: number,
  reason: string,
) {
  const c = rt.canary!;
  const current = findRs(rt, rt.currentHash)!;
  rt.stableHash = rt.currentHash;
  c.stepIndex = stepsOf(workload).length;
  c.promoteFull = false;
  c.pauseStartedAt = undefined;
  terminateRuns(rt, at);
  scaleCanary(rt, workload, at);
  workloadEvent(
    rt,
    at,
    'RolloutCompleted',
    `Rollout completed update to revision ${current.revision} (${current.hash}): ${reason}`,
  );
  setCondition(rt, at, {
    type: 'Progressing',
    status: 'True',
    reason: 'NewReplicaSetAvailable',
    message: `ReplicaSet "${rsName(rt, current)}" has successfully progressed.`,
  });
  setCondition(rt, at, {
    type: 'Paused',
    status: 'False',
    reason: 'RolloutPaused',
    message: 'Rollout is paused',
  });
}

function abortCanary(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  at: number,
  detail: string | undefined,
) {
  const c = rt.canary!;
  const current = findRs(rt, rt.currentHash);
  c.abort = true;
  c.abortedAt = at;
  c.pauseStartedAt = undefined;
  c.stepIndex = rt.stableHash === rt.currentHash ? stepsOf(workload).length : 0;
  terminateRuns(rt, at);
  const message = `Rollout aborted update to revision ${
    current?.revision ?? 0
  }${detail ? `: ${detail}` : ''}`;
  c.abortMessage = message;
  scaleCanary(rt, workload, at);
  setCondition(rt, at, {
    type: 'Progressing',
    status: 'False',
    reason: 'RolloutAborted',
    message,
  });
  workloadEvent(rt, at, 'RolloutAborted', message, 'Warning');
}

// ------------------------------------------------------------------ apply

/**
 * Brings the runtime in line with what a sync applied (at `at`): a new pod
 * template starts a rolling update or a canary from step 0; going back to
 * the stable template is a fast rollback; a first deploy is promoted at
 * once. Returns undefined when the application has no workload.
 */
export function applyWorkload(
  prev: WorkloadRuntime | undefined,
  resources: RenderedResource[],
  at: number,
  ctx: RuntimeContext,
): WorkloadRuntime | undefined {
  const workload = workloadOf(resources);
  if (!workload) return undefined;
  const kind = workload.kind as WorkloadRuntime['kind'];
  let rt = prev;
  if (!rt || rt.kind !== kind || rt.name !== workload.name) {
    rt = {
      kind,
      name: workload.name,
      namespace: workload.namespace,
      generation: 1,
      specKey: '',
      currentHash: '',
      progressSince: at,
      replicaSets: [],
      conditions: [],
      events: [],
      seq: 0,
      checkedAt: at,
      ...(kind === 'Rollout'
        ? { canary: { stepIndex: 0, stepStartedAt: at, runs: [] } }
        : {}),
    };
  }
  rt.namespace = workload.namespace;
  const specKey = sha(JSON.stringify(workload.manifest.spec ?? {})).toString(
    'hex',
  );
  if (rt.specKey && rt.specKey !== specKey) rt.generation += 1;
  rt.specKey = specKey;

  // The HPA owns the replica count when it targets this workload.
  const hpa = hpaOf(resources, workload);
  if (hpa) {
    const s = spec(hpa);
    const min = Number(s.minReplicas ?? 1);
    const max = Number(s.maxReplicas ?? min);
    const current = Math.min(max, Math.max(min, rt.hpa?.current ?? min));
    rt.hpa = {
      current,
      desired: Math.min(max, Math.max(min, rt.hpa?.desired ?? current)),
      utilization: rt.hpa?.utilization ?? IDLE_CPU,
      ...(rt.hpa?.lastScaleTime !== undefined
        ? { lastScaleTime: rt.hpa.lastScaleTime }
        : {}),
    };
  } else {
    delete rt.hpa;
  }

  wake(rt);
  const template = effectiveTemplate(rt, workload);
  const hash = safeHash(10, JSON.stringify(template));
  if (rt.kind === 'Deployment')
    applyDeployment(rt, workload, template, hash, at);
  else applyRollout(rt, workload, resources, template, hash, at, ctx);
  return rt;
}

function applyDeployment(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  template: Obj,
  hash: string,
  at: number,
) {
  const replicas = desiredReplicas(rt, workload);
  if (hash !== rt.currentHash) {
    const isNew = !findRs(rt, hash);
    const rs = newReplicaSet(rt, template, hash, at);
    rt.currentHash = hash;
    rt.complete = false;
    rt.deadlineExceeded = false;
    rt.progressSince = at;
    setCondition(rt, at, {
      type: 'Progressing',
      status: 'True',
      reason: isNew ? 'NewReplicaSetCreated' : 'FoundNewReplicaSet',
      message: isNew
        ? `Created new replica set "${rsName(rt, rs)}"`
        : `Found new replica set "${rsName(rt, rs)}"`,
    });
    if (!rt.conditions.some(c => c.type === 'Available')) {
      setCondition(rt, at, {
        type: 'Available',
        status: 'False',
        reason: 'MinimumReplicasUnavailable',
        message: 'Deployment does not have minimum availability.',
      });
    }
  }
  scaleRs(rt, findRs(rt, rt.currentHash)!, replicas, at);
}

function applyRollout(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  resources: RenderedResource[],
  template: Obj,
  hash: string,
  at: number,
  ctx: RuntimeContext,
) {
  const c = rt.canary!;
  const steps = stepsOf(workload);
  if (hash === rt.currentHash) {
    // Same pods: a spec change (steps, replicas) or a re-sync.
    if (c.stepIndex > steps.length) c.stepIndex = steps.length;
    scaleCanary(rt, workload, at);
    return;
  }
  const rs = newReplicaSet(rt, template, hash, at);
  workloadEvent(
    rt,
    at,
    'RolloutUpdated',
    `Rollout updated to revision ${rs.revision}`,
  );
  rt.currentHash = hash;
  c.abort = false;
  delete c.abortedAt;
  delete c.abortMessage;
  c.promoteFull = false;
  terminateRuns(rt, at);
  if (!rt.stableHash) {
    if (rs.pods.length === 0) {
      workloadEvent(
        rt,
        at,
        'NewReplicaSetCreated',
        `Created ReplicaSet ${rsName(rt, rs)} (revision ${rs.revision})`,
      );
    }
    rt.progressSince = at;
    promote(rt, workload, at, 'Initial deploy');
    setCondition(rt, at, {
      type: 'Available',
      status: 'False',
      reason: 'AvailableReason',
      message: 'Rollout does not have minimum availability',
    });
    return;
  }
  if (hash === rt.stableHash) {
    // A revert to what is stable: no steps, the stable pods serve on.
    workloadEvent(rt, at, 'SkipSteps', 'Rollback to stable ReplicaSets');
    rt.progressSince = at;
    rt.deadlineExceeded = false;
    promote(rt, workload, at, 'Fast rollback');
    return;
  }
  if (rs.pods.length === 0) {
    workloadEvent(
      rt,
      at,
      'NewReplicaSetCreated',
      `Created ReplicaSet ${rsName(rt, rs)} (revision ${rs.revision})`,
    );
  }
  setCondition(rt, at, {
    type: 'Progressing',
    status: 'True',
    reason: 'RolloutUpdated',
    message: `Rollout updated to revision ${rs.revision}`,
  });
  enterStep(rt, workload, resources, 0, at, ctx);
}

// ------------------------------------------------------------------ advance

interface Due {
  at: number;
  apply: (at: number) => void;
}

function nextDeploymentDue(
  rt: WorkloadRuntime,
  ctx: RuntimeContext,
): Due | undefined {
  if (rt.paused || rt.complete) return undefined;
  const current = findRs(rt, rt.currentHash);
  if (!current) return undefined;
  const readyAt = rsReadyAt(current, ctx);
  if (Number.isFinite(readyAt)) {
    return {
      at: Math.max(readyAt, rt.checkedAt),
      apply: at => {
        for (const rs of rt.replicaSets) {
          if (rs !== current) scaleRs(rt, rs, 0, at);
        }
        rt.complete = true;
        rt.deadlineExceeded = false;
        setCondition(rt, at, {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        });
        setCondition(rt, at, {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${rsName(
            rt,
            current,
          )}" has successfully progressed.`,
        });
      },
    };
  }
  if (rt.deadlineExceeded) return undefined;
  return {
    at: rt.progressSince + ctx.progressingMs,
    apply: at => {
      rt.deadlineExceeded = true;
      setCondition(rt, at, {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rsName(
          rt,
          current,
        )}" has timed out progressing.`,
      });
    },
  };
}

function nextRolloutDue(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  resources: RenderedResource[],
  ctx: RuntimeContext,
): Due | undefined {
  const c = rt.canary!;
  const steps = stepsOf(workload);
  const due: Due[] = [];
  for (const run of c.runs) {
    if (run.phase !== 'Running') continue;
    const outcome = runOutcome(run);
    due.push({
      at: outcome.at,
      apply: at => {
        run.phase = outcome.phase;
        run.finishedAt = at;
        if (outcome.message) run.message = outcome.message;
        workloadEvent(
          rt,
          at,
          `AnalysisRun${outcome.phase}`,
          `Background Analysis Run '${run.name}' Status New: '${outcome.phase}' Previous: 'Running'`,
          outcome.phase === 'Failed' ? 'Warning' : 'Normal',
        );
        if (outcome.phase === 'Failed' && run.hash === rt.currentHash) {
          abortCanary(
            rt,
            workload,
            at,
            `Background analysis phase error/failed: ${outcome.message}`,
          );
        }
      },
    });
  }
  const current = findRs(rt, rt.currentHash);
  const waitForPods = (onReady: (at: number) => void, since: number) => {
    const readyAt = rsReadyAt(current, ctx);
    if (Number.isFinite(readyAt)) {
      due.push({ at: Math.max(readyAt, since, rt.checkedAt), apply: onReady });
    } else if (!rt.deadlineExceeded) {
      due.push({
        at: rt.progressSince + ctx.progressingMs,
        apply: at => {
          rt.deadlineExceeded = true;
          const message = `ReplicaSet "${rt.name}-${rt.currentHash}" has timed out progressing.`;
          setCondition(rt, at, {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message,
          });
          workloadEvent(rt, at, 'ProgressDeadlineExceeded', message, 'Warning');
        },
      });
    }
  };

  if (c.restartAt !== undefined && c.restartedAt !== c.restartAt) {
    const restartAt = c.restartAt;
    let readyAt = restartAt;
    for (const rs of rt.replicaSets) {
      if (rs.pods.length) readyAt = Math.max(readyAt, rsReadyAt(rs, ctx));
    }
    if (Number.isFinite(readyAt)) {
      due.push({
        at: Math.max(readyAt, rt.checkedAt),
        apply: () => {
          c.restartedAt = restartAt;
        },
      });
    }
  }

  if (!c.abort && current && !c.paused) {
    if (rt.stableHash === rt.currentHash) {
      // Fully promoted: only availability is left to wait for.
      const available = rt.conditions.find(x => x.type === 'Available');
      if (available?.status !== 'True') {
        waitForPods(at => {
          rt.deadlineExceeded = false;
          setCondition(rt, at, {
            type: 'Available',
            status: 'True',
            reason: 'AvailableReason',
            message: 'Rollout has minimum availability',
          });
          setCondition(rt, at, {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${rt.name}-${rt.currentHash}" has successfully progressed.`,
          });
        }, rt.progressSince);
      }
    } else if (c.promoteFull || c.stepIndex >= steps.length) {
      waitForPods(
        at =>
          promote(
            rt,
            workload,
            at,
            c.promoteFull
              ? 'Full promotion requested'
              : `Completed all ${steps.length} canary steps`,
          ),
        c.stepStartedAt,
      );
    } else {
      const step = steps[c.stepIndex];
      if (step?.setWeight !== undefined) {
        waitForPods(
          at => completeStep(rt, workload, resources, at, ctx),
          c.stepStartedAt,
        );
      } else if (step?.pause !== undefined) {
        const d = durationMs(step.pause?.duration);
        if (d !== undefined && c.pauseStartedAt !== undefined) {
          due.push({
            at: c.pauseStartedAt + d,
            apply: at => completeStep(rt, workload, resources, at, ctx),
          });
        }
      } else {
        // Steps the sandbox does not run (analysis, experiment) complete at once.
        due.push({
          at: c.stepStartedAt,
          apply: at => completeStep(rt, workload, resources, at, ctx),
        });
      }
    }
  }
  if (!due.length) return undefined;
  return due.reduce((a, b) => (b.at < a.at ? b : a));
}

function evaluateHpa(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  resources: RenderedResource[],
  ctx: RuntimeContext,
): boolean {
  const hpa = rt.hpa;
  const manifest = hpaOf(resources, workload);
  if (!hpa || !manifest) return false;
  const s = spec(manifest);
  const min = Number(s.minReplicas ?? 1);
  const max = Number(s.maxReplicas ?? min);
  const target = targetCpu(manifest);
  hpa.utilization = ctx.load ? LOAD_CPU : IDLE_CPU;
  const wanted = Math.ceil((hpa.current * hpa.utilization) / target);
  hpa.desired = Math.min(max, Math.max(min, wanted));
  if (hpa.desired === hpa.current) return false;
  const above = hpa.desired > hpa.current;
  hpa.current = hpa.desired;
  hpa.lastScaleTime = ctx.now;
  record(rt, ctx.now, {
    type: 'Normal',
    reason: 'SuccessfulRescale',
    message: `New size: ${hpa.desired}; reason: ${
      above
        ? 'cpu resource utilization (percentage of request) above target'
        : 'All metrics below target'
    }`,
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    name: manifest.name,
    component: 'horizontal-pod-autoscaler',
  });
  if (rt.kind === 'Deployment') {
    scaleRs(rt, findRs(rt, rt.currentHash)!, hpa.current, ctx.now);
  } else {
    scaleCanary(rt, workload, ctx.now);
  }
  return true;
}

function targetCpu(hpa: RenderedResource): number {
  const metric = (spec(hpa).metrics ?? []).find(
    (m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  return Number(metric?.resource?.target?.averageUtilization ?? 80);
}

/**
 * Applies what came due up to `ctx.now` (in order, each at its own time)
 * and, on a controller pass, the HPA's evaluation. Returns whether anything
 * changed, so an idle application is not written back.
 */
export function advance(
  rt: WorkloadRuntime,
  resources: RenderedResource[],
  ctx: RuntimeContext,
): boolean {
  const workload = workloadOf(resources);
  if (!workload || workload.kind !== rt.kind) return false;
  let changed = false;
  if (ctx.hpaStep && rt.hpa)
    changed = evaluateHpa(rt, workload, resources, ctx);
  if (!changed && rt.wakeAt !== undefined && ctx.now < rt.wakeAt) {
    return false;
  }
  for (let guard = 0; guard < 200; guard++) {
    const due =
      rt.kind === 'Deployment'
        ? nextDeploymentDue(rt, ctx)
        : nextRolloutDue(rt, workload, resources, ctx);
    if (!due || due.at > ctx.now) {
      rt.wakeAt = due?.at;
      break;
    }
    due.apply(due.at);
    rt.checkedAt = Math.max(rt.checkedAt, due.at);
    changed = true;
  }
  // Not a change worth a write on its own: the next write carries it.
  rt.checkedAt = Math.max(rt.checkedAt, ctx.now);
  return changed;
}

/** Something changed outside the timeline (an action, a scenario): look again at the next pass. */
export function wake(rt: WorkloadRuntime) {
  delete rt.wakeAt;
}

// ------------------------------------------------------------------ actions

/**
 * Makes the model follow a workload object an action patched (the Lua
 * port's output): Argo Rollouts or the Deployment controller reacting to
 * status.abort, status.promoteFull, removed pause conditions, spec.paused,
 * spec.restartAt, a new currentStepIndex or a new pod template annotation.
 */
export function followPatchedWorkload(
  rt: WorkloadRuntime,
  resources: RenderedResource[],
  before: Obj,
  after: Obj,
  ctx: RuntimeContext,
) {
  const workload = workloadOf(resources);
  if (!workload) return;
  const at = ctx.now;
  wake(rt);
  if (rt.kind === 'Deployment') {
    const paused = !!after.spec?.paused;
    if (paused !== !!rt.paused) rt.paused = paused;
    const annotations = after.spec?.template?.metadata?.annotations ?? {};
    const restartedAt = annotations['kubectl.kubernetes.io/restartedAt'];
    if (
      restartedAt &&
      restartedAt !==
        rt.templateAnnotations?.['kubectl.kubernetes.io/restartedAt']
    ) {
      rt.templateAnnotations = {
        ...(rt.templateAnnotations ?? {}),
        'kubectl.kubernetes.io/restartedAt': restartedAt,
      };
      applyWorkload(rt, resources, at, ctx);
    }
    return;
  }
  const c = rt.canary!;
  const steps = stepsOf(workload);
  const was = before.status ?? {};
  const now = after.status ?? {};
  if (
    after.spec?.restartAt &&
    after.spec.restartAt !== before.spec?.restartAt
  ) {
    c.restartAt = Date.parse(after.spec.restartAt);
    for (const rs of rt.replicaSets) {
      const n = rs.pods.length;
      if (!n) continue;
      rs.pods = [];
      for (let i = 0; i < n; i++) {
        rt.seq += 1;
        rs.pods.push({
          id: safeHash(5, rt.name, rs.hash, String(rt.seq)),
          createdAt: c.restartAt,
        });
      }
    }
  }
  if (!!after.spec?.paused !== !!c.paused) {
    c.paused = !!after.spec?.paused;
    workloadEvent(
      rt,
      at,
      c.paused ? 'RolloutPaused' : 'RolloutResumed',
      c.paused ? 'Rollout is paused (manually paused)' : 'Rollout is resumed',
    );
  }
  if (now.abort === true && was.abort !== true) {
    abortCanary(rt, workload, at, undefined);
    return;
  }
  if (now.abort !== true && was.abort === true) {
    c.abort = false;
    delete c.abortedAt;
    delete c.abortMessage;
    setCondition(rt, at, {
      type: 'Progressing',
      status: 'Unknown',
      reason: 'RolloutRetry',
      message: 'Retrying Rollout after abort',
    });
    if (rt.stableHash !== rt.currentHash) {
      enterStep(rt, workload, resources, 0, at, ctx);
    } else {
      scaleCanary(rt, workload, at);
    }
  }
  if (now.promoteFull === true && was.promoteFull !== true) {
    if (rt.stableHash !== rt.currentHash) {
      c.promoteFull = true;
      c.abort = false;
      c.pauseStartedAt = undefined;
      c.stepStartedAt = at;
      rt.progressSince = at;
      rt.deadlineExceeded = false;
      terminateRuns(rt, at);
      scaleCanary(rt, workload, at);
    }
    return;
  }
  const index =
    typeof now.currentStepIndex === 'number' ? now.currentStepIndex : undefined;
  if (index !== undefined && index !== was.currentStepIndex) {
    // skip-current-step, or a v0.9-style promote-full.
    if (c.pauseStartedAt !== undefined) {
      workloadEvent(rt, at, 'RolloutResumed', 'Rollout is resumed');
    }
    enterStep(rt, workload, resources, Math.min(index, steps.length), at, ctx);
    return;
  }
  const hadPause = (was.pauseConditions ?? []).length > 0;
  const hasPause = (now.pauseConditions ?? []).length > 0;
  if (hadPause && !hasPause && c.pauseStartedAt !== undefined) {
    completeStep(rt, workload, resources, at, ctx);
  }
}

// ------------------------------------------------------------------ views

/** One live object of the application, with its owner. */
export interface LiveObject {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  object: Obj;
  /** The managed (rendered) resource it is, or the object that owns it. */
  managed: boolean;
  owner?: {
    group: string;
    version: string;
    kind: string;
    name: string;
    uid: string;
  };
}

const groupVersion = (apiVersion: string) => {
  const [g, v] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  return { group: g, version: v };
};

function resourceVersionOf(obj: Obj) {
  return String(
    parseInt(sha(JSON.stringify(obj)).toString('hex').slice(0, 7), 16),
  );
}

/** Argo Rollouts' CalculateRolloutPhase (utils/rollout/rolloututil.go). */
export function rolloutPhase(
  spec0: Obj,
  status: Obj,
): { phase: string; message: string } {
  for (const cond of status.conditions ?? []) {
    if (cond.type === 'InvalidSpec') {
      return { phase: 'Degraded', message: `InvalidSpec: ${cond.message}` };
    }
    if (
      cond.reason === 'RolloutAborted' ||
      cond.reason === 'ProgressDeadlineExceeded'
    ) {
      return { phase: 'Degraded', message: `${cond.reason}: ${cond.message}` };
    }
  }
  if (spec0.paused) return { phase: 'Paused', message: 'manually paused' };
  for (const p of status.pauseConditions ?? []) {
    return { phase: 'Paused', message: p.reason };
  }
  if (spec0.restartAt && spec0.restartAt !== status.restartedAt) {
    return { phase: 'Progressing', message: 'rollout is restarting' };
  }
  if ((status.updatedReplicas ?? 0) < (spec0.replicas ?? 1)) {
    return {
      phase: 'Progressing',
      message: 'more replicas need to be updated',
    };
  }
  if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)) {
    return {
      phase: 'Progressing',
      message: 'updated replicas are still becoming available',
    };
  }
  if (spec0.strategy?.canary) {
    if (!spec0.strategy.canary.trafficRouting) {
      if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
        return {
          phase: 'Progressing',
          message: 'old replicas are pending termination',
        };
      }
    }
    if (!status.stableRS || status.stableRS !== status.currentPodHash) {
      return {
        phase: 'Progressing',
        message: 'waiting for all steps to complete',
      };
    }
  }
  return { phase: 'Healthy', message: '' };
}

const conditionView = (c: Condition) => ({
  type: c.type,
  status: c.status,
  reason: c.reason,
  message: c.message,
  lastTransitionTime: k8sTime(c.lastTransitionTime),
  lastUpdateTime: k8sTime(c.lastUpdateTime),
});

/** Crash times of a crash-looping container: kubelet's back-off, 10 s doubling up to 5 min. */
function crashes(firstAt: number, now: number) {
  const times: number[] = [];
  let t = firstAt;
  let backoff = CRASH_BACKOFF_MS;
  while (t <= now && times.length < 10_000) {
    times.push(t);
    t += backoff;
    backoff = Math.min(backoff * 2, CRASH_BACKOFF_MAX_MS);
  }
  return times;
}

function backoffAfter(n: number) {
  return Math.min(
    CRASH_BACKOFF_MS * 2 ** Math.max(0, n - 1),
    CRASH_BACKOFF_MAX_MS,
  );
}

function podObject(
  rt: WorkloadRuntime,
  rs: ReplicaSetRecord,
  slot: PodSlot,
  ctx: RuntimeContext,
): Obj {
  const name = `${rsName(rt, rs)}-${slot.id}`;
  const uid = uidFor(ctx.appUid, 'Pod', name);
  const container = rs.template.spec?.containers?.[0] ?? {};
  const cname = String(container.name ?? rt.name);
  const image = rs.image;
  const created = slot.createdAt;
  const t0 = created + ctx.progressingMs;
  const exists = ctx.hasImage(image);
  const behaviour = ctx.behaviour(image);
  const node = `sandbox-node-${
    (parseInt(sha(name).toString('hex').slice(0, 4), 16) % 3) + 1
  }`;
  let phase = 'Pending';
  let ready = false;
  const cs: Obj = {
    name: cname,
    image,
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: 'ContainerCreating' } },
  };
  if (ctx.now >= t0 && !exists) {
    cs.state = {
      waiting: {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${image}"`,
      },
    };
  } else if (ctx.now >= t0 && behaviour === 'crashloop') {
    const times = crashes(t0, ctx.now);
    const n = times.length;
    phase = 'Running';
    cs.imageID = `${image.split(':')[0]}@sha256:${sha(image).toString('hex')}`;
    cs.restartCount = n;
    cs.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goDuration(
          backoffAfter(n),
        )} restarting failed container=${cname} pod=${name}_${
          rt.namespace
        }(${uid})`,
      },
    };
    cs.lastState = {
      terminated: {
        exitCode: 1,
        reason: 'Error',
        startedAt: k8sTime(times[n - 1] - 1000),
        finishedAt: k8sTime(times[n - 1]),
        containerID: `containerd://${sha(name, String(n)).toString('hex')}`,
      },
    };
  } else if (ctx.now >= t0) {
    phase = 'Running';
    ready = true;
    cs.imageID = `${image.split(':')[0]}@sha256:${sha(image).toString('hex')}`;
    cs.ready = true;
    cs.started = true;
    cs.state = {
      running: { startedAt: k8sTime(created + ctx.progressingMs / 2) },
    };
  }
  const readyCond = ready ? 'True' : 'False';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: rt.namespace,
      uid,
      creationTimestamp: k8sTime(created),
      labels: rs.template.metadata?.labels ?? {},
      ...(rs.template.metadata?.annotations
        ? { annotations: rs.template.metadata.annotations }
        : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rsName(rt, rs),
          uid: uidFor(ctx.appUid, 'ReplicaSet', rsName(rt, rs)),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...structuredClone(rs.template.spec ?? {}),
      nodeName: node,
      restartPolicy: 'Always',
    },
    status: {
      phase,
      conditions: [
        {
          type: 'PodScheduled',
          status: 'True',
          lastTransitionTime: k8sTime(created),
        },
        {
          type: 'Initialized',
          status: 'True',
          lastTransitionTime: k8sTime(created),
        },
        {
          type: 'ContainersReady',
          status: readyCond,
          lastTransitionTime: k8sTime(ready ? t0 : created),
        },
        {
          type: 'Ready',
          status: readyCond,
          lastTransitionTime: k8sTime(ready ? t0 : created),
        },
      ],
      hostIP: `10.0.${node.slice(-1)}.10`,
      podIP: `10.0.${100 + (parseInt(uid.slice(0, 2), 16) % 100)}.${
        parseInt(uid.slice(2, 4), 16) % 250
      }`,
      startTime: k8sTime(created),
      qosClass: 'Burstable',
      containerStatuses: [cs],
    },
  };
}

function replicaSetObject(
  rt: WorkloadRuntime,
  rs: ReplicaSetRecord,
  ownerUid: string,
  ctx: RuntimeContext,
): Obj {
  const name = rsName(rt, rs);
  const ready = readyCount(rs, ctx);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: rt.namespace,
      uid: uidFor(ctx.appUid, 'ReplicaSet', name),
      creationTimestamp: k8sTime(rs.createdAt),
      generation: 1,
      labels: rs.template.metadata?.labels ?? {},
      annotations: { [revisionAnnotation(rt.kind)]: String(rs.revision) },
      ownerReferences: [
        {
          apiVersion:
            rt.kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
          kind: rt.kind,
          name: rt.name,
          uid: ownerUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: rs.pods.length,
      selector: {
        matchLabels: {
          ...(rs.template.metadata?.labels ?? {}),
        },
      },
      template: rs.template,
    },
    status: {
      replicas: rs.pods.length,
      fullyLabeledReplicas: rs.pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: 1,
    },
  };
}

function analysisRunObject(
  rt: WorkloadRuntime,
  run: AnalysisRecord,
  workload: RenderedResource,
  resources: RenderedResource[],
  ownerUid: string,
  ctx: RuntimeContext,
): Obj {
  const a = analysisOf(workload, resources);
  const end = Math.min(ctx.now, run.finishedAt ?? ctx.now);
  const measurements: Obj[] = [];
  let failed = 0;
  let successful = 0;
  for (let k = 0; k < run.count; k++) {
    const t = run.startedAt + k * run.intervalMs;
    if (t > end) break;
    if (run.message === 'Run Terminated' && t >= (run.finishedAt ?? Infinity))
      break;
    const phase = run.fails ? 'Failed' : 'Successful';
    if (run.fails) failed += 1;
    else successful += 1;
    measurements.push({
      phase,
      startedAt: k8sTime(t),
      finishedAt: k8sTime(t + 1000),
      metadata: { 'job-name': `${run.name}-readiness-${k + 1}` },
    });
  }
  let metricPhase: string = run.phase;
  if (run.phase === 'Failed' && !run.fails) metricPhase = 'Successful';
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: run.name,
      namespace: rt.namespace,
      uid: uidFor(ctx.appUid, 'AnalysisRun', run.name),
      creationTimestamp: k8sTime(run.startedAt),
      generation: 1,
      labels: {
        'rollout-type': 'Background',
        'rollouts-pod-template-hash': run.hash,
      },
      annotations: { 'rollout.argoproj.io/revision': String(run.revision) },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: rt.name,
          uid: ownerUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      metrics: a?.metrics ?? [],
      args: a?.args ?? [],
      ...(run.message === 'Run Terminated' ? { terminate: true } : {}),
    },
    status: {
      phase: run.phase,
      ...(run.message ? { message: run.message } : {}),
      startedAt: k8sTime(run.startedAt),
      ...(run.finishedAt !== undefined
        ? { completedAt: k8sTime(run.finishedAt) }
        : {}),
      metricResults: [
        {
          name: 'readiness',
          phase: metricPhase,
          count: measurements.length,
          successful,
          failed,
          measurements,
          ...(run.phase === 'Failed' && run.message
            ? { message: run.message }
            : {}),
        },
      ],
      runSummary: {
        count: 1,
        ...(run.phase === 'Successful' ? { successful: 1 } : {}),
        ...(run.phase === 'Failed' ? { failed: 1 } : {}),
      },
      dryRunSummary: {},
    },
  };
}

function workloadObject(
  rt: WorkloadRuntime,
  workload: RenderedResource,
  base: Obj,
  ctx: RuntimeContext,
): Obj {
  const obj = base;
  const replicas = desiredReplicas(rt, workload);
  const current = findRs(rt, rt.currentHash);
  const total = rt.replicaSets.reduce((n, r) => n + r.pods.length, 0);
  const ready = rt.replicaSets.reduce((n, r) => n + readyCount(r, ctx), 0);
  const updated = current?.pods.length ?? 0;
  obj.metadata.annotations = {
    ...(obj.metadata.annotations ?? {}),
    [revisionAnnotation(rt.kind)]: String(current?.revision ?? 1),
  };
  obj.metadata.generation = rt.generation;
  if (rt.hpa) obj.spec.replicas = replicas;
  if (rt.kind === 'Deployment') {
    if (rt.paused) obj.spec.paused = true;
    if (rt.templateAnnotations) {
      obj.spec.template = effectiveTemplate(rt, workload);
    }
    obj.status = {
      observedGeneration: rt.generation,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(total - ready > 0 ? { unavailableReplicas: total - ready } : {}),
      conditions: rt.conditions.map(conditionView),
    };
    return obj;
  }
  const c = rt.canary!;
  const steps = stepsOf(workload);
  if (c.paused) obj.spec.paused = true;
  if (c.restartAt !== undefined) obj.spec.restartAt = k8sTime(c.restartAt);
  const canaryRs = current;
  const w = canaryWeight(rt, steps);
  const run = [...c.runs].reverse().find(r => r.hash === rt.currentHash);
  const canarySpec = spec(workload).strategy?.canary ?? {};
  const pausing =
    c.pauseStartedAt !== undefined &&
    !c.abort &&
    rt.stableHash !== rt.currentHash;
  const status: Obj = {
    ...(rt.hpa ? { HPAReplicas: total } : {}),
    ...(c.abort ? { abort: true, abortedAt: iso(c.abortedAt) } : {}),
    ...(c.promoteFull ? { promoteFull: true } : {}),
    availableReplicas: ready,
    blueGreen: {},
    canary: {
      // Argo Rollouts sets weights only through a traffic router; a basic
      // canary (a share of the pods, as charts/service renders it) has none.
      ...(canarySpec.trafficRouting
        ? {
            weights: {
              canary: {
                weight: w,
                podTemplateHash: canaryRs?.hash ?? '',
                ...(canarySpec.canaryService
                  ? { serviceName: canarySpec.canaryService }
                  : {}),
              },
              stable: {
                weight: 100 - w,
                podTemplateHash: rt.stableHash ?? '',
                ...(canarySpec.stableService
                  ? { serviceName: canarySpec.stableService }
                  : {}),
              },
            },
          }
        : {}),
      ...(run && rt.stableHash !== rt.currentHash
        ? {
            currentBackgroundAnalysisRunStatus: {
              name: run.name,
              status: run.phase,
              ...(run.message ? { message: run.message } : {}),
            },
          }
        : {}),
    },
    conditions: rt.conditions.map(conditionView),
    ...(pausing ? { controllerPause: true } : {}),
    currentPodHash: rt.currentHash,
    currentStepHash: safeHash(10, JSON.stringify(steps)),
    ...(steps.length
      ? { currentStepIndex: Math.min(c.stepIndex, steps.length) }
      : {}),
    observedGeneration: String(rt.generation),
    ...(pausing
      ? {
          pauseConditions: [
            {
              reason: 'CanaryPauseStep',
              startTime: k8sTime(c.pauseStartedAt!),
            },
          ],
        }
      : {}),
    readyReplicas: ready,
    replicas: total,
    ...(c.restartedAt !== undefined
      ? { restartedAt: k8sTime(c.restartedAt) }
      : {}),
    selector: Object.entries(spec(workload).selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    stableRS: rt.stableHash ?? '',
    updatedReplicas: updated,
  };
  const { phase, message } = rolloutPhase(obj.spec, status);
  status.phase = phase;
  status.message = message;
  obj.status = status;
  return obj;
}

function hpaObject(
  rt: WorkloadRuntime,
  base: Obj,
  manifest: RenderedResource,
): Obj {
  const hpa = rt.hpa!;
  const s = spec(manifest);
  const max = Number(s.maxReplicas ?? 1);
  const min = Number(s.minReplicas ?? 1);
  const atMax = hpa.desired >= max && hpa.utilization > targetCpu(manifest);
  const atMin = hpa.desired <= min && hpa.utilization < targetCpu(manifest);
  const since =
    hpa.lastScaleTime ?? Date.parse(base.metadata.creationTimestamp);
  const t = k8sTime(since);
  let scalingLimited = {
    type: 'ScalingLimited',
    status: 'False',
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
    lastTransitionTime: t,
  };
  if (atMax) {
    scalingLimited = {
      ...scalingLimited,
      status: 'True',
      reason: 'TooManyReplicas',
      message:
        'the desired replica count is more than the maximum replica count',
    };
  } else if (atMin) {
    scalingLimited = {
      ...scalingLimited,
      status: 'True',
      reason: 'TooFewReplicas',
      message:
        'the desired replica count is less than the minimum replica count',
    };
  }
  base.status = {
    ...(hpa.lastScaleTime !== undefined
      ? { lastScaleTime: k8sTime(hpa.lastScaleTime) }
      : {}),
    currentReplicas: hpa.current,
    desiredReplicas: hpa.desired,
    currentMetrics: [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          current: {
            averageUtilization: hpa.utilization,
            averageValue: `${hpa.utilization}m`,
          },
        },
      },
    ],
    conditions: [
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'ReadyForNewScale',
        message: 'recommended size matches current size',
        lastTransitionTime: t,
      },
      {
        type: 'ScalingActive',
        status: 'True',
        reason: 'ValidMetricFound',
        message:
          'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
        lastTransitionTime: t,
      },
      scalingLimited,
    ],
  };
  return base;
}

/**
 * Every live object of the application: the managed resources as applied
 * (with the status Kubernetes and its controllers would give them) and, with
 * `children`, what their controllers created (ReplicaSets, Pods,
 * AnalysisRuns), newest ReplicaSet first. Without `versions` the objects
 * have no resourceVersion (a hash of each, not needed to assess health).
 */
export function liveObjects(
  rt: WorkloadRuntime | undefined,
  resources: RenderedResource[],
  meta: { createdAt: number },
  ctx: RuntimeContext,
  opts: { children: boolean; versions: boolean } = {
    children: true,
    versions: true,
  },
): LiveObject[] {
  const out: LiveObject[] = [];
  const workload = workloadOf(resources);
  let workloadUid = '';
  for (const r of resources) {
    const uid = uidFor(ctx.appUid, r.kind, r.name);
    const base: Obj = structuredClone(r.manifest);
    base.metadata = {
      ...(base.metadata ?? {}),
      uid,
      creationTimestamp: k8sTime(meta.createdAt),
      generation: 1,
    };
    let obj = base;
    if (rt && r === workload && r.kind === rt.kind) {
      workloadUid = uid;
      obj = workloadObject(rt, r, base, ctx);
    } else if (
      rt?.hpa &&
      workload &&
      r.kind === 'HorizontalPodAutoscaler' &&
      hpaOf(resources, workload) === r
    ) {
      obj = hpaObject(rt, base, r);
    } else if (r.kind === 'Service' && r.group === '') {
      const s = (obj.spec ??= {});
      s.clusterIP = `172.20.${parseInt(uid.slice(0, 2), 16)}.${
        parseInt(uid.slice(2, 4), 16) % 250
      }`;
      s.clusterIPs = [s.clusterIP];
      s.sessionAffinity = 'None';
      // Argo Rollouts points the canary and stable Services at their pods.
      const canarySpec = workload ? spec(workload).strategy?.canary : undefined;
      if (rt?.kind === 'Rollout' && canarySpec) {
        let hash: string | undefined;
        if (r.name === canarySpec.canaryService) hash = rt.currentHash;
        else if (r.name === canarySpec.stableService) hash = rt.stableHash;
        if (hash) {
          s.selector = {
            ...(s.selector ?? {}),
            'rollouts-pod-template-hash': hash,
          };
        }
      }
      obj.status = { loadBalancer: {} };
    } else if (r.kind === 'Ingress') {
      // An ingress controller has given it an address: Healthy.
      obj.status = {
        loadBalancer: {
          ingress: [
            { hostname: `k8s-${r.namespace}-${r.name}.elb.amazonaws.com` },
          ],
        },
      };
    }
    if (opts.versions) obj.metadata.resourceVersion = resourceVersionOf(obj);
    out.push({
      group: r.group,
      version: r.version,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      uid,
      object: obj,
      managed: true,
    });
  }
  if (!rt || !opts.children || !workload || !workloadUid) return out;
  const ownerApi = rt.kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1';
  const sets = [...rt.replicaSets].sort((a, b) => b.revision - a.revision);
  for (const rs of sets) {
    const rsObj = replicaSetObject(rt, rs, workloadUid, ctx);
    rsObj.metadata.resourceVersion = resourceVersionOf(rsObj);
    out.push({
      group: 'apps',
      version: 'v1',
      kind: 'ReplicaSet',
      namespace: rt.namespace,
      name: rsObj.metadata.name,
      uid: rsObj.metadata.uid,
      object: rsObj,
      managed: false,
      owner: {
        ...groupVersion(ownerApi),
        kind: rt.kind,
        name: rt.name,
        uid: workloadUid,
      },
    });
  }
  for (const rs of sets) {
    for (const slot of rs.pods) {
      const pod = podObject(rt, rs, slot, ctx);
      pod.metadata.resourceVersion = resourceVersionOf(pod);
      out.push({
        group: '',
        version: 'v1',
        kind: 'Pod',
        namespace: rt.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        object: pod,
        managed: false,
        owner: {
          group: 'apps',
          version: 'v1',
          kind: 'ReplicaSet',
          name: rsName(rt, rs),
          uid: uidFor(ctx.appUid, 'ReplicaSet', rsName(rt, rs)),
        },
      });
    }
  }
  for (const run of [...(rt.canary?.runs ?? [])].reverse()) {
    const ar = analysisRunObject(
      rt,
      run,
      workload,
      resources,
      workloadUid,
      ctx,
    );
    ar.metadata.resourceVersion = resourceVersionOf(ar);
    out.push({
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'AnalysisRun',
      namespace: rt.namespace,
      name: run.name,
      uid: ar.metadata.uid,
      object: ar,
      managed: false,
      owner: {
        group: 'argoproj.io',
        version: 'v1alpha1',
        kind: 'Rollout',
        name: rt.name,
        uid: workloadUid,
      },
    });
  }
  return out;
}

/** A Kubernetes event as the API lists it (events.Event in Argo CD's swagger). */
export interface EventView {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
  };
  involvedObject: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace: string;
    uid: string;
  };
  reason: string;
  message: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: string;
  reportingComponent: string;
  reportingInstance: string;
}

/**
 * The events of the workload's objects: those recorded at transitions,
 * and the kubelet's back-off warnings of pods that crash or cannot pull
 * their image (counted from the clock, like their restarts).
 */
export function runtimeEvents(
  rt: WorkloadRuntime | undefined,
  objects: LiveObject[],
  ctx: RuntimeContext,
): EventView[] {
  if (!rt) return [];
  const out: EventView[] = [];
  const view = (
    e: Omit<RecordedEvent, 'seq'>,
    uid: string,
    host?: string,
  ): EventView => {
    const name = `${e.name}.${sha(e.kind, e.name, e.reason, e.message)
      .toString('hex')
      .slice(0, 16)}`;
    return {
      metadata: {
        name,
        namespace: rt.namespace,
        uid: uidFor(ctx.appUid, 'Event', name),
        resourceVersion: String(e.last % 1_000_000_000),
        creationTimestamp: k8sTime(e.first),
      },
      involvedObject: {
        apiVersion: e.apiVersion,
        kind: e.kind,
        name: e.name,
        namespace: rt.namespace,
        uid,
      },
      reason: e.reason,
      message: e.message,
      source: { component: e.component, ...(host ? { host } : {}) },
      firstTimestamp: k8sTime(e.first),
      lastTimestamp: k8sTime(e.last),
      count: e.count,
      type: e.type,
      reportingComponent: e.component,
      reportingInstance: host ?? '',
    };
  };
  for (const e of rt.events) {
    out.push(view(e, uidFor(ctx.appUid, e.kind, e.name)));
  }
  for (const o of objects) {
    if (o.kind !== 'Pod') continue;
    const cs = o.object.status?.containerStatuses?.[0];
    const waiting = cs?.state?.waiting;
    const host = o.object.spec?.nodeName;
    if (waiting?.reason === 'CrashLoopBackOff') {
      const restarts = Number(cs.restartCount ?? 0);
      const first =
        Date.parse(o.object.metadata.creationTimestamp) + ctx.progressingMs;
      const last =
        Date.parse(cs.lastState?.terminated?.finishedAt ?? '') || first;
      out.push(
        view(
          {
            type: 'Warning',
            reason: 'BackOff',
            message: `Back-off restarting failed container ${cs.name} in pod ${o.name}_${o.namespace}(${o.uid})`,
            apiVersion: 'v1',
            kind: 'Pod',
            name: o.name,
            component: 'kubelet',
            first,
            last,
            count: restarts,
          },
          o.uid,
          host,
        ),
      );
    } else if (waiting?.reason === 'ImagePullBackOff') {
      const first =
        Date.parse(o.object.metadata.creationTimestamp) + ctx.progressingMs;
      const pulls = crashes(first, ctx.now);
      out.push(
        view(
          {
            type: 'Warning',
            reason: 'Failed',
            message: `Failed to pull image "${cs.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${cs.image}": not found`,
            apiVersion: 'v1',
            kind: 'Pod',
            name: o.name,
            component: 'kubelet',
            first,
            last: pulls[pulls.length - 1] ?? first,
            count: pulls.length,
          },
          o.uid,
          host,
        ),
        view(
          {
            type: 'Normal',
            reason: 'BackOff',
            message: `Back-off pulling image "${cs.image}"`,
            apiVersion: 'v1',
            kind: 'Pod',
            name: o.name,
            component: 'kubelet',
            first,
            last: pulls[pulls.length - 1] ?? first,
            count: pulls.length,
          },
          o.uid,
          host,
        ),
      );
    }
  }
  return out.sort((a, b) => a.lastTimestamp.localeCompare(b.lastTimestamp));
}
