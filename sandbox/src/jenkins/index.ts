/*
 * Jenkins' JSON API as the community Jenkins plugin reads it (folders,
 * pipeline jobs, builds with number, result, timestamp, duration and the
 * built git revision), with Basic auth (user:API token). A push to an app
 * repository whose commit has a Jenkinsfile runs the pipeline for it, as an
 * organisation folder's multibranch job would.
 */

import http from 'node:http';
import { FaultInjector } from '../faults';
import { Ctx, HttpError, Router, sendJson, UpstreamSpec } from '../http';
import { StateFile } from '../state';

export interface BuildRecord {
  number: number;
  result: 'SUCCESS' | 'FAILURE' | 'ABORTED' | null;
  building: boolean;
  timestamp: number;
  duration: number;
  sha: string;
  branch: string;
  image?: string;
  bumpSha?: string;
  log: string[];
  cause: string;
}

export interface JobRecord {
  folder: string;
  name: string;
  repoUrl: string;
  builds: BuildRecord[];
  nextBuildNumber: number;
}

interface JenkinsState {
  jobs: Record<string, JobRecord>;
}

export interface JenkinsOptions {
  dataDir: string;
  faults: FaultInjector;
  baseUrl: () => string;
  users: Record<string, string>;
  /** Builds the default branch's head (the "Build Now" button). */
  trigger: (job: JobRecord, jenkins: JenkinsUpstream) => Promise<void>;
}

const KEEP_BUILDS = 50;

export class JenkinsUpstream implements UpstreamSpec {
  readonly upstream = 'jenkins' as const;
  readonly faults: FaultInjector;
  readonly #state: StateFile<JenkinsState>;
  readonly #router = new Router();
  readonly #o: JenkinsOptions;

  constructor(o: JenkinsOptions) {
    this.#o = o;
    this.faults = o.faults;
    this.#state = new StateFile(o.dataDir, 'jenkins', () => ({ jobs: {} }));
    this.#routes();
  }

  job(fullName: string): JobRecord | undefined {
    return this.#state.data.jobs[fullName];
  }

  ensureJob(folder: string, name: string, repoUrl: string): JobRecord {
    const key = `${folder}/${name}`;
    if (!this.#state.data.jobs[key]) {
      this.#state.update(s => {
        s.jobs[key] = { folder, name, repoUrl, builds: [], nextBuildNumber: 1 };
      });
    }
    return this.#state.data.jobs[key];
  }

  /** Starts a build record; returns its number. */
  startBuild(
    job: JobRecord,
    sha: string,
    branch: string,
    cause: string,
    at = new Date(),
  ): number {
    return this.#state.update(() => {
      const number = job.nextBuildNumber++;
      job.builds.push({
        number,
        result: null,
        building: true,
        timestamp: at.getTime(),
        duration: 0,
        sha,
        branch,
        log: [],
        cause,
      });
      if (job.builds.length > KEEP_BUILDS)
        job.builds.splice(0, job.builds.length - KEEP_BUILDS);
      return number;
    });
  }

  finishBuild(
    job: JobRecord,
    number: number,
    change: Partial<BuildRecord>,
    at = new Date(),
  ) {
    this.#state.update(() => {
      const b = job.builds.find(x => x.number === number);
      if (!b) return;
      Object.assign(b, change, {
        building: false,
        duration: at.getTime() - b.timestamp,
      });
    });
  }

  resolve(req: http.IncomingMessage, url: URL) {
    return this.#router.match(req.method ?? 'GET', url.pathname);
  }

  authenticate(ctx: Ctx) {
    const [scheme, value] = (ctx.req.headers.authorization ?? '').split(' ', 2);
    if (/^basic$/i.test(scheme) && value) {
      const [user, ...rest] = Buffer.from(value, 'base64')
        .toString('utf8')
        .split(':');
      if (
        this.#o.users[user] !== undefined &&
        this.#o.users[user] === rest.join(':')
      )
        return;
    }
    ctx.res.setHeader('www-authenticate', 'Basic realm="Jenkins"');
    throw new HttpError(401, 'Authentication required');
  }

  renderError(ctx: Ctx, err: HttpError) {
    ctx.res.writeHead(err.status, {
      'content-type': 'text/html;charset=utf-8',
    });
    ctx.res.end(
      `<html><head><title>Error ${
        err.status
      }</title></head><body><h2>HTTP ERROR ${err.status} ${escapeHtml(
        err.message,
      )}</h2></body></html>`,
    );
  }

  // ---- JSON shapes ----

  #jobUrl(j: JobRecord) {
    return `${this.#o.baseUrl()}/job/${j.folder}/job/${j.name}/`;
  }

  #build(j: JobRecord, b: BuildRecord) {
    return {
      _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun',
      number: b.number,
      id: String(b.number),
      url: `${this.#jobUrl(j)}${b.number}/`,
      displayName: `#${b.number}`,
      fullDisplayName: `${j.folder} » ${j.name} #${b.number}`,
      result: b.result,
      building: b.building,
      inProgress: b.building,
      timestamp: b.timestamp,
      duration: b.duration,
      estimatedDuration: 60_000,
      description: b.image ? `image ${b.image}` : null,
      actions: [
        {
          _class: 'hudson.model.CauseAction',
          causes: [
            {
              _class: 'hudson.model.Cause$UserIdCause',
              shortDescription: b.cause,
            },
          ],
        },
        {
          _class: 'hudson.plugins.git.util.BuildData',
          lastBuiltRevision: {
            SHA1: b.sha,
            branch: [{ SHA1: b.sha, name: `refs/remotes/origin/${b.branch}` }],
          },
          remoteUrls: [j.repoUrl],
          scmName: '',
        },
      ],
      changeSets: [],
    };
  }

  #jobJson(j: JobRecord) {
    const builds = [...j.builds].reverse();
    const last = builds[0];
    const completed = builds.filter(b => !b.building);
    const ref = (b?: BuildRecord) =>
      b
        ? {
            _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun',
            number: b.number,
            url: `${this.#jobUrl(j)}${b.number}/`,
          }
        : null;
    let color = 'notbuilt';
    if (completed[0])
      color = completed[0].result === 'SUCCESS' ? 'blue' : 'red';
    if (last?.building) color = `${color}_anime`;
    return {
      _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob',
      name: j.name,
      fullName: `${j.folder}/${j.name}`,
      displayName: j.name,
      fullDisplayName: `${j.folder} » ${j.name}`,
      url: this.#jobUrl(j),
      buildable: true,
      color,
      inQueue: false,
      nextBuildNumber: j.nextBuildNumber,
      lastBuild: ref(last),
      lastCompletedBuild: ref(completed[0]),
      lastSuccessfulBuild: ref(completed.find(b => b.result === 'SUCCESS')),
      lastFailedBuild: ref(completed.find(b => b.result === 'FAILURE')),
      builds: builds.map(b => this.#build(j, b)),
    };
  }

  #folderJson(folder: string) {
    const jobs = Object.values(this.#state.data.jobs).filter(
      j => j.folder === folder,
    );
    return {
      _class: 'jenkins.branch.OrganizationFolder',
      name: folder,
      fullName: folder,
      url: `${this.#o.baseUrl()}/job/${folder}/`,
      jobs: jobs.map(j => ({
        _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob',
        name: j.name,
        fullName: `${j.folder}/${j.name}`,
        url: this.#jobUrl(j),
        color: this.#jobJson(j).color,
      })),
    };
  }

  #jobOr404(ctx: Ctx) {
    const j = this.job(`${ctx.params.folder}/${ctx.params.name}`);
    if (!j) throw new HttpError(404, 'Not Found');
    return j;
  }

  #buildOr404(ctx: Ctx, j: JobRecord) {
    const builds = [...j.builds].reverse();
    const n = ctx.params.number;
    const pick: Record<string, () => BuildRecord | undefined> = {
      lastBuild: () => builds[0],
      lastSuccessfulBuild: () => builds.find(x => x.result === 'SUCCESS'),
      lastCompletedBuild: () => builds.find(x => !x.building),
    };
    const b = pick[n] ? pick[n]() : j.builds.find(x => String(x.number) === n);
    if (!b) throw new HttpError(404, 'Not Found');
    return b;
  }

  #routes() {
    const R = this.#router;
    R.add('GET', '/api/json', 'jenkins:root', ctx => {
      const folders = [
        ...new Set(Object.values(this.#state.data.jobs).map(j => j.folder)),
      ];
      sendTree(ctx, {
        _class: 'hudson.model.Hudson',
        mode: 'NORMAL',
        nodeDescription: 'Slipway sandbox Jenkins',
        url: `${this.#o.baseUrl()}/`,
        jobs: folders.map(f => ({
          _class: 'jenkins.branch.OrganizationFolder',
          name: f,
          url: `${this.#o.baseUrl()}/job/${f}/`,
        })),
      });
    });
    R.add('GET', '/job/:folder/api/json', 'jenkins:folder', ctx => {
      const f = this.#folderJson(ctx.params.folder);
      if (!f.jobs.length) throw new HttpError(404, 'Not Found');
      sendTree(ctx, f);
    });
    R.add('GET', '/job/:folder/job/:name/api/json', 'jenkins:job', ctx => {
      sendTree(ctx, this.#jobJson(this.#jobOr404(ctx)));
    });
    R.add(
      'GET',
      '/job/:folder/job/:name/:number/api/json',
      'jenkins:build',
      ctx => {
        const j = this.#jobOr404(ctx);
        sendTree(ctx, this.#build(j, this.#buildOr404(ctx, j)));
      },
    );
    R.add(
      'GET',
      '/job/:folder/job/:name/:number/consoleText',
      'jenkins:console',
      ctx => {
        const j = this.#jobOr404(ctx);
        const b = this.#buildOr404(ctx, j);
        ctx.res.writeHead(200, { 'content-type': 'text/plain;charset=utf-8' });
        ctx.res.end(
          `${b.log.join('\n')}\n${b.building ? '' : `Finished: ${b.result}\n`}`,
        );
      },
    );
    R.add(
      'POST',
      '/job/:folder/job/:name/build',
      'jenkins:trigger',
      async ctx => {
        const j = this.#jobOr404(ctx);
        void this.#o.trigger(j, this);
        ctx.res.writeHead(201, {
          location: `${this.#o.baseUrl()}/queue/item/${j.nextBuildNumber}/`,
        });
        ctx.res.end();
      },
    );
  }
}

/** One node of a `tree=` query: the properties kept, and an index range for arrays. */
interface TreeNode {
  children: Map<string, TreeNode>;
  range?: { from: number; to?: number };
}

/**
 * Parses Jenkins' `tree=` syntax: `a,b[c,d[e]]{0,10}`. `{M,N}` keeps array
 * items M (inclusive) to N (exclusive); `{N}` item N only; `{M,}` from M;
 * `{,N}` up to N. Throws HttpError(400) on a malformed query.
 */
export function parseTree(tree: string): TreeNode {
  let i = 0;
  const fail = (): never => {
    throw new HttpError(400, `Malformed tree expression at ${i}: ${tree}`);
  };
  const list = (): Map<string, TreeNode> => {
    const out = new Map<string, TreeNode>();
    for (;;) {
      const name = /^[A-Za-z0-9_$]+/.exec(tree.slice(i))?.[0] ?? fail();
      i += name.length;
      const node: TreeNode = { children: new Map() };
      if (tree[i] === '[') {
        i++;
        node.children = list();
        if (tree[i++] !== ']') fail();
      }
      if (tree[i] === '{') {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(tree.slice(i)) ?? fail();
        i += m[0].length;
        const [, a, comma, b] = m;
        if (!a && !b) fail();
        const from = a ? Number(a) : 0;
        node.range = comma
          ? { from, to: b ? Number(b) : undefined }
          : { from, to: from + 1 };
      }
      out.set(name, node);
      if (tree[i] !== ',') return out;
      i++;
    }
  };
  const root = { children: list() };
  if (i !== tree.length) fail();
  return root;
}

/** Keeps what a `tree=` node selects (and `_class`, as Jenkins does). */
export function applyTree(value: unknown, node: TreeNode): unknown {
  if (Array.isArray(value)) {
    const { from = 0, to = undefined } = node.range ?? {};
    return value
      .slice(from, to)
      .map(v => applyTree(v, { ...node, range: undefined }));
  }
  if (!value || typeof value !== 'object' || !node.children.size) return value;
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ('_class' in src) out._class = src._class;
  for (const [key, child] of node.children) {
    if (key in src) out[key] = applyTree(src[key], child);
  }
  return out;
}

/** Sends a JSON API answer, narrowed by the request's `tree=` when present. */
function sendTree(ctx: Ctx, body: unknown) {
  const tree = ctx.url.searchParams.get('tree');
  sendJson(ctx.res, 200, tree ? applyTree(body, parseTree(tree)) : body);
}

function escapeHtml(s: string) {
  return s.replace(
    /[&<>"]/g,
    c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!),
  );
}
