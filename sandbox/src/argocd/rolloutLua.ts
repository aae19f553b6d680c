/*
 * Argo CD's built-in Lua for Argo Rollouts' Rollout, ported to TypeScript
 * line by line: health (resource_customizations/argoproj.io/Rollout/health.lua),
 * action discovery (actions/discovery.lua) and the actions themselves
 * (actions/<name>/action.lua), plus the AnalysisRun's health.lua. The
 * sources and Argo CD's own test cases are in
 * specs/argocd-rollout-customizations/; rolloutLua.test.ts runs every case.
 *
 * Lua's semantics are kept where they change a result: only nil and false
 * are false, `tonumber` of a non-numeric string is nil, and indexing nil or
 * comparing nil with a number raises an error (which Argo CD reports: a
 * health script error makes the resource's health Unknown, an action error
 * fails the request).
 */

/** A Kubernetes object as Lua sees it (decoded JSON). */
export type LuaObject = Record<string, any>;

/** An error the Lua script would have raised. */
export class LuaError extends Error {}

/** What a health script returns. */
export interface LuaHealth {
  status: string;
  message?: string;
}

/** One entry of a discovery script's result, as Argo CD decodes it. */
export interface LuaResourceAction {
  name: string;
  disabled: boolean;
  displayName?: string;
  iconClass?: string;
  params?: Array<{ name: string }>;
}

/** Lua's truthiness: only nil and false are false. */
const truthy = (v: unknown) => v !== undefined && v !== null && v !== false;

/** `t.k` in Lua: indexing nil raises an error. */
function idx(t: unknown, key: string): any {
  if (t === undefined || t === null) {
    throw new LuaError(`attempt to index a nil value (field '${key}')`);
  }
  return typeof t === 'object' ? (t as LuaObject)[key] : undefined;
}

/** `table.getn(t)`: the length of an array; nil raises an error. */
function getn(t: unknown): number {
  if (!Array.isArray(t)) {
    if (t === undefined || t === null) {
      throw new LuaError("bad argument #1 to 'getn' (table expected, got nil)");
    }
    // A Lua table decoded from a JSON object has no array part.
    return 0;
  }
  return t.length;
}

/** Lua's `<` / `>`: numbers with numbers, strings with strings, else an error. */
function lt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  const type = (v: unknown) =>
    v === undefined || v === null ? 'nil' : typeof v;
  throw new LuaError(`attempt to compare ${type(a)} with ${type(b)}`);
}

/** Lua 5.1's `tonumber`: numbers, decimal and hex numerals (with spaces around); else nil. */
export function luaToNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^-?0[xX][0-9a-fA-F]+$/.test(s)) return parseInt(s, 16);
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Number(s);
  return undefined;
}

// ---------------------------------------------------------------- health.lua

function checkReplicasStatus(
  obj: LuaObject,
  counts: { statusReplicas: number; updatedReplicas: number },
): LuaHealth | undefined {
  const desiredReplicas = getNumberValueOrDefault(idx(obj.spec, 'replicas'), 1);
  counts.statusReplicas = getNumberValueOrDefault(
    idx(obj.status, 'replicas'),
    0,
  );
  counts.updatedReplicas = getNumberValueOrDefault(
    idx(obj.status, 'updatedReplicas'),
    0,
  );
  const availableReplicas = getNumberValueOrDefault(
    idx(obj.status, 'availableReplicas'),
    0,
  );
  if (lt(counts.updatedReplicas, desiredReplicas)) {
    return {
      status: 'Progressing',
      message:
        'Waiting for roll out to finish: More replicas need to be updated',
    };
  }
  if (lt(availableReplicas, counts.updatedReplicas)) {
    return {
      status: 'Progressing',
      message:
        'Waiting for roll out to finish: updated replicas are still becoming available',
    };
  }
  return undefined;
}

/** v0.8 moved .status.canary.stableRS to .status.stableRS; reads either. */
function getStableRS(obj: LuaObject): unknown {
  if (obj.status.stableRS !== undefined && obj.status.stableRS !== null) {
    return obj.status.stableRS;
  }
  if (obj.status.canary !== undefined && obj.status.canary !== null) {
    return obj.status.canary.stableRS;
  }
  return '';
}

function getNumberValueOrDefault(field: unknown, def: number): any {
  if (field !== undefined && field !== null) return field;
  return def;
}

function checkPaused(obj: LuaObject): LuaHealth | undefined {
  const hs = { status: 'Suspended', message: 'Rollout is paused' };
  const pauseConditions = idx(obj.status, 'pauseConditions');
  if (
    pauseConditions !== undefined &&
    pauseConditions !== null &&
    getn(pauseConditions) > 0
  ) {
    return hs;
  }
  const paused = idx(obj.spec, 'paused');
  if (paused !== undefined && paused !== null && truthy(paused)) return hs;
  return undefined;
}

/** Only v0.10+ Rollouts have a numeric observedGeneration; older ones count as observed. */
function isGenerationObserved(obj: LuaObject): boolean {
  if (obj.status === undefined || obj.status === null) return false;
  const observedGeneration = luaToNumber(obj.status.observedGeneration);
  if (
    observedGeneration === undefined ||
    lt(idx(obj.metadata, 'generation'), observedGeneration)
  ) {
    return true;
  }
  return observedGeneration === obj.metadata.generation;
}

/** Only v1.1 Rollouts with a workloadRef have a workload generation to observe. */
function isWorkloadGenerationObserved(obj: LuaObject): boolean {
  const annotations = idx(obj.metadata, 'annotations');
  if (
    idx(obj.spec, 'workloadRef') === undefined ||
    idx(obj.spec, 'workloadRef') === null ||
    annotations === undefined ||
    annotations === null
  ) {
    return true;
  }
  const workloadGen = luaToNumber(
    annotations['rollout.argoproj.io/workload-generation'],
  );
  const observedWorkloadGen = luaToNumber(
    idx(obj.status, 'workloadObservedGeneration'),
  );
  return workloadGen === observedWorkloadGen;
}

function healthLua(obj: LuaObject): LuaHealth {
  if (!isGenerationObserved(obj) || !isWorkloadGenerationObserved(obj)) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout spec update to be observed',
    };
  }
  const status = idx(obj, 'status');
  // Argo Rollouts v1.0+ records a phase and message that Argo CD surfaces as is.
  if (status.phase !== undefined && status.phase !== null) {
    return {
      status: status.phase === 'Paused' ? 'Suspended' : status.phase,
      message: status.message ?? undefined,
    };
  }
  const conditions = status.conditions;
  if (!Array.isArray(conditions)) {
    throw new LuaError("bad argument #1 to 'ipairs' (table expected, got nil)");
  }
  for (const condition of conditions) {
    if (condition.type === 'InvalidSpec') {
      return { status: 'Degraded', message: condition.message };
    }
    if (
      condition.type === 'Progressing' &&
      condition.reason === 'RolloutAborted'
    ) {
      return { status: 'Degraded', message: condition.message };
    }
    if (
      condition.type === 'Progressing' &&
      condition.reason === 'ProgressDeadlineExceeded'
    ) {
      return { status: 'Degraded', message: condition.message };
    }
  }
  const isPaused = checkPaused(obj);
  if (isPaused) return isPaused;
  if (status.currentPodHash === undefined || status.currentPodHash === null) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: status has not been reconciled.',
    };
  }
  const counts = { statusReplicas: 0, updatedReplicas: 0 };
  const replicasHS = checkReplicasStatus(obj, counts);
  if (replicasHS) return replicasHS;

  const stableRS = getStableRS(obj);
  const strategy = idx(obj.spec, 'strategy');
  if (strategy.blueGreen !== undefined && strategy.blueGreen !== null) {
    if (
      status.blueGreen === undefined ||
      status.blueGreen === null ||
      status.blueGreen.activeSelector !== status.currentPodHash
    ) {
      return {
        status: 'Progressing',
        message: 'active service cutover pending',
      };
    }
    if (stableRS !== '' && stableRS !== status.currentPodHash) {
      return {
        status: 'Progressing',
        message: 'waiting for analysis to complete',
      };
    }
  } else if (strategy.canary !== undefined && strategy.canary !== null) {
    if (lt(counts.updatedReplicas, counts.statusReplicas)) {
      return {
        status: 'Progressing',
        message:
          'Waiting for roll out to finish: old replicas are pending termination',
      };
    }
    if (stableRS === '' || stableRS !== status.currentPodHash) {
      return {
        status: 'Progressing',
        message: 'Waiting for rollout to finish steps',
      };
    }
  }
  return { status: 'Healthy', message: '' };
}

/**
 * The health Argo CD gives a Rollout (health.lua). A script error makes it
 * Unknown with the error as the message, as Argo CD reports it.
 */
export function rolloutHealth(obj: LuaObject): LuaHealth {
  try {
    return healthLua(obj);
  } catch (e) {
    if (e instanceof LuaError) return { status: 'Unknown', message: e.message };
    throw e;
  }
}

/** The health Argo CD gives an AnalysisRun (argoproj.io/AnalysisRun/health.lua). */
export function analysisRunHealth(obj: LuaObject): LuaHealth {
  const status = obj.status;
  if (status !== undefined && status !== null) {
    const or = (field: unknown, def: string) =>
      field !== undefined && field !== null ? String(field) : def;
    switch (status.phase) {
      case 'Pending':
      case 'Running':
        return { status: 'Progressing', message: 'Analysis run is running' };
      case 'Successful':
        return {
          status: 'Healthy',
          message: or(status.message, 'Analysis run completed successfully'),
        };
      case 'Failed':
        return {
          status: 'Degraded',
          message: or(status.message, 'Analysis run failed'),
        };
      case 'Error':
        return {
          status: 'Degraded',
          message: or(status.message, 'Analysis run had an error'),
        };
      case 'Inconclusive':
        return {
          status: 'Unknown',
          message: or(status.message, 'Analysis run was inconclusive'),
        };
      default:
        // hs stays empty: Argo CD then has no health for it.
        return { status: '' };
    }
  }
  return {
    status: 'Progressing',
    message:
      'Waiting for analysis run to finish: status has not been reconciled.',
  };
}

// ------------------------------------------------------ actions/discovery.lua

/** The Rollout action names Argo CD has built in. */
export const ROLLOUT_ACTIONS = [
  'restart',
  'resume',
  'abort',
  'retry',
  'pause',
  'promote-full',
  'skip-current-step',
] as const;

/**
 * The actions Argo CD offers on a Rollout (actions/discovery.lua), as
 * ListResourceActions answers them: a nil `disabled` is false.
 */
export function rolloutActions(obj: LuaObject): LuaResourceAction[] {
  const actions: Record<string, { disabled?: unknown; displayName?: string }> =
    {};
  actions.restart = { disabled: false, displayName: 'Restart Pods' };

  let paused: unknown = false;
  if (
    obj.status !== undefined &&
    obj.status !== null &&
    obj.status.pauseConditions !== undefined &&
    obj.status.pauseConditions !== null
  ) {
    paused = getn(obj.status.pauseConditions) > 0;
  } else if (
    idx(obj.spec, 'paused') !== undefined &&
    obj.spec.paused !== null
  ) {
    paused = obj.spec.paused;
  }
  actions.resume = { disabled: !truthy(paused) };

  const status = idx(obj, 'status');
  const fullyPromoted = idx(status, 'currentPodHash') === status.stableRS;
  // Lua's `a or b` yields b (possibly nil) when a is false.
  const or = (...vs: unknown[]) => {
    for (const v of vs.slice(0, -1)) if (truthy(v)) return v;
    return vs[vs.length - 1];
  };
  actions.abort = { disabled: or(fullyPromoted, status.abort) };
  actions.retry = { disabled: or(fullyPromoted, !truthy(status.abort)) };
  actions.pause = {
    disabled: or(fullyPromoted, status.abort, obj.spec.paused),
  };

  actions['promote-full'] = { disabled: true };
  if (!fullyPromoted) {
    const generation = luaToNumber(status.observedGeneration);
    if (
      generation === undefined ||
      lt(idx(obj.metadata, 'generation'), generation)
    ) {
      // Rollouts v0.9: full promotion only for canary.
      actions['promote-full'] = {
        disabled:
          obj.spec.strategy.blueGreen !== undefined &&
          obj.spec.strategy.blueGreen !== null,
      };
    } else {
      // Rollouts v0.10+.
      actions['promote-full'].disabled = false;
    }
  }

  const canary = idx(obj.spec, 'strategy').canary;
  actions['skip-current-step'] = {
    disabled:
      canary === undefined ||
      canary === null ||
      canary.steps === undefined ||
      canary.steps === null ||
      status.currentStepIndex === getn(canary.steps),
  };

  return Object.entries(actions).map(([name, a]) => ({
    name,
    disabled: truthy(a.disabled),
    ...(a.displayName ? { displayName: a.displayName } : {}),
  }));
}

// ----------------------------------------------------- actions/<name>/action.lua

/** `os.date("!%Y-%m-%dT%XZ")`: UTC, seconds precision. */
function luaDateUtc(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const rolloutActionScripts: Record<
  string,
  (obj: LuaObject, now: Date) => LuaObject
> = {
  abort(obj) {
    idx(obj, 'status').abort = true;
    return obj;
  },
  pause(obj) {
    idx(obj, 'spec').paused = true;
    return obj;
  },
  'promote-full'(obj) {
    if (obj.status !== undefined && obj.status !== null) {
      const generation = luaToNumber(obj.status.observedGeneration);
      if (
        generation === undefined ||
        lt(idx(obj.metadata, 'generation'), generation)
      ) {
        // Rollouts v0.9 and below.
        delete obj.status.abort;
        const steps = idx(idx(idx(obj.spec, 'strategy'), 'canary'), 'steps');
        if (steps !== undefined && steps !== null) {
          obj.status.currentStepIndex = getn(steps);
        }
      } else {
        // Rollouts v0.10+.
        obj.status.promoteFull = true;
      }
    }
    return obj;
  },
  restart(obj, now) {
    idx(obj, 'spec').restartAt = luaDateUtc(now);
    return obj;
  },
  resume(obj) {
    const pauseConditions = idx(obj.status, 'pauseConditions');
    if (
      pauseConditions !== undefined &&
      pauseConditions !== null &&
      getn(pauseConditions) > 0
    ) {
      delete obj.status.pauseConditions;
    }
    const paused = idx(obj.spec, 'paused');
    if (paused !== undefined && paused !== null && truthy(paused)) {
      obj.spec.paused = false;
    }
    return obj;
  },
  retry(obj) {
    delete idx(obj, 'status').abort;
    return obj;
  },
  'skip-current-step'(obj) {
    if (obj.status !== undefined && obj.status !== null) {
      const canary = idx(idx(obj, 'spec').strategy, 'canary');
      if (
        canary !== undefined &&
        canary !== null &&
        canary.steps !== undefined &&
        canary.steps !== null &&
        lt(obj.status.currentStepIndex, getn(canary.steps))
      ) {
        const pauseConditions = obj.status.pauseConditions;
        if (
          pauseConditions !== undefined &&
          pauseConditions !== null &&
          getn(pauseConditions) > 0
        ) {
          delete obj.status.pauseConditions;
        }
        obj.status.currentStepIndex = obj.status.currentStepIndex + 1;
      }
    }
    return obj;
  },
};

/** Argo CD's error for an action it has no script for. */
export class UnknownActionError extends Error {
  constructor() {
    super('built-in script does not exist');
  }
}

/**
 * Runs a Rollout action (actions/<name>/action.lua) on a copy of `obj` and
 * returns the patched object, as Argo CD's Lua VM would; `now` is the
 * clock os.date reads. Throws UnknownActionError for a name Argo CD has no
 * script for, LuaError where the script would fail.
 */
export function runRolloutAction(
  name: string,
  obj: LuaObject,
  now: Date,
): LuaObject {
  const script = Object.prototype.hasOwnProperty.call(
    rolloutActionScripts,
    name,
  )
    ? rolloutActionScripts[name]
    : undefined;
  if (!script) throw new UnknownActionError();
  return script(structuredClone(obj), now);
}

// --------------------------------------- apps/Deployment actions (built in too)

/** Argo CD's apps/Deployment actions/discovery.lua. */
export function deploymentActions(obj: LuaObject): LuaResourceAction[] {
  let paused: unknown = false;
  const specPaused = idx(obj, 'spec').paused;
  if (specPaused !== undefined && specPaused !== null) paused = specPaused;
  return [
    { name: 'restart', disabled: false, iconClass: 'fa fa-fw fa-redo' },
    {
      name: 'pause',
      disabled: truthy(paused),
      iconClass: 'fa fa-fw fa-pause-circle',
    },
    {
      name: 'resume',
      disabled: !truthy(paused),
      iconClass: 'fa fa-fw fa-play-circle',
    },
    {
      name: 'scale',
      disabled: false,
      iconClass: 'fa fa-fw fa-plus-circle',
      params: [{ name: 'replicas' }],
    },
  ];
}

/**
 * Runs an apps/Deployment action (restart, pause, resume, scale with the
 * `replicas` parameter) on a copy of `obj`, as Argo CD's scripts do.
 */
export function runDeploymentAction(
  name: string,
  obj: LuaObject,
  now: Date,
  params: Record<string, string> = {},
): LuaObject {
  const out = structuredClone(obj);
  switch (name) {
    case 'restart': {
      const template = idx(idx(out, 'spec'), 'template');
      template.metadata ??= {};
      template.metadata.annotations ??= {};
      template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] =
        luaDateUtc(now);
      return out;
    }
    case 'pause':
      idx(out, 'spec').paused = true;
      return out;
    case 'resume':
      delete idx(out, 'spec').paused;
      return out;
    case 'scale': {
      const replicas = luaToNumber(params.replicas);
      if (replicas === undefined) {
        // error("invalid number: " .. actionParams["replicas"], 0)
        throw new LuaError(`invalid number: ${params.replicas}`);
      }
      idx(out, 'spec').replicas = replicas;
      return out;
    }
    default:
      throw new UnknownActionError();
  }
}
