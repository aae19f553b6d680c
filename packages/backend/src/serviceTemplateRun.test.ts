/*
 * The whole "Service on EKS" template (templates/service/template.yaml), run
 * by this backend started as a process, through the scaffolder's REST API
 * with a developer's own sign-in, against the sandbox:
 *
 * - under a seeded fault mix on every upstream (AWS throttling, GitHub and
 *   Argo CD 5xx and 429, Jenkins errors): the run completes by itself, or
 *   after one Retry when a fault outlasts a retry budget;
 * - with the backend killed between two side effects (the ECR repository
 *   made, the IAM role's CreateRole in flight) and started again: the task
 *   resumes and completes.
 *
 * Each time the sandbox then holds exactly one app repository, ECR
 * repository, IAM role, chart commit and Argo CD application for the
 * service, and nothing else was created.
 */

import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  PROVISIONING_FAULT_MIX,
  Sandbox,
  SANDBOX_CREDENTIALS,
} from '@internal/sandbox';
import { BackendProcess } from './__testUtils__/backendProcess';
import { serviceTemplateValues } from './__testUtils__/templateValues';
import { DevPortal, startDevPortal } from './__testUtils__/devPortal';
import { request } from './__testUtils__/net';

jest.setTimeout(900_000);

const FAULT_MIX = PROVISIONING_FAULT_MIX;
const FAULT_SEED = 20261202;

interface TaskEvent {
  type: string;
  body: { message?: string; stepId?: string; status?: string };
}

describe('templates/service/template.yaml, run by the backend', () => {
  let portal: DevPortal;
  let sb: Sandbox;
  let backend: BackendProcess;
  let token: string;

  beforeAll(async () => {
    portal = await startDevPortal({
      sandbox: {
        faultSeed: FAULT_SEED,
        buildMs: 200,
        progressingMs: 500,
        reconcileIntervalMs: 250,
      },
      // Recovery sooner than the default 30 s, so the test waits less.
      config: {
        scaffolder: { taskRecovery: { staleTimeout: { seconds: 3 } } },
      },
    });
    ({ sb, backend } = portal);
    token = await portal.signIn('guest');
    // The templates Location is read at start-up; wait for the template.
    await portal.entity('template/default/service');
  });

  afterAll(async () => {
    await portal?.stop();
  });

  const api = (method: string, p: string, body?: unknown) =>
    portal.api(token, method, p, body);

  /** Starts the template for service `name`, as guest (payments-team). */
  async function create(name: string): Promise<string> {
    const res = await api('POST', '/api/scaffolder/v2/tasks', {
      templateRef: 'template:default/service',
      values: serviceTemplateValues(
        name,
        sb.urls.github,
        `${name}, made by the template run test`,
      ),
    });
    expect(res.status).toBe(201);
    return res.json().id;
  }

  /** Waits until the task ends; returns its status. */
  function settled(taskId: string): Promise<string> {
    return backend.waitFor(
      `task ${taskId} to end`,
      async () => {
        const res = await api('GET', `/api/scaffolder/v2/tasks/${taskId}`);
        const status = res.status === 200 ? res.json().status : undefined;
        return status === 'completed' || status === 'failed'
          ? status
          : undefined;
      },
      600_000,
    );
  }

  /** Waits until the task ends with `status`; else fails with its log. */
  async function expectEnds(taskId: string, status: string) {
    const ended = await settled(taskId);
    if (ended !== status) {
      const log = (await events(taskId))
        .map(e => `${e.type} ${e.body.stepId ?? ''} ${e.body.message ?? ''}`)
        .slice(-30)
        .join('\n');
      throw new Error(`task ${taskId} ended ${ended}, not ${status}:\n${log}`);
    }
  }

  /** Retries a failed task (as its Retry button does); it must complete. */
  async function retryToEnd(taskId: string) {
    const res = await api(
      'POST',
      `/api/scaffolder/v2/tasks/${taskId}/retry`,
      {},
    );
    expect(res.status).toBe(201);
    await expectEnds(taskId, 'completed');
  }

  async function events(taskId: string): Promise<TaskEvent[]> {
    const res = await api('GET', `/api/scaffolder/v2/tasks/${taskId}/events`);
    expect(res.status).toBe(200);
    return res.json();
  }

  /** Everything the sandbox holds that a run may create, faults off. */
  async function inventory() {
    const saved = sb.faults.faults;
    sb.faults.clear();
    try {
      const gh = (p: string) =>
        request(`${sb.urls.githubApi}${p}`, {
          headers: {
            authorization: `token ${SANDBOX_CREDENTIALS.githubToken}`,
          },
        }).then(r => r.json());
      const aws = {
        endpoint: sb.urls.aws,
        region: sb.aws.region,
        credentials: SANDBOX_CREDENTIALS.aws,
      };
      const ecr = new ECRClient(aws);
      const iam = new IAMClient(aws);
      const session = await request(`${sb.urls.argocd}/api/v1/session`, {
        method: 'POST',
        body: {
          username: SANDBOX_CREDENTIALS.argocdUser,
          password: SANDBOX_CREDENTIALS.argocdPassword,
        },
      });
      const apps = await request(`${sb.urls.argocd}/api/v1/applications`, {
        headers: { authorization: `Bearer ${session.json().token}` },
      });
      return {
        repos: ((await gh('/orgs/slipway-demo/repos?per_page=100')) as any[])
          .map(r => r.name)
          .sort(),
        ecr: (await ecr.send(new DescribeRepositoriesCommand({})))
          .repositories!.map(r => r.repositoryName!)
          .sort(),
        roles: (await iam.send(new ListRolesCommand({})))
          .Roles!.map(r => r.RoleName!)
          .sort(),
        apps: (apps.json().items as any[]).map(a => a.metadata.name).sort(),
        /** Commits on charts/<name> whose subject starts with `prefix`. */
        chartCommits: async (
          name: string,
          prefix = `feat(${name}): register chart`,
        ) =>
          (
            (await gh(
              `/repos/slipway-demo/helm-charts/commits?path=charts/${name}&per_page=100`,
            )) as any[]
          ).filter(c => c.commit.message.startsWith(prefix)).length,
      };
    } finally {
      sb.faults.set(saved);
    }
  }

  /** Exactly one of each, for `name` only, on top of `before`. */
  async function expectExactlyOne(
    name: string,
    before: Awaited<ReturnType<typeof inventory>>,
  ) {
    const after = await inventory();
    const added = (a: string[], b: string[]) => a.filter(x => !b.includes(x));
    expect(added(after.repos, before.repos)).toEqual([name]);
    expect(added(after.ecr, before.ecr)).toEqual([name]);
    expect(added(after.roles, before.roles)).toEqual([name]);
    // One application per chosen environment (dev, staging).
    expect(added(after.apps, before.apps)).toEqual([
      `${name}-dev`,
      `${name}-staging`,
    ]);
    expect(await after.chartCommits(name)).toBe(1);
    // staging pinned to the first build once, however often steps re-ran.
    expect(await after.chartCommits(name, `promote(${name}): `)).toBe(1);
    // Registered by the last step; the catalog processes it in the
    // background, on its own schedule: its read of catalog-info.yaml is not
    // the run's, so it is not left to the fault mix (a failed read waits
    // for the catalog's next pass, which may not fall within the wait).
    const saved = sb.faults.faults;
    sb.faults.clear();
    try {
      const entity = await portal.entity(`component/default/${name}`);
      expect(entity.json().spec.owner).toBe('group:default/payments-team');
    } finally {
      sb.faults.set(saved);
    }
  }

  it('completes under a seeded fault mix on every upstream, without a Retry or after one, and creates each thing once', async () => {
    sb.faults.set(FAULT_MIX);

    // 1. The mix alone: the retry budgets absorb most of it; a fault that
    // outlasts one (a create that is not repeated blindly) costs one Retry.
    let before = await inventory();
    const first = await create('fault-mix');
    if ((await settled(first)) === 'failed') await retryToEnd(first);
    await expectExactlyOne('fault-mix', before);
    // The task log said what was retried, one line each.
    const lines = (await events(first))
      .map(e => e.body.message ?? '')
      .filter(m => /retrying \d+\/\d+/.test(m));
    expect(lines.length).toBeGreaterThan(0);

    // 2. Argo CD answering 503 to the first Application's creation (a POST,
    // not repeated blindly), and nothing else failing, so that this is the
    // step that fails whatever the number of calls before it: the run
    // fails there, says what exists, and one Retry completes it.
    before = await inventory();
    sb.faults.set({
      argocd: {
        failNext: {
          'argocd:ApplicationService_Create': { count: 1, status: 503 },
        },
      },
    });
    const second = await create('fault-retry');
    expect(await settled(second)).toBe('failed');
    const failed = await events(second);
    const log = failed.map(e => e.body.message ?? '').join('\n');
    // The failure is one line, without a stack trace.
    const failure = failed.filter(e => e.body.status === 'failed');
    expect(failure.length).toBeGreaterThan(0);
    for (const f of failure) {
      expect(f.body.message ?? '').not.toMatch(/\n\s+at /);
    }
    expect(log).not.toContain('node_modules');
    // Its last lines say what exists so far, with links, and that Retry resumes.
    expect(log).toMatch(
      /So far this run created: app repository http:\/\/127\.0\.0\.1:\d+\/slipway-demo\/fault-retry;.*chart charts\/fault-retry in helm-charts/,
    );
    // ECR and IAM are listed too, as created or (throttled) not checked.
    expect(log).toMatch(/ECR repository fault-retry/);
    expect(log).toMatch(/IAM role fault-retry/);
    expect(log).toContain('Not created yet: Argo CD application fault-retry');
    expect(log).toContain('Retry resumes at the failed step');
    expect(failure.at(-1)?.body.message).toMatch(
      /^ServiceUnavailableError: Argo CD 'sandbox' ApplicationService_Create failed: .*Retry/,
    );

    await retryToEnd(second);
    await expectExactlyOne('fault-retry', before);
    sb.faults.clear();
  });

  it('resumes a run whose backend was killed between two side effects, and creates each thing once', async () => {
    sb.faults.clear();
    const before = await inventory();
    // Hold the IAM role's creation: by then the app repository and the ECR
    // repository exist, and the role does not.
    const gate = sb.faults.hold('aws', 'iam:CreateRole');
    const taskId = await create('killed-mid-run');
    await gate.reached;
    const mid = await inventory();
    expect(mid.ecr).toContain('killed-mid-run');
    expect(mid.roles).not.toContain('killed-mid-run');
    expect(mid.apps).not.toContain('killed-mid-run');

    await backend.kill();
    // The request the dead backend sent still lands (as a slow AWS would
    // have served it): the role exists, created by that task.
    gate.release();
    await backend.start();
    token = await portal.signIn('guest');

    // The stale task is taken again and resumes where it stopped.
    await expectEnds(taskId, 'completed');
    const log = await events(taskId);
    expect(log.some(e => e.type === 'recovered')).toBe(true);
    await expectExactlyOne('killed-mid-run', before);
  });
});
