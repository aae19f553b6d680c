/*
 * Does what a single-stage Dockerfile's app steps do, on this machine and
 * without Docker: the image's WORKDIR becomes a temporary folder, COPY copies
 * from the build context as the build sees it (.dockerignore applied), and
 * RUN runs through /bin/sh in that folder with the Dockerfile's ENV.
 *
 * RUN steps that run as root (before USER) set up the operating system
 * (apt-get) and are skipped: this machine has its own Node.js and build
 * tools. `yarn` in a RUN step is what it is in the official Node.js image:
 * yarn 1 handing over to the release that `yarnPath` in the copied
 * .yarnrc.yml names, here run directly with this process's Node.js.
 */

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CopyStep, DockerIgnore, ImageRecipe, RunStep } from './dockerfile';

/** What happened to one step. */
export interface StepReport {
  line: number;
  kind: 'copy' | 'run';
  /** The step as written (shortened). */
  what: string;
  ms: number;
  /** Why it did not run. */
  skipped?: string;
}

export interface AssembleOptions {
  recipe: ImageRecipe;
  /** The build context (the repository root). */
  contextDir: string;
  ignore: DockerIgnore;
  /** Stands for the image's final WORKDIR. */
  appDir: string;
  /** A folder for the `yarn` and `node` commands RUN steps find first on PATH. */
  binDir: string;
  /** The environment of RUN steps, before the Dockerfile's ENV. */
  env: Record<string, string>;
  /** Per RUN step (default 15 minutes). */
  runTimeoutMs?: number;
}

/** Runs the recipe's steps into `appDir`; returns one report per step. */
export async function assembleImage(
  options: AssembleOptions,
): Promise<StepReport[]> {
  const { recipe, appDir } = options;
  fs.mkdirSync(appDir, { recursive: true });
  fs.mkdirSync(options.binDir, { recursive: true });
  const reports: StepReport[] = [];
  for (const step of recipe.steps) {
    const started = Date.now();
    const what =
      step.kind === 'copy'
        ? `COPY ${step.sources.join(' ')} ${step.dest}`
        : `RUN ${step.command[step.command.length - 1]}`;
    let skipped: string | undefined;
    if (step.kind === 'copy') {
      copyStep(step, options);
    } else if (step.user === 'root' || step.user === '0') {
      skipped = 'runs as root: operating system packages';
    } else {
      await runStep(step, options);
    }
    reports.push({
      line: step.line,
      kind: step.kind,
      what: what.replace(/\s+/g, ' ').slice(0, 100),
      ms: Date.now() - started,
      skipped,
    });
  }
  return reports;
}

/** Where an image path lands on this machine. */
function hostPath(recipe: ImageRecipe, appDir: string, imagePath: string) {
  const rel = path.posix.relative(recipe.workdir, imagePath);
  if (rel.startsWith('..') || path.posix.isAbsolute(rel)) {
    throw new Error(
      `${imagePath} is outside the image's WORKDIR ${recipe.workdir}; only files under it are followed`,
    );
  }
  return path.join(appDir, rel);
}

/** Sources of a COPY, `*` and `?` in the last part expanded. */
function expandSource(contextDir: string, source: string): string[] {
  const rel = path.posix.normalize(source).replace(/^\/+|\/+$/g, '');
  const base = path.posix.basename(rel);
  if (!/[*?[]/.test(base)) return [rel];
  const dir = path.posix.dirname(rel);
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const hostDir = path.join(contextDir, dir);
  return fs.existsSync(hostDir)
    ? fs
        .readdirSync(hostDir)
        .filter(e => re.test(e))
        .sort()
        .map(e => (dir === '.' ? e : `${dir}/${e}`))
    : [];
}

function copyStep(step: CopyStep, options: AssembleOptions) {
  const { contextDir, ignore, recipe, appDir } = options;
  const imageDest = path.posix.resolve(step.workdir, step.dest);
  const intoDir = step.dest.endsWith('/') || step.sources.length > 1;
  for (const pattern of step.sources) {
    const sources = expandSource(contextDir, pattern).filter(
      s => fs.existsSync(path.join(contextDir, s)) && !ignore.ignores(s),
    );
    if (sources.length === 0) {
      throw new Error(
        `Dockerfile line ${step.line}: COPY ${pattern}: not in the build context (missing, or left out by .dockerignore)`,
      );
    }
    for (const source of sources) {
      const isDir = fs.statSync(path.join(contextDir, source)).isDirectory();
      const target =
        !isDir && (intoDir || sources.length > 1)
          ? path.posix.join(imageDest, path.posix.basename(source))
          : imageDest;
      for (const file of ignore.files(contextDir, source)) {
        const inside = isDir ? path.posix.relative(source, file) : '';
        const dest = hostPath(recipe, appDir, path.posix.join(target, inside));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(path.join(contextDir, file), dest);
        fs.chmodSync(dest, fs.statSync(path.join(contextDir, file)).mode);
      }
    }
  }
}

/** `yarn` as the official Node.js image runs it in this folder. */
function writeYarnShim(options: AssembleOptions, cwd: string) {
  const rcFile = path.join(cwd, '.yarnrc.yml');
  const yarnPath = fs.existsSync(rcFile)
    ? parseYaml(fs.readFileSync(rcFile, 'utf8'))?.yarnPath
    : undefined;
  if (typeof yarnPath !== 'string') {
    throw new Error(
      `${rcFile} has no yarnPath: the image's yarn would be its own yarn 1, which this test does not stand in for`,
    );
  }
  const release = path.resolve(cwd, yarnPath);
  if (!fs.existsSync(release)) {
    throw new Error(`yarnPath ${yarnPath} was not copied into the image`);
  }
  const shim = (file: string, body: string) => {
    fs.writeFileSync(path.join(options.binDir, file), `#!/bin/sh\n${body}\n`);
    fs.chmodSync(path.join(options.binDir, file), 0o755);
  };
  shim('yarn', `exec "${process.execPath}" "${release}" "$@"`);
  shim('node', `exec "${process.execPath}" "$@"`);
}

function runStep(step: RunStep, options: AssembleOptions): Promise<void> {
  const cwd = hostPath(options.recipe, options.appDir, step.workdir);
  writeYarnShim(options, cwd);
  const [cmd, ...args] = step.command;
  const env = {
    ...options.env,
    PATH: [options.binDir, options.env.PATH ?? process.env.PATH ?? ''].join(
      path.delimiter,
    ),
    ...step.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      options.runTimeoutMs ?? 15 * 60_000,
    );
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        reject(
          new Error(
            `Dockerfile line ${step.line}: ${step.command.join(' ')} failed (${
              signal ?? code
            }):\n${output.slice(-6000)}`,
          ),
        );
      }
    });
  });
}
