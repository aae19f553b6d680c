import crypto from 'node:crypto';
import { InputError } from '@backstage/errors';

/**
 * The files of the helm-charts branch head that a change works on. Paths
 * are relative to the repository root, '/'-separated; every one is checked
 * to stay inside the repository and out of `.git`. Nothing is read until
 * asked for.
 *
 * @public
 */
export interface WorkTree {
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

/** One entry of a git tree, as GitHub's git/trees endpoint lists it. */
export interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

/** The git objects of the repository, read on demand (GitHub's Git Data API). */
export interface GitObjects {
  /**
   * A tree's entries; `recursive` lists everything below it (paths relative
   * to the tree). `truncated` when the host cut a recursive listing short.
   */
  readTree(
    sha: string,
    recursive: boolean,
  ): Promise<{ entries: TreeEntry[]; truncated: boolean }>;
  readBlob(sha: string): Promise<Buffer>;
}

/** Modes of a file in a git tree: regular, executable, symbolic link. */
export type BlobMode = '100644' | '100755' | '120000';

/** A file the update changes: its new bytes, or null to delete it. */
export interface FileChange {
  path: string;
  /** The mode to write (the file's current mode when it exists). */
  mode: BlobMode;
  content: Buffer | null;
}

/** The blob SHA git gives these bytes. */
export function gitBlobSha(content: Buffer): string {
  return crypto
    .createHash('sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex');
}

/**
 * A WorkTree over the branch head's git objects, fetched lazily: a read
 * walks down from the root tree one folder at a time (each folder listed
 * once, non-recursively), so an update reads the folders on the paths it
 * touches and the files it asks for, never the whole tree. Writes go to an
 * overlay; {@link ApiWorkTree.changes} gives them as the files that differ
 * from the head, for a tree on `base_tree`.
 */
export class ApiWorkTree implements WorkTree {
  readonly #overlay = new Map<string, Buffer | null>();
  readonly #trees = new Map<string, Promise<Map<string, TreeEntry>>>();

  constructor(
    private readonly objects: GitObjects,
    private readonly rootTree: string,
  ) {}

  #folder(sha: string): Promise<Map<string, TreeEntry>> {
    let folder = this.#trees.get(sha);
    if (!folder) {
      folder = this.objects
        .readTree(sha, false)
        .then(({ entries }) => new Map(entries.map(e => [e.path, e])));
      this.#trees.set(sha, folder);
      // A failed read is not remembered.
      folder.catch(() => this.#trees.delete(sha));
    }
    return folder;
  }

  /** The head's entry at a path, or undefined. */
  async #headEntry(filePath: string): Promise<TreeEntry | undefined> {
    let tree = this.rootTree;
    const segments = filePath.split('/');
    for (let i = 0; i < segments.length; i++) {
      const entry = (await this.#folder(tree)).get(segments[i]);
      if (!entry || i === segments.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      tree = entry.sha;
    }
    return undefined;
  }

  async #headFiles(dirPath: string): Promise<TreeEntry[]> {
    const dir = await this.#headEntry(dirPath);
    if (dir?.type !== 'tree') return [];
    const { entries, truncated } = await this.objects.readTree(dir.sha, true);
    if (!truncated) {
      return entries
        .filter(e => e.type === 'blob')
        .map(e => ({ ...e, path: `${dirPath}/${e.path}` }));
    }
    // Too big for one answer: walk it folder by folder.
    const out: TreeEntry[] = [];
    const walk = async (sha: string, prefix: string) => {
      for (const e of (await this.#folder(sha)).values()) {
        const p = `${prefix}/${e.path}`;
        if (e.type === 'tree') await walk(e.sha, p);
        else if (e.type === 'blob') out.push({ ...e, path: p });
      }
    };
    await walk(dir.sha, dirPath);
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
    const entry = await this.#headEntry(clean);
    if (entry?.type !== 'blob') return undefined;
    return (await this.objects.readBlob(entry.sha)).toString('utf8');
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
    const files = new Set((await this.#headFiles(clean)).map(e => e.path));
    for (const [p, content] of this.#overlay) {
      if (!p.startsWith(`${clean}/`)) continue;
      if (content === null) files.delete(p);
      else files.add(p);
    }
    return [...files].sort();
  }

  /**
   * The files that differ from the head: written files whose bytes changed
   * and removed files that existed. Empty when the change left every file
   * as it was.
   */
  async changes(): Promise<FileChange[]> {
    const out: FileChange[] = [];
    for (const [p, content] of this.#overlay) {
      const head = await this.#headEntry(p);
      if (content === null) {
        // A removed folder's files are in the overlay one by one.
        if (head?.type === 'blob')
          out.push({ path: p, mode: head.mode as BlobMode, content });
        continue;
      }
      if (head?.type === 'blob' && head.sha === gitBlobSha(content)) continue;
      out.push({
        path: p,
        mode: head?.type === 'blob' ? (head.mode as BlobMode) : '100644',
        content,
      });
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }
}
