/*
 * startSandbox(): one process holding every stand-in upstream, each on its
 * own loopback port, plus a small control API for tests and benchmarks
 * (counters, faults, timing, runtime scenarios). State lives in one data
 * folder and survives restarts.
 */

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
// The well-known values live with the production guard that refuses them.
import { SANDBOX_WELL_KNOWN } from '@internal/backstage-plugin-delivery-node/sandboxValues';
import {
  createArgoCdUpstream,
  IMAGE_BEHAVIOURS,
  ImageBehaviour,
} from './argocd';
import { createAwsUpstream, SANDBOX_AWS_CREDENTIALS } from './aws';
import { FaultInjector, Faults, parseFaults } from './faults';
import { BareRepos } from './git';
import { GitHubUpstream, ZERO_SHA } from './github';
import {
  closeServer,
  createUpstreamServer,
  HttpError,
  listenLoopback,
  sendJson,
  UpstreamSpec,
} from './http';
import { JenkinsUpstream, JobRecord } from './jenkins';
import { runPipeline } from './pipeline';
import { ensureTopology, seedSandbox } from './seed';

/** Fixed, sandbox-only credentials. They open nothing outside this machine. */
export const SANDBOX_CREDENTIALS = {
  githubToken: SANDBOX_WELL_KNOWN.githubToken,
  githubUser: SANDBOX_WELL_KNOWN.githubUser,
  jenkinsUser: SANDBOX_WELL_KNOWN.jenkinsUser,
  jenkinsToken: SANDBOX_WELL_KNOWN.jenkinsToken,
  argocdUser: SANDBOX_WELL_KNOWN.argocdUser,
  argocdPassword: SANDBOX_WELL_KNOWN.argocdPassword,
  aws: SANDBOX_AWS_CREDENTIALS,
};

export const DEFAULT_PORTS = {
  control: 7070,
  github: 7071,
  aws: 7072,
  argocd: 7073,
  jenkins: 7074,
};

export interface SandboxOptions {
  dataDir: string;
  /** Ports on 127.0.0.1; 0 picks a free one. Defaults to DEFAULT_PORTS. */
  ports?: Partial<typeof DEFAULT_PORTS>;
  faults?: Faults;
  /**
   * Seed of the fault injector's random source: with it, the same requests
   * meet the same injected faults on every run. Default: Math.random.
   */
  faultSeed?: number;
  /** Seed an empty data folder with the example org. Default true. */
  seed?: boolean;
  /** Simulated CI build time. Default 1500 ms. */
  buildMs?: number;
  /** How long a new rollout stays Progressing in Argo CD. Default 3000 ms. */
  progressingMs?: number;
  /**
   * How long a CI build waits for its ECR repository and chart to be
   * provisioned before failing. Default 120000 ms.
   */
  provisioningWaitMs?: number;
  /** Argo CD controller interval. Default 2000 ms. */
  reconcileIntervalMs?: number;
  /** The helm-charts GitOps repository. Default slipway-demo/helm-charts@main. */
  helmCharts?: { owner: string; repo: string; branch: string };
  log?: (line: string) => void;
}

export interface Sandbox {
  urls: {
    control: string;
    github: string;
    githubApi: string;
    aws: string;
    argocd: string;
    jenkins: string;
  };
  faults: FaultInjector;
  /** The address every listening server is bound to, as the OS reports it. */
  boundAddresses(): Array<{ address: string; port: number }>;
  github: GitHubUpstream;
  aws: ReturnType<typeof createAwsUpstream>;
  argocd: ReturnType<typeof createArgoCdUpstream>;
  jenkins: JenkinsUpstream;
  repos: BareRepos;
  helmCharts: { owner: string; repo: string; branch: string };
  /** Waits until every pipeline started so far has finished. */
  idle(): Promise<void>;
  /** Changes the simulated build time; returns a function restoring it. */
  setBuildMs(ms: number): () => void;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'The Slipway sandbox is for development and tests; it refuses to start with NODE_ENV=production',
    );
  }
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const fresh = !fs.existsSync(path.join(dataDir, 'github.json'));
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const faults = new FaultInjector(
    options.faults ?? {},
    options.faultSeed === undefined ? Math.random : { seed: options.faultSeed },
  );
  const helmCharts = options.helmCharts ?? {
    owner: 'slipway-demo',
    repo: 'helm-charts',
    branch: 'main',
  };
  const urls = {
    control: '',
    github: '',
    githubApi: '',
    aws: '',
    argocd: '',
    jenkins: '',
  };

  const repos = new BareRepos(path.join(dataDir, 'git'), () => urls.github);
  const github = new GitHubUpstream({
    dataDir,
    faults,
    repos,
    baseUrl: () => urls.github,
    tokens: {
      [SANDBOX_CREDENTIALS.githubToken]: SANDBOX_CREDENTIALS.githubUser,
    },
  });
  const aws = createAwsUpstream({ dataDir, faults });
  const argocd = createArgoCdUpstream({
    dataDir,
    faults,
    git: repos,
    images: aws,
    admin: {
      username: SANDBOX_CREDENTIALS.argocdUser,
      password: SANDBOX_CREDENTIALS.argocdPassword,
    },
    progressingMs: options.progressingMs ?? 3000,
    reconcileIntervalMs: options.reconcileIntervalMs ?? 2000,
  });

  const running = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    running.add(p);
    p.finally(() => running.delete(p)).catch(() => {});
    return p;
  };
  const pipeline = {
    repos,
    registry: aws,
    helmCharts,
    buildMs: options.buildMs ?? 1500,
    provisioningWaitMs: options.provisioningWaitMs ?? 120_000,
    log,
    onChartsPush: async (before: string | undefined, after: string) => {
      await github.notifyPush(helmCharts.owner, helmCharts.repo, [
        {
          ref: `refs/heads/${helmCharts.branch}`,
          before: before ?? ZERO_SHA,
          after,
        },
      ]);
    },
  };

  const runJenkins = async (
    ci: JenkinsUpstream,
    job: JobRecord,
    sha: string,
    branch: string,
    cause: string,
  ) => {
    const number = ci.startBuild(job, sha, branch, cause);
    const r = await runPipeline(pipeline, {
      owner: job.folder,
      repo: job.name,
      sha,
      buildNumber: number,
    });
    ci.finishBuild(job, number, {
      result: r.result,
      image: r.image,
      bumpSha: r.bumpSha,
      log: r.log,
    });
  };
  const jenkins = new JenkinsUpstream({
    dataDir,
    faults,
    baseUrl: () => urls.jenkins,
    users: {
      [SANDBOX_CREDENTIALS.jenkinsUser]: SANDBOX_CREDENTIALS.jenkinsToken,
    },
    trigger: async (job, self) => {
      const r = github.getRepo(job.folder, job.name);
      const sha =
        r && (await repos.resolveIn(job.folder, job.name, r.defaultBranch));
      if (r && sha)
        await track(
          runJenkins(
            self,
            job,
            sha,
            r.defaultBranch,
            'Started by user slipway',
          ),
        );
    },
  });

  const runActions = async (
    owner: string,
    repo: string,
    sha: string,
    branch: string,
  ) => {
    const c = await repos.commitIn(owner, repo, sha);
    const now = new Date().toISOString();
    const id = github.addWorkflowRun(owner, repo, {
      headSha: sha,
      headBranch: branch,
      status: 'in_progress',
      conclusion: null,
      createdAt: now,
      updatedAt: now,
      runStartedAt: now,
      displayTitle: c?.message.split('\n')[0] ?? sha,
    });
    const runNumber = github
      .getRepo(owner, repo)!
      .runs.find(x => x.id === id)!.runNumber;
    const r = await runPipeline(pipeline, {
      owner,
      repo,
      sha,
      buildNumber: runNumber,
    });
    github.updateWorkflowRun(owner, repo, id, {
      status: 'completed',
      conclusion: r.result === 'SUCCESS' ? 'success' : 'failure',
    });
  };

  // A push to an app repo's default branch runs its CI; a push to helm-charts nudges Argo CD.
  github.onPush(async e => {
    const r = github.getRepo(e.owner, e.repo);
    if (!r) return;
    if (e.owner === helmCharts.owner && e.repo === helmCharts.repo) {
      argocd.onGitPush(repos.cloneUrl(e.owner, e.repo));
      return;
    }
    const head = e.updates.find(
      u => u.ref === `refs/heads/${r.defaultBranch}` && u.after !== ZERO_SHA,
    );
    if (!head) return;
    if (
      (await repos.readFileIn(e.owner, e.repo, head.after, 'Jenkinsfile')) !==
      undefined
    ) {
      const job = jenkins.ensureJob(
        e.owner,
        e.repo,
        repos.cloneUrl(e.owner, e.repo),
      );
      void track(
        runJenkins(jenkins, job, head.after, r.defaultBranch, 'Branch event'),
      );
    } else if (
      (await repos.readFileIn(
        e.owner,
        e.repo,
        head.after,
        '.github/workflows/ci.yaml',
      )) !== undefined
    ) {
      void track(runActions(e.owner, e.repo, head.after, r.defaultBranch));
    }
  });

  const servers: http.Server[] = [];
  const serve = async (spec: UpstreamSpec, port: number) => {
    const server = createUpstreamServer({
      ...spec,
      resolve: spec.resolve.bind(spec),
      renderError: spec.renderError.bind(spec),
      renderFault: spec.renderFault?.bind(spec),
      authenticate: spec.authenticate?.bind(spec),
      onError: e =>
        log(`[sandbox] ${spec.upstream}: ${String((e as Error)?.stack ?? e)}`),
    });
    servers.push(server);
    return `http://127.0.0.1:${await listenLoopback(server, port)}`;
  };
  urls.github = await serve(github, ports.github);
  urls.githubApi = `${urls.github}/api/v3`;
  urls.aws = await serve(aws, ports.aws);
  urls.argocd = await serve(argocd, ports.argocd);
  urls.jenkins = await serve(jenkins, ports.jenkins);

  const readJson = async (req: http.IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpError(400, 'the body must be a JSON object');
    }
    return body as Record<string, any>;
  };
  /** `/scenarios/apps/<app>/<load|drift>`. */
  const scenarioApp = (pathname: string) => {
    const m = /^\/scenarios\/apps\/([^/]+)\/(load|drift)$/.exec(pathname);
    return m ? { app: decodeURIComponent(m[1]), what: m[2] } : undefined;
  };
  const control = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /health') {
        sendJson(res, 200, { status: 'ok', urls });
      } else if (route === 'GET /counters') {
        sendJson(res, 200, faults.counters());
      } else if (route === 'GET /mutations') {
        // Only the counted requests that changed something upstream.
        sendJson(res, 200, faults.mutations());
      } else if (route === 'POST /counters/reset') {
        faults.resetCounters();
        sendJson(res, 200, {});
      } else if (route === 'GET /timing') {
        sendJson(res, 200, { buildMs: pipeline.buildMs });
      } else if (route === 'PUT /timing') {
        // How long a simulated build takes, for tests that watch one run.
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const { buildMs } = JSON.parse(
          Buffer.concat(chunks).toString('utf8') || '{}',
        );
        if (!Number.isInteger(buildMs) || buildMs < 0 || buildMs > 600_000) {
          throw new HttpError(400, 'buildMs must be 0..600000');
        }
        pipeline.buildMs = buildMs;
        sendJson(res, 200, { buildMs });
      } else if (route === 'GET /scenarios') {
        sendJson(res, 200, argocd.scenarios());
      } else if (route === 'PUT /scenarios/images') {
        // What an image does when Argo CD's stand-in "runs" it.
        const { repository, tag, behaviour } = await readJson(req);
        if (typeof repository !== 'string' || !repository) {
          throw new HttpError(400, 'repository must be a non-empty string');
        }
        if (typeof tag !== 'string' || !tag) {
          throw new HttpError(400, 'tag must be a non-empty string');
        }
        if (!IMAGE_BEHAVIOURS.includes(behaviour)) {
          throw new HttpError(
            400,
            `behaviour must be one of ${IMAGE_BEHAVIOURS.join(', ')}`,
          );
        }
        argocd.setImageBehaviour(repository, tag, behaviour as ImageBehaviour);
        sendJson(res, 200, argocd.scenarios());
      } else if (scenarioApp(url.pathname)) {
        const { app, what } = scenarioApp(url.pathname)!;
        if (!argocd.hasApplication(app)) {
          throw new HttpError(404, `no Argo CD application ${app}`);
        }
        if (req.method === 'PUT' && what === 'load') {
          const { load } = await readJson(req);
          if (typeof load !== 'boolean') {
            throw new HttpError(400, 'load must be true or false');
          }
          argocd.setLoad(app, load);
          sendJson(res, 200, argocd.scenarios());
        } else if (req.method === 'POST' && what === 'drift') {
          const drift = await argocd.drift(app);
          if (!drift) {
            throw new HttpError(404, `nothing of ${app} is live to drift`);
          }
          sendJson(res, 200, drift);
        } else {
          throw new HttpError(404, 'Not Found');
        }
      } else if (route === 'GET /faults') {
        sendJson(res, 200, faults.faults);
      } else if (route === 'PUT /faults') {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const next = parseFaults(
          JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
        );
        faults.clear();
        faults.set(next);
        sendJson(res, 200, faults.faults);
      } else {
        throw new HttpError(404, 'Not Found');
      }
    } catch (e) {
      sendJson(res, e instanceof HttpError ? e.status : 400, {
        error: (e as Error).message,
      });
    }
  });

  const sandbox: Sandbox = {
    urls,
    faults,
    boundAddresses: () =>
      servers.map(server => {
        const a = server.address() as { address: string; port: number };
        return { address: a.address, port: a.port };
      }),
    github,
    aws,
    argocd,
    jenkins,
    repos,
    helmCharts,
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    setBuildMs(ms: number) {
      const before = pipeline.buildMs;
      pipeline.buildMs = ms;
      return () => {
        pipeline.buildMs = before;
      };
    },
    async stop() {
      argocd.stop();
      await sandbox.idle();
      await Promise.all(servers.map(closeServer));
    },
  };

  // Seed before the control API answers: /health means ready to use.
  if (fresh && options.seed !== false) {
    await seedSandbox(sandbox, log);
  } else if (options.seed !== false) {
    // A data folder from an older sandbox gets the clusters it lacks.
    ensureTopology(sandbox);
  }
  servers.push(control);
  urls.control = `http://127.0.0.1:${await listenLoopback(
    control,
    ports.control,
  )}`;
  argocd.start();
  return sandbox;
}
