/*
 * Fault injection and request counting, per upstream.
 *
 * Faults come from the sandbox's options (and so from SANDBOX_FAULTS, a JSON
 * object, in main.ts) and can be changed at run time through the control
 * API: added latency, an error rate answered with 429/500/503, and for AWS a
 * throttling rate answered with AWS's own ThrottlingException. Every request
 * is counted per upstream and operation; tests and benchmarks read and reset
 * the counters.
 */

/** The upstreams the sandbox stands in for. */
export type Upstream = 'github' | 'aws' | 'argocd' | 'jenkins';

export const UPSTREAMS: Upstream[] = ['github', 'aws', 'argocd', 'jenkins'];

/** What to inject into one upstream's responses. */
export interface FaultSpec {
  /** Milliseconds added before every response. Default 0. */
  latencyMs?: number;
  /** Share of requests (0..1) answered with an error status. Default 0. */
  errorRate?: number;
  /** The statuses an injected error picks from. Default [500]. */
  errorStatuses?: Array<429 | 500 | 503>;
  /** AWS only: share of requests (0..1) answered with ThrottlingException. */
  throttleRate?: number;
  /** AWS only: the next N requests are throttled, then normal service. */
  throttleNext?: number;
  /**
   * Per operation (the names the counters use, e.g. `ecr:CreateRepository`,
   * `git/create-ref`, `argocd:ApplicationService_Create`): the next `count`
   * requests of that operation fail with `status` (AWS: `throttle` answers
   * ThrottlingException), then it serves normally. Decided before the rates.
   */
  failNext?: Record<string, { count: number; status?: FaultStatus }>;
}

/** What a per-operation rule answers: an HTTP status, or AWS throttling. */
export type FaultStatus = 429 | 500 | 503 | 'throttle';

export type Faults = Partial<Record<Upstream, FaultSpec>>;

/**
 * The fault mix provisioning is measured and tested under (the template run
 * test, bench/provisioning): AWS throttling at a rate the SDK's default
 * three attempts do not absorb, GitHub and Argo CD 5xx and 429, Jenkins
 * errors. With a fault seed it injects the same faults on every run.
 */
export const PROVISIONING_FAULT_MIX: Faults = {
  aws: { throttleRate: 0.25, errorRate: 0.05, errorStatuses: [500, 503] },
  github: { errorRate: 0.1, errorStatuses: [500, 503, 429] },
  argocd: { errorRate: 0.1, errorStatuses: [503, 500] },
  jenkins: { errorRate: 0.1, errorStatuses: [503] },
};

/** What the fault injector decided for one request. */
export type FaultDecision =
  | { kind: 'pass' }
  | { kind: 'error'; status: number }
  | { kind: 'throttle' };

/** Parses and checks a faults object (from JSON), with clear errors. */
export function parseFaults(input: unknown): Faults {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new Error('faults must be an object keyed by upstream');
  }
  const out: Faults = {};
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    if (!UPSTREAMS.includes(key as Upstream)) {
      throw new Error(
        `unknown upstream '${key}' in faults; use one of ${UPSTREAMS.join(
          ', ',
        )}`,
      );
    }
    const spec = raw as FaultSpec;
    const rate = (name: keyof FaultSpec) => {
      const v = spec[name];
      if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 1)) {
        throw new Error(`faults.${key}.${name} must be a number from 0 to 1`);
      }
    };
    rate('errorRate');
    rate('throttleRate');
    if (
      spec.latencyMs !== undefined &&
      (typeof spec.latencyMs !== 'number' ||
        spec.latencyMs < 0 ||
        spec.latencyMs > 60_000)
    ) {
      throw new Error(
        `faults.${key}.latencyMs must be a number from 0 to 60000`,
      );
    }
    for (const [operation, rule] of Object.entries(spec.failNext ?? {})) {
      if (
        !rule ||
        !Number.isInteger(rule.count) ||
        rule.count < 0 ||
        (rule.status !== undefined &&
          ![429, 500, 503, 'throttle'].includes(rule.status))
      ) {
        throw new Error(
          `faults.${key}.failNext['${operation}'] must be { count: a whole number >= 0, status?: 429, 500, 503 or 'throttle' }`,
        );
      }
    }
    for (const s of spec.errorStatuses ?? []) {
      if (![429, 500, 503].includes(s)) {
        throw new Error(
          `faults.${key}.errorStatuses may hold 429, 500 and 503 only`,
        );
      }
    }
    out[key as Upstream] = structuredClone(spec);
  }
  return out;
}

/** A request held at the door until the test releases it. */
interface Hold {
  reached: () => void;
  released: Promise<void>;
}

/** Holds the faults in force and the request counters. */
export class FaultInjector {
  #faults: Faults;
  #counts = new Map<string, number>();
  #mutating = new Set<string>();
  #random: (key: string) => number;
  #holds = new Map<string, Hold>();

  /**
   * `source` decides the rates: a random function, or `{ seed }` (the
   * sandbox's `faultSeed` option, SANDBOX_FAULT_SEED) for faults that are
   * the same on every run. Seeded, each upstream operation draws from its
   * own sequence, so requests of different operations interleaving in
   * another order (concurrent steps, background polls) do not change which
   * request of an operation meets a fault.
   */
  constructor(
    faults: Faults = {},
    source: (() => number) | { seed: number } = Math.random,
  ) {
    this.#faults = parseFaults(faults);
    if (typeof source === 'function') {
      this.#random = () => source();
    } else {
      const streams = new Map<string, () => number>();
      this.#random = key => {
        let stream = streams.get(key);
        if (!stream) {
          stream = seededRandom(source.seed ^ hashKey(key));
          streams.set(key, stream);
        }
        return stream();
      };
    }
  }

  /**
   * Holds the next request of `operation` before it is served, until
   * `release()`: `reached` resolves when it arrives. Tests use it to stop a
   * client between two side effects (for example, to kill a backend while
   * its request is in flight); once released, the request is served as if
   * it had only been slow.
   */
  hold(
    upstream: Upstream,
    operation: string,
  ): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>(r => (reached = r));
    const released = new Promise<void>(r => (release = r));
    this.#holds.set(`${upstream} ${operation}`, { reached, released });
    return { reached: arrived, release };
  }

  /** Replaces the faults of the named upstreams (others are kept). */
  set(faults: Faults) {
    this.#faults = { ...this.#faults, ...parseFaults(faults) };
  }

  /** Clears every fault. */
  clear() {
    this.#faults = {};
  }

  get faults(): Faults {
    return structuredClone(this.#faults);
  }

  /**
   * Counts one request to `upstream` for `operation`; `method` (the HTTP
   * method) lets {@link FaultInjector.mutations} tell reads from changes.
   */
  count(upstream: Upstream, operation: string, method = 'GET') {
    const key = `${upstream} ${operation}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    if (isMutating(upstream, method, operation)) this.#mutating.add(key);
  }

  /**
   * The counted requests that change something upstream, as
   * { upstream: { operation: n } }: what "refused before any side effect"
   * must leave empty.
   */
  mutations(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, n] of this.#counts) {
      if (!this.#mutating.has(key)) continue;
      const [upstream, operation] = key.split(' ', 2);
      (out[upstream] ??= {})[operation] = n;
    }
    return out;
  }

  /** Counters as { upstream: { operation: n } }. */
  counters(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, n] of this.#counts) {
      const [upstream, operation] = key.split(' ', 2);
      (out[upstream] ??= {})[operation] = n;
    }
    return out;
  }

  /** Total requests to one upstream (all upstreams when omitted). */
  total(upstream?: Upstream): number {
    let n = 0;
    for (const [key, v] of this.#counts) {
      if (!upstream || key.startsWith(`${upstream} `)) n += v;
    }
    return n;
  }

  resetCounters() {
    this.#counts.clear();
    this.#mutating.clear();
  }

  /**
   * Waits the injected latency, then decides the fate of one request to
   * `upstream` for `operation`: a per-operation rule first, then the rates
   * (drawn from the injector's random source; seeded, the same sequence of
   * requests meets the same faults on every run).
   */
  async apply(upstream: Upstream, operation = ''): Promise<FaultDecision> {
    const key = `${upstream} ${operation}`;
    const held = this.#holds.get(key);
    if (held) {
      this.#holds.delete(key);
      held.reached();
      await held.released;
    }
    const spec = this.#faults[upstream];
    if (!spec) return { kind: 'pass' };
    if (spec.latencyMs) {
      await new Promise(r => setTimeout(r, spec.latencyMs));
    }
    const rule = spec.failNext?.[operation];
    if (rule && rule.count > 0) {
      rule.count -= 1;
      return rule.status === 'throttle'
        ? { kind: 'throttle' }
        : { kind: 'error', status: rule.status ?? 503 };
    }
    if (upstream === 'aws') {
      if (spec.throttleNext && spec.throttleNext > 0) {
        spec.throttleNext -= 1;
        return { kind: 'throttle' };
      }
      if (spec.throttleRate && this.#random(key) < spec.throttleRate) {
        return { kind: 'throttle' };
      }
    }
    if (spec.errorRate && this.#random(key) < spec.errorRate) {
      const statuses = spec.errorStatuses?.length ? spec.errorStatuses : [500];
      const status = statuses[Math.floor(this.#random(key) * statuses.length)];
      return { kind: 'error', status };
    }
    return { kind: 'pass' };
  }
}

const AWS_READ = /^[a-z0-9-]+:(Describe|List|Get|BatchGet|BatchCheck)/;

/**
 * Whether a request changes state upstream. AWS speaks POST for every
 * call, so its operation name decides; elsewhere a GET or HEAD reads, and
 * so do a git fetch (a POST to git-upload-pack) and an Argo CD login.
 */
export function isMutating(
  upstream: Upstream,
  method: string,
  operation: string,
): boolean {
  if (upstream === 'aws') {
    return !AWS_READ.test(operation) && !operation.startsWith('sts:');
  }
  if (method === 'GET' || method === 'HEAD') return false;
  if (operation === 'git git-upload-pack') return false;
  if (/(^|:)SessionService_/.test(operation)) return false; // logging in
  return true;
}

/** FNV-1a: a 32-bit hash of an operation's key, to seed its own sequence. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A deterministic random source in [0, 1) from a 32-bit seed (mulberry32):
 * the same seed gives the same sequence, so a seeded fault mix injects the
 * same faults into the same sequence of requests.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
