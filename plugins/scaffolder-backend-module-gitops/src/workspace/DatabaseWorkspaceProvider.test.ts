import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabaseWorkspaceProvider,
  WORKSPACES_TABLE,
} from './DatabaseWorkspaceProvider';

describe('DatabaseWorkspaceProvider', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ws-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('gives a resumed task the files its completed steps left, on any replica, until it completes', async () => {
    const knex = await databases.init('SQLITE_3');
    const database = { getClient: async () => knex };
    const logger = mockServices.logger.mock();
    // Two providers on one database: two replicas.
    const a = DatabaseWorkspaceProvider.create({ database, logger });
    const b = DatabaseWorkspaceProvider.create({ database, logger });

    const workspace = tmp();
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'catalog-info.yaml'), 'kind: x\n');
    fs.writeFileSync(path.join(workspace, 'src', 'server.ts'), 'export {};\n');
    fs.writeFileSync(path.join(workspace, 'build.sh'), '#!/bin/sh\n', {
      mode: 0o755,
    });
    await a.serializeWorkspace({ path: workspace, taskId: 't1' });
    // Serialized again after a later step: the row is replaced, not added.
    fs.writeFileSync(path.join(workspace, 'README.md'), '# x\n');
    await a.serializeWorkspace({ path: workspace, taskId: 't1' });
    expect(await knex(WORKSPACES_TABLE).count({ n: '*' })).toEqual([{ n: 1 }]);

    const restored = tmp();
    await b.rehydrateWorkspace({ taskId: 't1', targetPath: restored });
    expect(fs.readFileSync(path.join(restored, 'src/server.ts'), 'utf8')).toBe(
      'export {};\n',
    );
    expect(fs.existsSync(path.join(restored, 'README.md'))).toBe(true);
    expect(fs.statSync(path.join(restored, 'build.sh')).mode & 0o111).not.toBe(
      0,
    );

    // Another task has no workspace; a completed one leaves no row.
    const empty = tmp();
    await b.rehydrateWorkspace({ taskId: 't2', targetPath: empty });
    expect(fs.readdirSync(empty)).toEqual([]);
    await b.cleanWorkspace({ taskId: 't1' });
    expect(await knex(WORKSPACES_TABLE).count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
