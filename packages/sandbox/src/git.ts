/*
 * Bare git repositories on disk, driven by the real `git` CLI. The GitHub
 * emulation serves them over smart HTTP (git http-backend); Argo CD's
 * controller and the Jenkins pipeline read them through `GitReader`.
 */

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Runs git with a clean, predictable environment. */
export async function git(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  const child = execFileP('git', args, {
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Slipway Sandbox',
      GIT_AUTHOR_EMAIL: 'sandbox@slipway.invalid',
      GIT_COMMITTER_NAME: 'Slipway Sandbox',
      GIT_COMMITTER_EMAIL: 'sandbox@slipway.invalid',
      ...options.env,
    },
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  const { stdout } = await child;
  return stdout;
}

/** A commit as Argo CD's revision metadata and GitHub's API describe it. */
export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  date: string;
  message: string;
  parents: string[];
}

/** Read access to repositories by clone URL, for Argo CD and Jenkins. */
export interface GitReader {
  /** The commit SHA a branch, tag or SHA names, or undefined. */
  resolve(repoUrl: string, ref: string): Promise<string | undefined>;
  /** A file's text at a commit, or undefined when absent. */
  readFile(
    repoUrl: string,
    sha: string,
    filePath: string,
  ): Promise<string | undefined>;
  /** Names directly under a folder at a commit. */
  listDir(repoUrl: string, sha: string, dirPath: string): Promise<string[]>;
  commit(repoUrl: string, sha: string): Promise<CommitInfo | undefined>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The bare repositories under one folder: <root>/<owner>/<repo>.git */
export class BareRepos implements GitReader {
  constructor(
    readonly root: string,
    /** Base of clone URLs, e.g. http://127.0.0.1:7071 */
    private readonly baseUrl: () => string,
  ) {}

  static validName(name: string) {
    return NAME.test(name) && !name.includes('..') && !name.endsWith('.git');
  }

  dir(owner: string, repo: string): string {
    if (!BareRepos.validName(owner) || !BareRepos.validName(repo)) {
      throw new Error(`invalid repository name ${owner}/${repo}`);
    }
    return path.join(this.root, owner, `${repo}.git`);
  }

  cloneUrl(owner: string, repo: string) {
    return `${this.baseUrl()}/${owner}/${repo}.git`;
  }

  /** owner/repo from a clone or web URL of this host, else undefined. */
  parseUrl(repoUrl: string): { owner: string; repo: string } | undefined {
    let u: URL;
    try {
      u = new URL(repoUrl);
    } catch {
      return undefined;
    }
    const parts = u.pathname
      .replace(/^\/+|\/+$/g, '')
      .replace(/\.git$/, '')
      .split('/');
    if (parts.length !== 2) return undefined;
    const [owner, repo] = parts;
    if (!BareRepos.validName(owner) || !BareRepos.validName(repo))
      return undefined;
    return fs.existsSync(this.dir(owner, repo)) ? { owner, repo } : undefined;
  }

  exists(owner: string, repo: string) {
    return fs.existsSync(this.dir(owner, repo));
  }

  async create(owner: string, repo: string, defaultBranch = 'main') {
    const dir = this.dir(owner, repo);
    fs.mkdirSync(dir, { recursive: true });
    await git([
      'init',
      '--bare',
      '--quiet',
      `--initial-branch=${defaultBranch}`,
      dir,
    ]);
    // Pushes over HTTP are allowed; fast-forward only unless the client forces.
    await git(['config', 'http.receivepack', 'true'], { cwd: dir });
    await git(['config', 'receive.denyNonFastForwards', 'true'], { cwd: dir });
    return dir;
  }

  remove(owner: string, repo: string) {
    fs.rmSync(this.dir(owner, repo), { recursive: true, force: true });
  }

  /** All refs as { 'refs/heads/main': sha }. */
  async refs(owner: string, repo: string): Promise<Record<string, string>> {
    const out = await git(
      ['for-each-ref', '--format=%(refname) %(objectname)'],
      {
        cwd: this.dir(owner, repo),
      },
    );
    const refs: Record<string, string> = {};
    for (const line of out.split('\n')) {
      const [name, sha] = line.split(' ');
      if (name && sha) refs[name] = sha;
    }
    return refs;
  }

  async resolveIn(
    owner: string,
    repo: string,
    ref: string,
  ): Promise<string | undefined> {
    if (!/^[A-Za-z0-9._/-]+$/.test(ref) || ref.includes('..')) return undefined;
    const candidates =
      ref === 'HEAD'
        ? ['HEAD']
        : [`refs/heads/${ref}`, `refs/tags/${ref}`, ref];
    for (const c of candidates) {
      try {
        const sha = (
          await git(['rev-parse', '--verify', '--quiet', `${c}^{commit}`], {
            cwd: this.dir(owner, repo),
          })
        ).trim();
        if (sha) return sha;
      } catch {
        // try the next candidate
      }
    }
    return undefined;
  }

  async resolve(repoUrl: string, ref: string) {
    const r = this.parseUrl(repoUrl);
    return r ? this.resolveIn(r.owner, r.repo, ref) : undefined;
  }

  async readFileIn(owner: string, repo: string, sha: string, filePath: string) {
    const clean = filePath.replace(/^\/+/, '');
    if (clean.split('/').includes('..')) return undefined;
    try {
      return await git(['show', `${sha}:${clean}`], {
        cwd: this.dir(owner, repo),
      });
    } catch {
      return undefined;
    }
  }

  async readFile(repoUrl: string, sha: string, filePath: string) {
    const r = this.parseUrl(repoUrl);
    return r ? this.readFileIn(r.owner, r.repo, sha, filePath) : undefined;
  }

  async listDir(repoUrl: string, sha: string, dirPath: string) {
    const r = this.parseUrl(repoUrl);
    if (!r) return [];
    const clean = dirPath.replace(/^\/+|\/+$/g, '');
    try {
      const out = await git(['ls-tree', '--name-only', `${sha}:${clean}`], {
        cwd: this.dir(r.owner, r.repo),
      });
      return out.split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  async commitIn(
    owner: string,
    repo: string,
    sha: string,
  ): Promise<CommitInfo | undefined> {
    try {
      const out = await git(
        ['show', '-s', '--format=%H%x00%an%x00%ae%x00%aI%x00%P%x00%B', sha],
        { cwd: this.dir(owner, repo) },
      );
      const [full, author, email, date, parents, message] = out.split('\0');
      return {
        sha: full,
        author,
        email,
        date,
        parents: parents.split(' ').filter(Boolean),
        message: message.trim(),
      };
    } catch {
      return undefined;
    }
  }

  async commit(repoUrl: string, sha: string) {
    const r = this.parseUrl(repoUrl);
    return r ? this.commitIn(r.owner, r.repo, sha) : undefined;
  }

  /**
   * Commits files onto a branch without a work tree (git plumbing), the way
   * GitHub's contents API does. `null` deletes a path. The branch moves only
   * if it still points at the parent read here (compare-and-swap), so two
   * writers never lose each other's commits.
   */
  async commitFiles(
    owner: string,
    repo: string,
    branch: string,
    files: Record<string, string | Buffer | null>,
    message: string,
    author?: { name: string; email: string; date?: string },
  ): Promise<{ sha: string; parent?: string }> {
    const dir = this.dir(owner, repo);
    const parent = await this.resolveIn(owner, repo, branch);
    const indexFile = path.join(
      dir,
      `index.sandbox.${process.pid}.${Date.now()}.${Math.random()}`,
    );
    const env: Record<string, string> = { GIT_INDEX_FILE: indexFile };
    if (author) {
      env.GIT_AUTHOR_NAME = author.name;
      env.GIT_AUTHOR_EMAIL = author.email;
      if (author.date) env.GIT_AUTHOR_DATE = author.date;
    }
    try {
      if (parent) await git(['read-tree', parent], { cwd: dir, env });
      for (const [filePath, content] of Object.entries(files)) {
        const clean = filePath.replace(/^\/+/, '');
        if (
          !clean ||
          clean.split('/').some(s => s === '..' || s === '.' || s === '')
        ) {
          throw new Error(`invalid path ${filePath}`);
        }
        if (content === null) {
          await git(['update-index', '--force-remove', '--', clean], {
            cwd: dir,
            env,
          });
          continue;
        }
        const blob = (
          await git(['hash-object', '-w', '--stdin'], {
            cwd: dir,
            env,
            input: content.toString(),
          })
        ).trim();
        await git(
          ['update-index', '--add', '--cacheinfo', `100644,${blob},${clean}`],
          {
            cwd: dir,
            env,
          },
        );
      }
      const tree = (await git(['write-tree'], { cwd: dir, env })).trim();
      const sha = (
        await git(
          [
            'commit-tree',
            tree,
            ...(parent ? ['-p', parent] : []),
            '-m',
            message,
          ],
          {
            cwd: dir,
            env,
          },
        )
      ).trim();
      await git(['update-ref', `refs/heads/${branch}`, sha, parent ?? ''], {
        cwd: dir,
      });
      return { sha, parent };
    } finally {
      fs.rmSync(indexFile, { force: true });
    }
  }

  /** Commits, newest first, reachable from `ref`. */
  async log(
    owner: string,
    repo: string,
    ref: string,
    max = 30,
  ): Promise<CommitInfo[]> {
    const sha = await this.resolveIn(owner, repo, ref);
    if (!sha) return [];
    const out = await git(['rev-list', `--max-count=${max}`, sha], {
      cwd: this.dir(owner, repo),
    });
    const commits: CommitInfo[] = [];
    for (const s of out.split('\n').filter(Boolean)) {
      const c = await this.commitIn(owner, repo, s);
      if (c) commits.push(c);
    }
    return commits;
  }
}
