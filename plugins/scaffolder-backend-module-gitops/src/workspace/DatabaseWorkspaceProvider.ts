/*
 * Where a task's workspace survives its backend. With
 * scaffolder.taskRecovery enabled, a task whose backend stopped mid-run, or
 * a Retry of a failed one, resumes at the first step not yet completed; the
 * steps before it (fetch:template, fs:delete) are not run again, so the
 * files they left in the workspace must come back from somewhere. This
 * provider keeps them in the scaffolder's own database (SQLite in dev,
 * PostgreSQL in production), one row per unfinished task, removed when the
 * task completes. Every replica reads the same rows.
 */

import fs from 'node:fs/promises';
import path from 'node:path';
import {
  DatabaseService,
  LoggerService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { serializeDirectoryContents } from '@backstage/plugin-scaffolder-node';
import type { WorkspaceProvider } from '@backstage/plugin-scaffolder-node/alpha';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/** The table, in the scaffolder plugin's database. */
export const WORKSPACES_TABLE = 'slipway_task_workspaces';

/** A workspace larger than this is not kept (a template's skeleton is kilobytes). */
const MAX_BYTES = 20 * 1024 * 1024;

/**
 * The scaffolder's workspace provider `slipway-database`
 * (`scaffolder.taskRecovery.workspaceProvider`).
 *
 * @public
 */
export class DatabaseWorkspaceProvider implements WorkspaceProvider {
  readonly #db: Promise<Knex>;
  readonly #logger: LoggerService;

  /** Opens the scaffolder's database and creates the table once. */
  static create(options: {
    database: DatabaseService;
    logger: LoggerService;
  }): DatabaseWorkspaceProvider {
    return new DatabaseWorkspaceProvider(
      options.database.getClient().then(async db => {
        try {
          if (!(await db.schema.hasTable(WORKSPACES_TABLE))) {
            await db.schema.createTable(WORKSPACES_TABLE, table => {
              table.string('task_id').primary();
              table.text('files', 'longtext').notNullable();
              table.timestamp('updated_at').notNullable();
            });
          }
        } catch (e) {
          // Another replica created it at the same moment.
          if (!(await db.schema.hasTable(WORKSPACES_TABLE))) throw e;
        }
        return db;
      }),
      options.logger,
    );
  }

  private constructor(db: Promise<Knex>, logger: LoggerService) {
    this.#db = db;
    this.#logger = logger;
  }

  async serializeWorkspace(options: {
    path: string;
    taskId: string;
  }): Promise<void> {
    const files = await serializeDirectoryContents(options.path);
    const bytes = files.reduce((n, f) => n + f.content.length, 0);
    if (bytes > MAX_BYTES) {
      this.#logger.warn(
        `Workspace of task ${options.taskId} is ${bytes} bytes, over ${MAX_BYTES}: not kept for recovery`,
      );
      return;
    }
    const row = {
      task_id: options.taskId,
      files: JSON.stringify(
        files.map(f => ({
          path: f.path,
          content: f.content.toString('base64'),
          executable: f.executable,
          symlink: f.symlink,
        })),
      ),
      updated_at: new Date(),
    };
    const db = await this.#db;
    await db(WORKSPACES_TABLE)
      .insert(row)
      .onConflict('task_id')
      .merge(['files', 'updated_at']);
  }

  async rehydrateWorkspace(options: {
    taskId: string;
    targetPath: string;
  }): Promise<void> {
    const db = await this.#db;
    const row = await db(WORKSPACES_TABLE)
      .where({ task_id: options.taskId })
      .first('files');
    if (!row) return;
    const files = JSON.parse(row.files) as Array<{
      path: string;
      content: string;
      executable?: boolean;
      symlink?: boolean;
    }>;
    // Not deserializeDirectoryContents: it drops the executable bit and
    // symlinks, and the repository step commits file modes, so a restored
    // workspace would make a different first commit than the first attempt.
    for (const f of files) {
      const target = resolveSafeChildPath(options.targetPath, f.path);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const content = Buffer.from(f.content, 'base64');
      if (f.symlink) {
        await fs.symlink(content.toString('utf8'), target);
      } else {
        await fs.writeFile(target, content, {
          mode: f.executable ? 0o755 : 0o644,
        });
      }
    }
  }

  async cleanWorkspace(options: { taskId: string }): Promise<void> {
    const db = await this.#db;
    await db(WORKSPACES_TABLE).where({ task_id: options.taskId }).delete();
  }
}
