/*
 * The portal's image, without Docker: what packages/backend/Dockerfile
 * builds, booted against PostgreSQL with the production config.
 *
 * No Docker engine runs on Slipway's build machines, so this test reads the
 * Dockerfile and does what it says (__testUtils__/imageWithoutDocker.ts):
 * the image's WORKDIR is a temporary folder; each COPY copies from the
 * repository as the build context sees it (.dockerignore applied), so a file
 * the Dockerfile needs and the build or .dockerignore does not provide fails
 * here; each RUN of the node user runs in that folder with the Dockerfile's
 * ENV: the skeleton and the bundle are unpacked with tar, and the production
 * dependencies are installed with `yarn workspaces focus --all --production`
 * and the repository's pinned Yarn (yarnPath in the copied .yarnrc.yml).
 * The RUN steps as root (apt-get of the build tools) are skipped: this
 * machine has its own. Then the image's CMD runs there with the image's ENV
 * and the test's Node.js (22 or 24, as ./slipway picks; the image's is 22).
 *
 * The install needs no network: packages come from Yarn's global cache,
 * which `./slipway setup` (yarn install) filled with every package of
 * yarn.lock; only a package missing from it would be fetched, from the
 * registry Yarn is configured with. better-sqlite3, the one native package,
 * is compiled with node-gyp against the Node.js headers ./slipway points it
 * at (npm_config_nodedir), without downloading a prebuilt binary from GitHub
 * (npm_config_build_from_source); that compile is most of the install's
 * minute or two.
 *
 * The build itself is not done here: `./slipway yarn build:all` must have
 * run first (`./slipway test` runs it before Jest, in scripts/test-all.sh);
 * without packages/backend/dist/bundle.tar.gz the test fails and says so.
 *
 * A third config file adds only what a test needs and production must not
 * have (productionConfig.test.ts does the same from source): the listen port
 * on 127.0.0.1, and a static access token for the API. As in charts/backstage
 * (read-only root filesystem), the backend may write only to its TMPDIR: the
 * test checks that the image's folder and HOME are unchanged afterwards.
 */

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './__testUtils__/backendProcess';
import {
  CopyStep,
  DockerIgnore,
  readImageRecipe,
  RunStep,
} from './__testUtils__/dockerfile';
import { assembleImage, StepReport } from './__testUtils__/imageWithoutDocker';
import { freePort, request } from './__testUtils__/net';
import { startTestPostgres, TestPostgres } from './__testUtils__/postgres';
import { productionEnv } from './__testUtils__/productionEnv';
import { ServerProcess } from './__testUtils__/serverProcess';

const DOCKERFILE = path.join(ROOT, 'packages/backend/Dockerfile');
const BUNDLE = 'packages/backend/dist/bundle.tar.gz';
const BUILD_FIRST = `${BUNDLE} is missing: run './slipway yarn build:all' first (the test suite runs it before Jest; this test never builds)`;

const recipe = readImageRecipe(DOCKERFILE);
const ignore = DockerIgnore.read(ROOT);
const copies = recipe.steps.filter((s): s is CopyStep => s.kind === 'copy');
const runs = recipe.steps.filter((s): s is RunStep => s.kind === 'run');
const readYaml = (file: string) => parseYaml(fs.readFileSync(file, 'utf8'));

/** The file's path in the image, for a path CMD names relative to WORKDIR. */
const inImage = (p: string) => path.posix.resolve(recipe.workdir, p);

/** Every path of the image that some COPY writes. */
const copiedTargets = copies.flatMap(c =>
  c.sources.map(s =>
    c.dest.endsWith('/') || c.sources.length > 1
      ? path.posix.join(inImage(c.dest), path.posix.basename(s))
      : inImage(c.dest),
  ),
);

describe('packages/backend/Dockerfile', () => {
  it('is the host build on node:22, run by the node user, with no secret in it', () => {
    expect(recipe.base).toBe('node:22-bookworm-slim');
    // The image's Node.js is one the repository supports.
    const engines = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
    ).engines.node as string;
    expect(engines.split('||').map(v => v.trim())).toContain(
      /^node:(\d+)/.exec(recipe.base)![1],
    );

    // charts/backstage runs it as UID 1000 from /app, mounting
    // /app/app-config.production.yaml over the image's.
    expect(recipe.user).toBe('node');
    expect(recipe.workdir).toBe('/app');
    expect(recipe.env.NODE_ENV).toBe('production');

    // Nothing secret is built in: no build arguments, no secret-looking ENV.
    expect(recipe.args).toEqual([]);
    expect(
      Object.keys(recipe.env).filter(k =>
        /token|secret|password|key|credential/i.test(k),
      ),
    ).toEqual([]);

    // Production dependencies only, with the yarn cache as a cache mount.
    const install = runs.filter(r =>
      r.command.join(' ').includes('yarn workspaces focus --all --production'),
    );
    expect(install).toHaveLength(1);
    expect(install[0].user).toBe('node');
    expect(install[0].flags.mount?.join(' ')).toMatch(
      /type=cache,target=\/home\/node\/\.yarn\/berry(,|$)/,
    );

    expect(recipe.cmd).toEqual([
      'node',
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
    ]);
    // Every config file CMD reads is copied in.
    const configs = recipe.cmd.filter(
      (_, i) => recipe.cmd[i - 1] === '--config',
    );
    for (const config of configs) {
      expect(copiedTargets).toContain(inImage(config));
    }

    // The port EXPOSE names is the production config's, and the health
    // check asks the liveness endpoint there, with Node (no curl in slim).
    const production = readYaml(path.join(ROOT, 'app-config.production.yaml'));
    expect(recipe.expose).toEqual([String(production.backend.listen.port)]);
    expect(recipe.healthcheck?.command[0]).toBe('node');
    expect(recipe.healthcheck?.command.join(' ')).toContain(
      `127.0.0.1:${recipe.expose[0]}/.backstage/health/v1/liveness`,
    );
  });

  it('copies what the build and the repository provide, and the build context holds nothing else', () => {
    if (!fs.existsSync(path.join(ROOT, BUNDLE))) throw new Error(BUILD_FIRST);
    for (const source of copies.flatMap(c => c.sources)) {
      expect({
        source,
        exists: fs.existsSync(path.join(ROOT, source)),
        inContext: !ignore.ignores(source),
      }).toEqual({ source, exists: true, inContext: true });
    }
    // The yarnPath release and the host build's two archives among them.
    const yarnPath = readYaml(path.join(ROOT, '.yarnrc.yml')).yarnPath;
    const context = ignore.files(ROOT);
    expect(context).toEqual(
      expect.arrayContaining([
        yarnPath,
        'yarn.lock',
        'package.json',
        'backstage.json',
        'packages/backend/dist/skeleton.tar.gz',
        BUNDLE,
        'app-config.yaml',
        'app-config.production.yaml',
        'templates/catalog-info.yaml',
      ]),
    );
    // Nothing is sent to the builder that no COPY uses.
    const sources = copies.flatMap(c => c.sources);
    expect(
      context.filter(f => !sources.some(s => f === s || f.startsWith(`${s}/`))),
    ).toEqual([]);
  });
});

/** Paths under `dir` with size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (abs: string) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const p = path.join(abs, entry.name);
      if (entry.isDirectory()) visit(p);
      else {
        const stat = fs.lstatSync(p);
        out.set(path.relative(dir, p), `${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  visit(dir);
  return out;
}

/** Paths added, removed or changed between two snapshots. */
function changes(before: Map<string, string>, after: Map<string, string>) {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter(k => before.get(k) !== after.get(k)).sort();
}

/** Runs a command; resolves with its exit code. */
function exitCodeOf(command: string[], env: Record<string, string>) {
  const [cmd, ...args] = command;
  return new Promise<number>(resolve => {
    execFile(
      cmd === 'node' ? process.execPath : cmd,
      args,
      { env, timeout: 30_000 },
      error => resolve(error ? Number(error.code ?? 1) || 1 : 0),
    );
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('the built backend, as the image runs it', () => {
  let workDir: string | undefined;
  let pg: TestPostgres | undefined;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await pg?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it(
    'installs, boots on PostgreSQL, serves the catalog and the frontend, and stops cleanly',
    async () => {
      const bundle = path.join(ROOT, BUNDLE);
      if (!fs.existsSync(bundle)) throw new Error(BUILD_FIRST);

      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-image-'));
      const appDir = path.join(workDir, 'app');
      const home = path.join(workDir, 'home');
      const tmp = path.join(workDir, 'tmp');
      fs.mkdirSync(home);
      fs.mkdirSync(tmp);

      // The Dockerfile's steps. RUN steps get this machine's Yarn and node-gyp
      // settings (the yarn cache's place, the registry, npm_config_nodedir)
      // and, for Yarn's own cache, the real HOME.
      const runEnv: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? home,
      };
      for (const [name, value] of Object.entries(process.env)) {
        if (
          value !== undefined &&
          /^(yarn_|npm_config_|https?_proxy$|no_proxy$)/i.test(name)
        ) {
          runEnv[name] = value;
        }
      }
      runEnv.npm_config_build_from_source = 'true';
      const reports: StepReport[] = await assembleImage({
        recipe,
        contextDir: ROOT,
        ignore,
        appDir,
        binDir: path.join(workDir, 'bin'),
        env: runEnv,
      });
      expect(
        reports.filter(r => r.kind === 'run' && !r.skipped).map(r => r.what),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^RUN tar xzf skeleton\.tar\.gz/),
          expect.stringMatching(/^RUN yarn workspaces focus/),
          expect.stringMatching(/^RUN tar xzf bundle\.tar\.gz/),
        ]),
      );
      // Production dependencies only: no build or test tooling, and none of
      // the frontend's (its build is in the bundle).
      expect(
        ['@backstage/cli', 'jest', 'webpack', 'react', 'better-sqlite3'].filter(
          p => fs.existsSync(path.join(appDir, 'node_modules', p)),
        ),
      ).toEqual(['better-sqlite3']);
      // The bundle carries the frontend's build, which the backend serves.
      expect(
        fs.existsSync(path.join(appDir, 'packages/app/dist/index.html')),
      ).toBe(true);

      pg = await startTestPostgres();
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const token = crypto.randomBytes(24).toString('base64url');
      const overlay = path.join(workDir, 'app-config.test.yaml');
      fs.writeFileSync(
        overlay,
        JSON.stringify({
          backend: {
            listen: { port, host: '127.0.0.1' },
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: { token, subject: 'built-bundle-test' },
                },
              ],
            },
          },
        }),
      );
      const runtimeEnv: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        TMPDIR: tmp,
        ...recipe.env,
        ...productionEnv(baseUrl, pg),
      };

      const before = snapshot(appDir);
      server = new ServerProcess({
        command: [...recipe.cmd, '--config', overlay],
        cwd: appDir,
        env: runtimeEnv,
        baseUrl,
      });
      const bootStarted = Date.now();
      await server.start('/.backstage/health/v1/readiness', 10 * 60_000);
      const bootMs = Date.now() - bootStarted;

      expect(
        (await request(`${baseUrl}/.backstage/health/v1/liveness`)).status,
      ).toBe(200);
      // The image's HEALTHCHECK command, pointed at this port.
      const healthcheck = recipe.healthcheck!.command.map(a =>
        a.replace(`127.0.0.1:${recipe.expose[0]}/`, `127.0.0.1:${port}/`),
      );
      expect(await exitCodeOf(healthcheck, runtimeEnv)).toBe(0);

      // The catalog, through the API: refused without a token, and Slipway's
      // templates, from the image's ./templates, ingested.
      const api = (p: string) =>
        request(`${baseUrl}/api/catalog${p}`, {
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await request(`${baseUrl}/api/catalog/entities`)).status).toBe(
        401,
      );
      await server.waitFor(
        'the templates Location to be ingested',
        async () =>
          (
            await api(
              '/entities/by-name/location/default/slipway-template-list',
            )
          ).status === 200 || undefined,
        180_000,
      );
      const templateDir = path.join(appDir, 'templates');
      const templateNames = fs
        .readdirSync(templateDir)
        .filter(d => fs.existsSync(path.join(templateDir, d, 'template.yaml')))
        .map(d => readYaml(path.join(templateDir, d, 'template.yaml')))
        .map(t => t.metadata.name as string)
        .sort();
      expect(templateNames.length).toBeGreaterThan(0);
      const templates = await server.waitFor(
        `the templates ${templateNames.join(', ')} to be in the catalog`,
        async () => {
          const res = await api('/entities/by-query?filter=kind=template');
          const names = res
            .json<{ items: Array<{ metadata: { name: string } }> }>()
            .items.map(e => e.metadata.name)
            .sort();
          return templateNames.every(n => names.includes(n))
            ? names
            : undefined;
        },
        180_000,
      );
      expect(templates).toEqual(templateNames);

      // The frontend, from the bundle, with the runtime config injected.
      const index = await request(`${baseUrl}/`);
      expect(index.status).toBe(200);
      expect(index.body).toMatch(/<html/i);
      expect(index.body).toContain(baseUrl);
      const script = /src="(\/static\/[^"]+\.js)"/.exec(index.body)?.[1];
      expect(script).toBeDefined();
      expect((await request(`${baseUrl}${script}`)).status).toBe(200);

      // SIGTERM, as docker stop and Kubernetes send it: a clean exit. The
      // backend first lets its plugins' open long polls of the events bus
      // finish (about 40 s), so it gets two minutes before SIGKILL.
      const exit = await server.stop('SIGTERM', 120_000);
      if (exit?.code !== 0) {
        throw new Error(
          `SIGTERM did not end the backend cleanly (${JSON.stringify(
            exit,
          )}); its last output:\n${server.quietLog().slice(-4000)}`,
        );
      }
      expect(await exitCodeOf(healthcheck, runtimeEnv)).not.toBe(0);

      // Nothing was written outside TMPDIR (a read-only root filesystem).
      expect(changes(before, snapshot(appDir))).toEqual([]);
      expect(fs.readdirSync(home)).toEqual([]);
      expect(server.log()).toContain('Listening on');
      expect(server.log()).not.toContain(pg.password);

      const took = (re: RegExp) =>
        seconds(
          reports
            .filter(r => re.test(r.what))
            .reduce((sum, r) => sum + r.ms, 0),
        );
      // One line for the CI log: how long the image's steps take here.
      console.log(
        `built bundle (${new Date(
          fs.statSync(bundle).mtimeMs,
        ).toISOString()}): copy ${took(/^COPY/)}, unpack ${took(
          /^RUN tar/,
        )}, install ${took(/^RUN yarn/)}, boot to ready ${seconds(bootMs)}`,
      );
    },
    30 * 60_000,
  );
});
