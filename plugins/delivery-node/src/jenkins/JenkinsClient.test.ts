import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@internal/sandbox';
import { JenkinsClient, jenkinsBuildStatus } from './JenkinsClient';
import { JenkinsInstances } from './JenkinsInstances';

jest.setTimeout(60_000);

/** Node's fetch, past Jest's network guard (it blocks the global one). */
const undiciFetch = (require('undici') as { fetch: typeof fetch }).fetch;

const FOLDER = 'slipway-demo';
const JOB = 'payments-api';
const SHA = (n: number) => n.toString(16).padStart(40, 'a');
const UNSUCCESSFUL: Record<number, 'FAILURE' | 'ABORTED'> = {
  10: 'FAILURE',
  11: 'ABORTED',
};

describe('JenkinsClient against the sandbox Jenkins', () => {
  let sb: Sandbox;
  let dataDir: string;
  let urls: string[];
  let bodies: unknown[];
  const recordingFetch = (async (input: any, init: any) => {
    urls.push(String(input));
    const res = await undiciFetch(input, init);
    if (res.ok) bodies.push(await res.clone().json());
    return res;
  }) as typeof fetch;

  const config = (apiKey = SANDBOX_CREDENTIALS.jenkinsToken) =>
    new ConfigReader({
      jenkins: {
        instances: [
          {
            name: 'default',
            baseUrl: sb.urls.jenkins,
            username: SANDBOX_CREDENTIALS.jenkinsUser,
            apiKey,
          },
        ],
      },
    });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-jenkins-'));
    sb = await startSandbox({
      dataDir,
      ports: { control: 0, github: 0, aws: 0, argocd: 0, jenkins: 0 },
      seed: false,
      buildMs: 0,
    });
    // Builds 1-9 succeeded, 10 failed, 11 was aborted, 12 is still running;
    // build n started at t0 + n * 10 min and took 90 s.
    const job = sb.jenkins.ensureJob(FOLDER, JOB, 'http://x/y.git');
    const t0 = Date.parse('2025-01-01T10:00:00Z');
    for (let n = 1; n <= 11; n++) {
      const at = new Date(t0 + n * 600_000);
      const number = sb.jenkins.startBuild(job, SHA(n), 'main', 'push', at);
      sb.jenkins.finishBuild(
        job,
        number,
        { result: UNSUCCESSFUL[n] ?? 'SUCCESS' },
        new Date(at.getTime() + 90_000),
      );
    }
    sb.jenkins.startBuild(
      job,
      SHA(12),
      'main',
      'push',
      new Date(t0 + 12 * 600_000),
    );
  });
  afterAll(async () => {
    await sb?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    urls = [];
    bodies = [];
    sb.faults.resetCounters();
  });

  it('reads the newest builds in exactly one request, newest first, statuses mapped', async () => {
    const client = JenkinsInstances.fromConfig(config(), {
      fetch: recordingFetch,
    }).get();
    const section = await client.getBuilds(`${FOLDER}/${JOB}`, { limit: 3 });

    expect(sb.faults.total('jenkins')).toBe(1);
    expect(sb.faults.counters().jenkins).toEqual({ 'jenkins:job': 1 });
    expect(urls).toHaveLength(1);
    const url = new URL(urls[0]);
    expect(url.pathname).toBe(`/job/${FOLDER}/job/${JOB}/api/json`);
    expect(url.searchParams.get('tree')).toBe(
      'url,builds[number,url,result,building,timestamp,duration,actions[lastBuiltRevision[SHA1]]]{0,3}',
    );

    // Jenkins sent only what the tree asked for: three builds, their fields.
    expect(bodies).toHaveLength(1);
    const job = bodies[0] as { builds: object[] };
    expect(job.builds).toHaveLength(3);
    expect(Object.keys(job.builds[0]).sort()).toEqual([
      '_class',
      'actions',
      'building',
      'duration',
      'number',
      'result',
      'timestamp',
      'url',
    ]);

    expect(section.provider).toBe('jenkins');
    expect(section.url).toBe(`${sb.urls.jenkins}/job/${FOLDER}/job/${JOB}/`);
    expect(section.builds.map(b => [b.number, b.status])).toEqual([
      [12, 'running'],
      [11, 'aborted'],
      [10, 'failed'],
    ]);
    const [running, , failed] = section.builds;
    expect(running).toEqual({
      number: 12,
      status: 'running',
      commitSha: SHA(12),
      startedAt: '2025-01-01T12:00:00.000Z',
      url: `${sb.urls.jenkins}/job/${FOLDER}/job/${JOB}/12/`,
    });
    expect(failed).toEqual({
      number: 10,
      status: 'failed',
      commitSha: SHA(10),
      startedAt: '2025-01-01T11:40:00.000Z',
      finishedAt: '2025-01-01T11:41:30.000Z',
      durationMs: 90_000,
      url: `${sb.urls.jenkins}/job/${FOLDER}/job/${JOB}/10/`,
    });
  });

  it('refuses bad job names before any request', async () => {
    const client = JenkinsInstances.fromConfig(config(), {
      fetch: recordingFetch,
    }).get('default');
    for (const bad of [
      '',
      'slipway-demo//payments-api',
      'slipway-demo/',
      '../payments-api',
      'slipway-demo/..',
      'a/%2e%2e',
      'a/b?tree=x',
      'a/b#c',
    ]) {
      await expect(client.getBuilds(bad, { limit: 5 })).rejects.toMatchObject({
        name: 'InputError',
      });
    }
    await expect(
      client.getBuilds(`${FOLDER}/${JOB}`, { limit: 0 }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(urls).toEqual([]);
    expect(sb.faults.total('jenkins')).toBe(0);
  });

  it('url-encodes each segment of the job name', () => {
    expect(JenkinsClient.jobPath('my folder/job ä')).toBe(
      '/job/my%20folder/job/job%20%C3%A4',
    );
  });

  it('gives NotFoundError for a missing job and a credential-free error for a refused apiKey', async () => {
    const client = JenkinsInstances.fromConfig(config(), {
      fetch: recordingFetch,
    }).get();
    await expect(
      client.getBuilds(`${FOLDER}/nope`, { limit: 5 }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });

    const wrongKey = 'wrong-api-key-123';
    const refused = await JenkinsInstances.fromConfig(config(wrongKey), {
      fetch: recordingFetch,
    })
      .get()
      .getBuilds(`${FOLDER}/${JOB}`, { limit: 5 })
      .catch(e => e);
    expect(refused.name).toBe('ServiceUnavailableError');
    expect(refused.message).toMatch(/HTTP 401/);
    expect(refused.message).not.toContain(wrongKey);
    expect(refused.message).not.toMatch(/Basic /);
  });

  it('fails a 5xx as ServiceUnavailableError, naming the job', async () => {
    sb.faults.set({ jenkins: { errorRate: 1, errorStatuses: [503] } });
    try {
      const err = await JenkinsInstances.fromConfig(config(), {
        fetch: recordingFetch,
      })
        .get()
        .getBuilds(`${FOLDER}/${JOB}`, { limit: 5 })
        .catch(e => e);
      expect(err.name).toBe('ServiceUnavailableError');
      expect(err.message).toContain(`${FOLDER}/${JOB}`);
      expect(err.message).not.toContain(SANDBOX_CREDENTIALS.jenkinsToken);
    } finally {
      sb.faults.clear();
    }
  });
});

describe('JenkinsInstances', () => {
  it('reads jenkins.instances, and the single-instance form as `default`', () => {
    const many = JenkinsInstances.fromConfig(
      new ConfigReader({
        jenkins: {
          instances: [
            {
              name: 'a',
              baseUrl: 'https://a.invalid',
              username: 'u',
              apiKey: 'k',
            },
            {
              name: 'default',
              baseUrl: 'https://d.invalid/',
              username: 'u',
              apiKey: 'k',
            },
          ],
        },
      }),
    );
    expect(many.names()).toEqual(['a', 'default']);
    expect(many.get().baseUrl).toBe('https://d.invalid');
    expect(many.get('a').baseUrl).toBe('https://a.invalid');
    expect(() => many.get('nope')).toThrow(/Unknown Jenkins instance 'nope'/);

    const single = JenkinsInstances.fromConfig(
      new ConfigReader({
        jenkins: { baseUrl: 'https://j.invalid', username: 'u', apiKey: 'k' },
      }),
    );
    expect(single.names()).toEqual(['default']);

    const none = JenkinsInstances.fromConfig(new ConfigReader({}));
    expect(none.has()).toBe(false);
    expect(() => none.get()).toThrow(/No Jenkins instance/);
  });

  it('refuses an instance without credentials or with a non-http baseUrl', () => {
    expect(() =>
      JenkinsInstances.fromConfig(
        new ConfigReader({
          jenkins: {
            instances: [
              {
                name: 'a',
                baseUrl: 'ftp://a.invalid',
                username: 'u',
                apiKey: 'k',
              },
            ],
          },
        }),
      ),
    ).toThrow(/http\(s\) baseUrl/);
    expect(
      () =>
        new JenkinsClient({
          instance: {
            name: 'a',
            baseUrl: 'https://a',
            username: 'u',
            apiKey: '',
          },
        }),
    ).toThrow(/needs a username and an apiKey/);
  });
});

describe('jenkinsBuildStatus', () => {
  it.each([
    [null, true, 'running'],
    ['SUCCESS', false, 'succeeded'],
    ['FAILURE', false, 'failed'],
    ['UNSTABLE', false, 'failed'],
    ['ABORTED', false, 'aborted'],
    [null, false, 'queued'],
    ['NOT_BUILT', false, 'unknown'],
  ] as const)(
    'maps result %s (building %s) to %s',
    (result, building, status) => {
      expect(jenkinsBuildStatus(result, building)).toBe(status);
    },
  );
});
