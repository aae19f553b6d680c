import fs from 'node:fs';
import git, { TreeEntry } from 'isomorphic-git';
import { InputError } from '@backstage/errors';

/**
 * The files of the helm-charts branch head that a change works on. Paths
 * are relative to the repository root, '/'-separated; every one is checked
 * to stay inside the repository and out of `.git`.
 *
 * @public
 */
export interface WorkTree {
  /** Absolute path of the (shallow) clone; tests look at `.git/shallow` here. */
  readonly dir: string;
  /** True when a file or a folder is at the path. */
  exists(filePath: string): Promise<boolean>;
  /** The file's text, or undefined when there is no file. */
  readFile(filePath: string): Promise<string | undefined>;
  writeFile(filePath: string, content: string | Buffer): Promise<void>;
  /** Removes a file, or a folder with everything below it. */
  remove(filePath: string): Promise<void>;
  /** Every file below a folder (recursively), as repository paths, sorted. */
  listFiles(dirPath: string): Promise<string[]>;
}

/** Checks a repository path; throws InputError when it could escape. */
export function safeRepoPath(filePath: string): string {
  const clean = String(filePath).replace(/\\/g, '/');
  if (
    !clean ||
    clean.startsWith('/') ||
    /^[A-Za-z]:/.test(clean) ||
    clean
      .split('/')
      .some(s => s === '' || s === '.' || s === '..' || s === '.git')
  ) {
    throw new InputError(
      `'${filePath}' is not a path inside the helm-charts repository`,
    );
  }
  return clean;
}

const isNotFound = (e: unknown) =>
  (e as { code?: string })?.code === 'NotFoundError' ||
  (e as { code?: string })?.code === 'ObjectTypeError';

/**
 * A WorkTree over the objects of a clone made without a checkout: reads
 * come from the head commit's tree, writes go to an overlay, and
 * {@link GitObjectWorkTree.writeTree} writes only the trees on the changed
 * paths. An update costs the same whether the repository holds 10 charts
 * or 10,000.
 */
export class GitObjectWorkTree implements WorkTree {
  readonly #overlay = new Map<string, Buffer | null>();

  constructor(readonly dir: string, private readonly headTree: string) {}

  async #headBlob(filePath: string): Promise<Buffer | undefined> {
    try {
      const { blob } = await git.readBlob({
        fs,
        dir: this.dir,
        oid: this.headTree,
        filepath: filePath,
      });
      return Buffer.from(blob);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async #headFiles(dirPath: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (oid: string, prefix: string) => {
      const { tree } = await git.readTree({ fs, dir: this.dir, oid });
      for (const e of tree) {
        const p = `${prefix}/${e.path}`;
        if (e.type === 'tree') await walk(e.oid, p);
        else if (e.type === 'blob') out.push(p);
      }
    };
    try {
      const { oid } = await git.readTree({
        fs,
        dir: this.dir,
        oid: this.headTree,
        filepath: dirPath,
      });
      await walk(oid, dirPath);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return out;
  }

  async exists(filePath: string): Promise<boolean> {
    const clean = safeRepoPath(filePath);
    if (this.#overlay.has(clean)) return this.#overlay.get(clean) !== null;
    if ((await this.readFile(clean)) !== undefined) return true;
    return (await this.listFiles(clean)).length > 0;
  }

  async readFile(filePath: string): Promise<string | undefined> {
    const clean = safeRepoPath(filePath);
    if (this.#overlay.has(clean)) {
      return this.#overlay.get(clean)?.toString('utf8');
    }
    return (await this.#headBlob(clean))?.toString('utf8');
  }

  async writeFile(filePath: string, content: string | Buffer): Promise<void> {
    this.#overlay.set(
      safeRepoPath(filePath),
      Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'),
    );
  }

  async remove(filePath: string): Promise<void> {
    const clean = safeRepoPath(filePath);
    for (const f of await this.listFiles(clean)) this.#overlay.set(f, null);
    this.#overlay.set(clean, null);
  }

  async listFiles(dirPath: string): Promise<string[]> {
    const clean = safeRepoPath(dirPath);
    const files = new Set(await this.#headFiles(clean));
    for (const [p, content] of this.#overlay) {
      if (!p.startsWith(`${clean}/`)) continue;
      if (content === null) files.delete(p);
      else files.add(p);
    }
    return [...files].sort();
  }

  /** Writes the head tree with the overlay applied; returns the new root tree id. */
  async writeTree(): Promise<string> {
    const changes = new Map(this.#overlay);
    return (await this.#build(this.headTree, changes)) ?? (await this.#empty());
  }

  async #empty() {
    return git.writeTree({ fs, dir: this.dir, tree: [] });
  }

  async #build(
    oid: string | undefined,
    changes: Map<string, Buffer | null>,
  ): Promise<string | undefined> {
    const entries = new Map<string, TreeEntry>();
    if (oid) {
      for (const e of (await git.readTree({ fs, dir: this.dir, oid })).tree) {
        entries.set(e.path, e);
      }
    }
    const below = new Map<string, Map<string, Buffer | null>>();
    for (const [p, content] of changes) {
      const slash = p.indexOf('/');
      if (slash < 0) {
        const existing = entries.get(p);
        if (content === null) {
          if (existing?.type === 'blob') entries.delete(p);
          else if (existing?.type === 'tree' && !changesUnder(changes, p))
            entries.delete(p);
          continue;
        }
        const blob = await git.writeBlob({
          fs,
          dir: this.dir,
          blob: new Uint8Array(content),
        });
        entries.set(p, {
          mode: existing?.type === 'blob' ? existing.mode : '100644',
          path: p,
          oid: blob,
          type: 'blob',
        });
      } else {
        const head = p.slice(0, slash);
        if (!below.has(head)) below.set(head, new Map());
        below.get(head)!.set(p.slice(slash + 1), content);
      }
    }
    for (const [name, sub] of below) {
      const existing = entries.get(name);
      const subTree = await this.#build(
        existing?.type === 'tree' ? existing.oid : undefined,
        sub,
      );
      if (subTree) {
        entries.set(name, {
          mode: '040000',
          path: name,
          oid: subTree,
          type: 'tree',
        });
      } else {
        entries.delete(name);
      }
    }
    if (entries.size === 0) return undefined;
    return git.writeTree({ fs, dir: this.dir, tree: [...entries.values()] });
  }
}

function changesUnder(changes: Map<string, Buffer | null>, dir: string) {
  for (const [p, c] of changes) {
    if (p.startsWith(`${dir}/`) && c !== null) return true;
  }
  return false;
}
