import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BareRepos } from './git';
import { findingsFor, runPipeline, setImageTag } from './pipeline';

// Real git under load: twenty racing bumps take seconds on a busy 2-core machine.
jest.setTimeout(120_000);

describe('setImageTag', () => {
  it('changes only image.tag and keeps comments and layout', () => {
    const before = [
      '# payments-api: values every environment shares.',
      'image:',
      '  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api # ECR',
      '  tag: bootstrap # replaced by CI',
      'replicaCount: 2',
      '',
    ].join('\n');
    const after = setImageTag(before, 'abc1234-7');
    expect(after).toBe(before.replace('tag: bootstrap', 'tag: abc1234-7'));
  });

  it('refuses a values file that does not parse', () => {
    expect(() => setImageTag('image: [unclosed', 'x')).toThrow(
      /does not parse/,
    );
  });
});

describe('runPipeline', () => {
  let dir: string;
  let repos: BareRepos;
  const images: string[] = [];
  const registry = {
    putImage(repo: string, tag: string) {
      if (repo === 'missing') throw new Error('RepositoryNotFoundException');
      images.push(`${repo}:${tag}`);
      return { digest: 'sha256:0' };
    },
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-pipeline-'));
    repos = new BareRepos(dir, () => 'http://127.0.0.1:1');
    await repos.create('org', 'helm-charts');
    await repos.commitFiles(
      'org',
      'helm-charts',
      'main',
      {
        'charts/svc-a/values.yaml': 'image:\n  tag: old # CI\n',
        'charts/svc-b/values.yaml': 'image:\n  tag: old\n',
      },
      'init',
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const options = () => ({
    repos,
    registry,
    helmCharts: { owner: 'org', repo: 'helm-charts', branch: 'main' },
    onChartsPush: async () => {},
    buildMs: 0,
  });

  it('pushes <sha7>-<build> and commits the tag bump', async () => {
    const sha = 'f'.repeat(40);
    const r = await runPipeline(options(), {
      owner: 'org',
      repo: 'svc-a',
      sha,
      buildNumber: 12,
    });
    expect(r.result).toBe('SUCCESS');
    expect(r.tag).toBe('fffffff-12');
    expect(images).toContain('svc-a:fffffff-12');
    const text = await repos.readFileIn(
      'org',
      'helm-charts',
      r.bumpSha!,
      'charts/svc-a/values.yaml',
    );
    expect(text).toBe('image:\n  tag: fffffff-12 # CI\n');
    const commit = await repos.commitIn('org', 'helm-charts', r.bumpSha!);
    expect(commit?.message).toMatch(/^ci\(svc-a\): deploy fffffff-12/);
  });

  it('lands every bump when twenty race for the branch, without losing one', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runPipeline(options(), {
          owner: 'org',
          repo: i % 2 ? 'svc-a' : 'svc-b',
          sha: `${i}`.padStart(40, 'a'),
          buildNumber: i + 1,
        }),
      ),
    );
    expect(
      runs.filter(r => r.result !== 'SUCCESS').map(r => r.log.at(-1)),
    ).toEqual([]);
    const log = await repos.log('org', 'helm-charts', 'main', 100);
    // init + 20 bumps, each a child of the one before (fast-forward only).
    expect(log).toHaveLength(21);
    for (let i = 0; i < log.length - 1; i++) {
      expect(log[i].parents).toEqual([log[i + 1].sha]);
    }
  });

  it('fails the build without touching helm-charts when the image push fails', async () => {
    const head = await repos.resolveIn('org', 'helm-charts', 'main');
    const r = await runPipeline(options(), {
      owner: 'org',
      repo: 'missing',
      sha: 'b'.repeat(40),
      buildNumber: 1,
    });
    expect(r.result).toBe('FAILURE');
    expect(r.log.join('\n')).toMatch(/push to ECR failed/);
    expect(await repos.resolveIn('org', 'helm-charts', 'main')).toBe(head);
  });

  it('waits for a repository and a chart that the wizard provisions after the first push', async () => {
    let misses = 0;
    const late = {
      putImage(repo: string, tag: string) {
        if (misses++ < 2) {
          throw Object.assign(new Error('not yet'), {
            code: 'RepositoryNotFoundException',
          });
        }
        images.push(`${repo}:${tag}`);
        return { digest: 'sha256:1' };
      },
    };
    setTimeout(() => {
      void repos.commitFiles(
        'org',
        'helm-charts',
        'main',
        { 'charts/svc-c/values.yaml': 'image:\n  tag: old\n' },
        'register svc-c',
      );
    }, 700);
    const r = await runPipeline(
      { ...options(), registry: late, provisioningWaitMs: 10_000 },
      { owner: 'org', repo: 'svc-c', sha: 'c'.repeat(40), buildNumber: 1 },
    );
    expect(r.result).toBe('SUCCESS');
    expect(misses).toBe(3);
    expect(
      await repos.readFileIn(
        'org',
        'helm-charts',
        r.bumpSha!,
        'charts/svc-c/values.yaml',
      ),
    ).toContain('tag: ccccccc-1');
  });

  it('gives up on a chart that never appears, after the wait', async () => {
    const r = await runPipeline(
      { ...options(), provisioningWaitMs: 300 },
      { owner: 'org', repo: 'svc-d', sha: 'd'.repeat(40), buildNumber: 1 },
    );
    expect(r.result).toBe('FAILURE');
    expect(r.log.at(-1)).toMatch(/charts\/svc-d\/values.yaml not found/);
  });

  it('derives the same scan findings from the same commit, and varied ones across commits', () => {
    expect(findingsFor('abc')).toEqual(findingsFor('abc'));
    const seen = new Set(
      Array.from({ length: 30 }, (_, i) =>
        JSON.stringify(findingsFor(`sha-${i}`)),
      ),
    );
    expect(seen.size).toBeGreaterThan(5);
    // Some builds carry a CRITICAL finding, so the cards have something to flag.
    expect(
      Array.from(
        { length: 100 },
        (_, i) => findingsFor(`sha-${i}`).CRITICAL,
      ).some(c => c > 0),
    ).toBe(true);
  });
});
