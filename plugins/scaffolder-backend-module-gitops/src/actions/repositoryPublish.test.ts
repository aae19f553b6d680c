import fs from 'node:fs';
import path from 'node:path';
import { Sandbox, SANDBOX_CREDENTIALS } from '@internal/sandbox';
import { taskTopic } from '@internal/backstage-plugin-delivery-node';
import {
  buildActions,
  CheckpointFake,
  context,
  expectNoSecrets,
  sandboxConfig,
  startTestSandbox,
} from './__testUtils__/harness';

// A sandbox and git under a loaded CI machine: generous, never a measure.
jest.setTimeout(180_000);

const ORG = 'slipway-demo';

describe('slipway:repository:publish (against the sandbox)', () => {
  let sb: Sandbox;
  let actions: ReturnType<typeof buildActions>;

  beforeAll(async () => {
    sb = await startTestSandbox();
    actions = buildActions(sandboxConfig(sb));
  });
  afterAll(() => sb?.stop());
  beforeEach(() => {
    sb.faults.clear();
    sb.faults.resetCounters();
  });

  /** A step context whose workspace holds a small service skeleton. */
  function run(
    name: string,
    extra: Record<string, unknown> = {},
    options: Parameters<typeof context>[1] = {},
  ) {
    const host = new URL(sb.urls.github).host;
    const c = context(
      { name, repoUrl: `${host}?owner=${ORG}&repo=${name}`, ...extra },
      options,
    );
    const ws = c.ctx.workspacePath as string;
    fs.mkdirSync(path.join(ws, 'bin'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, 'catalog-info.yaml'),
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  owner: payments-team\n  lifecycle: production\n`,
    );
    fs.writeFileSync(
      path.join(ws, 'bin', 'run.sh'),
      '#!/bin/sh\nexec node .\n',
    );
    fs.chmodSync(path.join(ws, 'bin', 'run.sh'), 0o755);
    return c;
  }

  async function api(p: string) {
    const res = await fetch(`${sb.urls.githubApi}${p}`, {
      headers: { authorization: `token ${SANDBOX_CREDENTIALS.githubToken}` },
    });
    return { status: res.status, body: await res.json() };
  }

  const created = () =>
    sb.faults.counters().github?.['repos/create-in-org'] ?? 0;

  it('creates the repository with the workspace as one parentless commit, protected, naming the task', async () => {
    const { ctx, outputs, lines } = run('orders-a');
    await actions.publish.handler(ctx);

    expect(outputs).toMatchObject({
      created: true,
      commitHash: expect.stringMatching(/^[0-9a-f]{40}$/),
      remoteUrl: `${sb.urls.github}/${ORG}/orders-a`,
      repoContentsUrl: `${sb.urls.github}/${ORG}/orders-a/blob/main`,
    });
    const log = await sb.repos.log(ORG, 'orders-a', 'main');
    expect(log.map(c => c.sha)).toEqual([outputs.commitHash]);
    expect(log[0].parents).toEqual([]);
    expect(
      await sb.repos.readFileIn(ORG, 'orders-a', log[0].sha, 'bin/run.sh'),
    ).toBe('#!/bin/sh\nexec node .\n');

    const repo = await api(`/repos/${ORG}/orders-a`);
    expect(repo.body).toMatchObject({
      private: true,
      delete_branch_on_merge: true,
    });
    expect(repo.body.topics).toEqual(['slipway', taskTopic('task-1')]);
    expect(
      (await api(`/repos/${ORG}/orders-a/branches/main/protection`)).status,
    ).toBe(200);
    expect(created()).toBe(1);
    expectNoSecrets(lines, outputs);
  });

  it('converges on a Retry after GitHub failed mid-way: one repository, the same commit', async () => {
    const checkpoints = new CheckpointFake();
    // The branch update fails for good on the first attempt (more 503s
    // than the client's retries absorb).
    sb.faults.set({
      github: { failNext: { 'git/update-ref': { count: 5, status: 503 } } },
    });
    const first = run('orders-b', {}, { checkpoints, task: 'task-b' });
    // One line in the task log: the request that failed, and what to do.
    await expect(actions.publish.handler(first.ctx)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringMatching(
        /^GitHub PATCH \/repos\/slipway-demo\/orders-b\/git\/refs\/heads\/main failed: HTTP 503: injected fault: 503 \(after \d attempts\)\. Retry the task: it resumes at this step\.$/,
      ),
      stack: expect.not.stringContaining('\n'),
    });
    expect(created()).toBe(1);

    sb.faults.clear();
    const retry = run('orders-b', {}, { checkpoints, task: 'task-b' });
    await actions.publish.handler(retry.ctx);
    const log = await sb.repos.log(ORG, 'orders-b', 'main');
    expect(log.map(c => c.sha)).toEqual([retry.outputs.commitHash]);
    expect(created()).toBe(1);

    // Once more: the same commit again, nothing created or moved.
    sb.faults.resetCounters();
    const again = run('orders-b', {}, { checkpoints, task: 'task-b' });
    await actions.publish.handler(again.ctx);
    expect(again.outputs.commitHash).toBe(retry.outputs.commitHash);
    const m = sb.faults.mutations().github ?? {};
    expect(m['repos/create-in-org']).toBeUndefined();
    expect(m['git/create-ref']).toBeUndefined();
    expect(m['git/update-ref']).toBeUndefined();
    expect(again.lines.join('\n')).toContain(
      'already holds the initial commit',
    );
  });

  it('a crash after creating the repository: the Retry finds it by its task topic', async () => {
    const checkpoints = new CheckpointFake();
    checkpoints.crashAfter = `github.repository.${ORG}/orders-c`;
    const first = run('orders-c', {}, { checkpoints, task: 'task-c' });
    await expect(actions.publish.handler(first.ctx)).rejects.toThrow(
      'simulated crash',
    );
    const retry = run('orders-c', {}, { checkpoints, task: 'task-c' });
    await actions.publish.handler(retry.ctx);
    expect(retry.outputs.created).toBe(false);
    expect(created()).toBe(1);
    expect(
      (await sb.repos.log(ORG, 'orders-c', 'main')).map(c => c.sha),
    ).toEqual([retry.outputs.commitHash]);
  });

  it('a new run never takes an existing repository; its owners adopt it on purpose and it keeps its history', async () => {
    const other = run('orders-a', {}, { task: 'task-2' });
    await expect(actions.publish.handler(other.ctx)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        "GitHub repository 'slipway-demo/orders-a' already exists for component:default/orders-a and was not created by this run",
      ),
    });
    expect(sb.faults.mutations()).toEqual({});

    const head = (await sb.repos.log(ORG, 'payments-api', 'main'))[0].sha;
    const dana = run(
      'payments-api',
      { adopt: true },
      { task: 'task-3', user: 'user:default/dana' },
    );
    await expect(actions.publish.handler(dana.ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(sb.faults.mutations()).toEqual({});

    const guest = run('payments-api', { adopt: true }, { task: 'task-4' });
    await actions.publish.handler(guest.ctx);
    expect(guest.outputs).toMatchObject({ created: false, commitHash: head });
    expect((await sb.repos.log(ORG, 'payments-api', 'main'))[0].sha).toBe(head);
    expect(guest.lines.join('\n')).toContain('keeps its own history');
  });

  it('refuses a repoUrl on a host that is not configured, before any call', async () => {
    const c = context({
      name: 'orders-d',
      repoUrl: 'github.invalid?owner=acme&repo=orders-d',
    });
    await expect(actions.publish.handler(c.ctx)).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(sb.faults.total()).toBe(0);
  });
});
