/*
 * Test harness: a helm-charts bare repository with a work tree to push from,
 * an Argo CD upstream on a loopback port with an injected clock, and an HTTP
 * client that checks every response against the swagger.
 */

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { FaultInjector } from '../../faults';
import { BareRepos, git } from '../../git';
import { closeServer, createUpstreamServer, listenLoopback } from '../../http';
import { ArgoCdUpstream, createArgoCdUpstream } from '../index';
import { SwaggerContract } from './swagger';

const contract = new SwaggerContract();

/** A response, already checked against the swagger. */
export interface Res<T = any> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
}

/** Every contract violation seen by any client, for a final assertion. */
export const violations: string[] = [];

export class Harness {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-sandbox-'));
  readonly dataDir = path.join(this.root, 'data');
  readonly work = path.join(this.root, 'work');
  readonly repos = new BareRepos(
    path.join(this.root, 'git'),
    () => 'http://127.0.0.1:1',
  );
  readonly repoUrl = this.repos.cloneUrl('acme', 'helm-charts');
  readonly images = new Set<string>();
  readonly faults = new FaultInjector();
  now = Date.parse('2026-03-02T09:00:00Z');
  argo!: ArgoCdUpstream;
  server?: http.Server;
  port = 0;
  token = '';
  readonly agent = new http.Agent();
  readonly errors: unknown[] = [];

  async init() {
    await this.repos.create('acme', 'helm-charts');
    await git([
      'clone',
      '--quiet',
      this.repos.dir('acme', 'helm-charts'),
      this.work,
    ]);
    await git(['symbolic-ref', 'HEAD', 'refs/heads/main'], { cwd: this.work });
    await this.start();
    return this;
  }

  /** (Re)creates the upstream on the same data folder and serves it. */
  async start() {
    this.argo = createArgoCdUpstream({
      dataDir: this.dataDir,
      faults: this.faults,
      git: this.repos,
      images: { hasImage: (repo, tag) => this.images.has(`${repo}:${tag}`) },
      progressingMs: 1000,
      reconcileIntervalMs: 0,
      clock: () => new Date(this.now),
      onError: e => this.errors.push(e),
    });
    this.server = createUpstreamServer(this.argo);
    this.port = await listenLoopback(this.server, 0);
    this.token = this.argo.issueToken();
  }

  async restart() {
    this.argo.stop();
    if (this.server) await closeServer(this.server);
    await this.start();
  }

  advance(ms: number) {
    this.now += ms;
  }

  /** Writes (or with null, deletes) files, commits and pushes; returns the new SHA. */
  async commit(
    files: Record<string, string | null>,
    message: string,
    author = { name: 'Dana Developer', email: 'dana@acme.example' },
  ): Promise<string> {
    for (const [file, text] of Object.entries(files)) {
      const full = path.join(this.work, file);
      if (text === null) {
        fs.rmSync(full, { force: true });
      } else {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, text);
      }
    }
    await git(['add', '-A'], { cwd: this.work });
    await git(['commit', '--quiet', '-m', message], {
      cwd: this.work,
      env: { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email },
    });
    await git(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: this.work });
    return (await git(['rev-parse', 'HEAD'], { cwd: this.work })).trim();
  }

  /** Calls the API; the response is validated against the swagger and any violation throws. */
  request<T = any>(
    method: string,
    pathAndQuery: string,
    opts: {
      body?: unknown;
      token?: string | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Res<T>> {
    const token = opts.token === undefined ? this.token : opts.token;
    const payload =
      opts.body === undefined ? undefined : JSON.stringify(opts.body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: pathAndQuery,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...opts.headers,
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: any;
            try {
              body = JSON.parse(text);
            } catch {
              reject(
                new Error(
                  `${method} ${pathAndQuery}: not JSON: ${text.slice(0, 200)}`,
                ),
              );
              return;
            }
            const status = res.statusCode ?? 0;
            const pathname = pathAndQuery.split('?')[0];
            const errs = contract.errors(method, pathname, status, body);
            if (errs.length) {
              violations.push(...errs);
              reject(
                new Error(
                  `swagger violation:\n${errs.join('\n')}\nbody: ${text.slice(
                    0,
                    2000,
                  )}`,
                ),
              );
              return;
            }
            resolve({ status, body, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** An Application for a chart in helm-charts. */
  appSpec(
    name: string,
    overrides: {
      automated?: boolean;
      path?: string;
      valueFiles?: string[];
      project?: string;
    } = {},
  ) {
    return {
      metadata: {
        name,
        labels: { 'backstage.io/component': name, team: 'payments' },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: overrides.project ?? 'default',
        source: {
          repoURL: this.repoUrl,
          path: overrides.path ?? `charts/${name}`,
          targetRevision: 'main',
          ...(overrides.valueFiles
            ? { helm: { valueFiles: overrides.valueFiles } }
            : {}),
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: name,
        },
        syncPolicy: {
          ...(overrides.automated === false
            ? {}
            : { automated: { prune: true, selfHeal: true } }),
          syncOptions: ['CreateNamespace=true'],
        },
      },
    };
  }

  async close() {
    this.argo?.stop();
    if (this.server) await closeServer(this.server);
    this.agent.destroy();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** values.yaml of a typical service chart. */
export function valuesYaml(tag: string, extra = '') {
  return `replicaCount: 2
image:
  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api
  tag: ${tag}
service:
  port: 80
  targetPort: 8080
${extra}`;
}
