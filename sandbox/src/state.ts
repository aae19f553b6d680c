/*
 * The sandbox's state: one JSON document per upstream in the data folder,
 * written atomically (temp file + rename) after each change, so a restart
 * picks up where the last run stopped and a crash never leaves half a file.
 * Git repositories live beside it as bare repositories (see github/git.ts).
 */

import fs from 'node:fs';
import path from 'node:path';

/** A JSON document that survives restarts. */
export class StateFile<T extends object> {
  readonly #file: string;
  #data: T;

  constructor(dataDir: string, name: string, initial: () => T) {
    this.#file = path.join(dataDir, `${name}.json`);
    this.#data = fs.existsSync(this.#file)
      ? (JSON.parse(fs.readFileSync(this.#file, 'utf8')) as T)
      : initial();
  }

  /** The current data; change it only inside `update`. */
  get data(): T {
    return this.#data;
  }

  #batching = 0;

  /** Applies a change and writes the result before returning (at the end of a batch). */
  update<R>(change: (data: T) => R): R {
    const result = change(this.#data);
    if (this.#batching === 0) this.save();
    return result;
  }

  /**
   * Runs `fn` writing the file once, at its end, instead of at every
   * change: for seeding many objects (bench/history's 1,000 applications),
   * where a write per change would cost the square of their number.
   */
  async batch<R>(fn: () => Promise<R>): Promise<R> {
    this.#batching++;
    try {
      return await fn();
    } finally {
      this.#batching--;
      if (this.#batching === 0) this.save();
    }
  }

  save() {
    const tmp = `${this.#file}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(this.#data, null, 1));
    fs.renameSync(tmp, this.#file);
  }
}
