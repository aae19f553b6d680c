import { FaultInjector, Faults, parseFaults, seededRandom } from './faults';

async function decisions(injector: FaultInjector, n: number, op = 'x') {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await injector.apply('aws', op);
    out.push(d.kind === 'error' ? String(d.status) : d.kind);
  }
  return out;
}

describe('FaultInjector', () => {
  const mix: Faults = {
    aws: { throttleRate: 0.3, errorRate: 0.2, errorStatuses: [500, 503] },
  };

  it('injects the same faults into the same requests when seeded', async () => {
    const a = await decisions(new FaultInjector(mix, seededRandom(42)), 200);
    const b = await decisions(new FaultInjector(mix, seededRandom(42)), 200);
    expect(a).toEqual(b);
    // And the rates are what they say (roughly, over 200 draws).
    const throttled = a.filter(d => d === 'throttle').length;
    expect(throttled).toBeGreaterThan(30);
    expect(throttled).toBeLessThan(90);
    const other = await decisions(new FaultInjector(mix, seededRandom(7)), 200);
    expect(other).not.toEqual(a);
  });

  it('gives each operation its own seeded sequence, whatever the interleaving', async () => {
    const alone = new FaultInjector(mix, { seed: 42 });
    const mixed = new FaultInjector(mix, { seed: 42 });
    const a = await decisions(alone, 50, 'ecr:CreateRepository');
    // The same operation's requests, interleaved with another operation's.
    const b: string[] = [];
    for (let i = 0; i < 50; i++) {
      await decisions(mixed, 2, 'iam:GetRole');
      b.push(...(await decisions(mixed, 1, 'ecr:CreateRepository')));
    }
    expect(b).toEqual(a);
    expect(a.filter(d => d !== 'pass').length).toBeGreaterThan(5);
  });

  it('holds the next request of an operation until released', async () => {
    const injector = new FaultInjector();
    const gate = injector.hold('aws', 'iam:CreateRole');
    // Other operations pass while the gate is set.
    expect(await decisions(injector, 1, 'ecr:CreateRepository')).toEqual([
      'pass',
    ]);
    let served = false;
    const held = injector.apply('aws', 'iam:CreateRole').then(d => {
      served = true;
      return d.kind;
    });
    await gate.reached;
    await new Promise(r => setImmediate(r));
    expect(served).toBe(false);
    gate.release();
    expect(await held).toBe('pass');
    // Only the next request was held.
    expect(await decisions(injector, 1, 'iam:CreateRole')).toEqual(['pass']);
  });

  it('fails the next N requests of one operation, then serves it', async () => {
    const injector = new FaultInjector({
      aws: {
        failNext: {
          'ecr:CreateRepository': { count: 3, status: 'throttle' },
          'iam:CreateRole': { count: 1, status: 500 },
        },
      },
    });
    expect(await decisions(injector, 1, 'ecr:DescribeRepositories')).toEqual([
      'pass',
    ]);
    expect(await decisions(injector, 4, 'ecr:CreateRepository')).toEqual([
      'throttle',
      'throttle',
      'throttle',
      'pass',
    ]);
    expect(await decisions(injector, 2, 'iam:CreateRole')).toEqual([
      '500',
      'pass',
    ]);
  });

  it('refuses a malformed per-operation rule with a clear error', () => {
    expect(() =>
      parseFaults({
        github: { failNext: { 'git/create-ref': { count: -1 } } },
      }),
    ).toThrow(
      "faults.github.failNext['git/create-ref'] must be { count: a whole number >= 0, status?: 429, 500, 503 or 'throttle' }",
    );
  });
});
