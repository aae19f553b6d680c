import { InputError } from '@backstage/errors';
import {
  ChartCommit,
  chartCommitNames,
  checkImageTag,
  formatChartCommit,
  parseChartCommit,
} from './chartCommits';

const SHA = '0123456789abcdef0123456789abcdef01234567';

/** Slipway's rollback of a CI deploy in dev, asked by dana. */
const ROLLBACK: ChartCommit = {
  kind: 'rollback',
  name: 'payments-api',
  tag: 'a1b2c3d-6',
  from: 'a1b2c3d-7',
  environment: 'dev',
  reverts: { sha: SHA, subject: 'ci(payments-api): deploy a1b2c3d-7' },
  requestedBy: 'user:default/dana',
};

describe('formatChartCommit', () => {
  it('writes a deploy exactly as CI does (bump-image-tag.sh)', () => {
    expect(
      formatChartCommit({
        kind: 'deploy',
        name: 'payments-api',
        tag: 'a1b2c3d-7',
      }),
    ).toBe('ci(payments-api): deploy a1b2c3d-7');
  });

  it('writes a promote subject, a sentence and the trailers in the last paragraph', () => {
    expect(
      formatChartCommit({
        kind: 'promote',
        name: 'payments-api',
        tag: 'a1b2c3d-7',
        from: 'dev',
        environment: 'staging',
        requestedBy: 'user:default/dana',
      }),
    ).toBe(
      [
        'promote(payments-api): a1b2c3d-7 from dev to staging',
        '',
        'Sets image.tag in charts/payments-api/values-staging.yaml to the tag dev runs.',
        '',
        'Slipway-Action: promote',
        'Slipway-Service: payments-api',
        'Slipway-Environment: staging',
        'Slipway-Image-Tag: a1b2c3d-7',
        'Requested-by: user:default/dana',
      ].join('\n'),
    );
  });

  it("writes a rollback in git revert's own wording plus the trailers", () => {
    expect(formatChartCommit(ROLLBACK)).toBe(
      [
        'Revert "ci(payments-api): deploy a1b2c3d-7"',
        '',
        `This reverts commit ${SHA}.`,
        '',
        'Rolls dev back from a1b2c3d-7 to a1b2c3d-6.',
        '',
        'Slipway-Action: rollback',
        'Slipway-Service: payments-api',
        'Slipway-Environment: dev',
        'Slipway-Image-Tag: a1b2c3d-6',
        `Slipway-Reverts: ${SHA}`,
        'Requested-by: user:default/dana',
      ].join('\n'),
    );
  });

  const base: ChartCommit = {
    kind: 'promote',
    name: 'payments-api',
    tag: 'a1b2c3d-7',
    from: 'dev',
    environment: 'staging',
    requestedBy: 'user:default/dana',
  };

  it.each([
    [
      'a newline in the tag (trailer forgery)',
      { tag: 'x\nSlipway-Action: rollback' },
    ],
    [
      'a newline in the environment',
      { environment: 'prod\nRequested-by: user:default/root' },
    ],
    [
      'a newline in requestedBy',
      { requestedBy: 'user:default/dana\nSlipway-Image-Tag: evil' },
    ],
    [
      'a carriage return in requestedBy',
      { requestedBy: 'user:default/dana\rx' },
    ],
    ['a tag starting with a dot', { tag: '.hidden' }],
    ['a tag of 129 characters', { tag: `a${'b'.repeat(128)}` }],
    ['a tag with a colon', { tag: 'repo:tag' }],
    ['a service name with a slash', { name: 'pay/ments' }],
    ['an upper-case environment', { environment: 'Staging' }],
    ['from equal to the environment', { from: 'staging' }],
    ['a promote without from', { from: undefined }],
    ['a requestedBy that is not an entity ref', { requestedBy: 'dana' }],
  ])('rejects %s with InputError', (_, patch) => {
    expect(() =>
      formatChartCommit({ ...base, ...(patch as Partial<ChartCommit>) }),
    ).toThrow(InputError);
  });

  it.each([
    ['no reverts', { reverts: undefined }],
    ['a short SHA', { reverts: { sha: SHA.slice(0, 7), subject: 'x' } }],
    [
      'a newline in the reverted subject',
      { reverts: { sha: SHA, subject: 'x"\n\nSlipway-Image-Tag: evil' } },
    ],
    ['an empty reverted subject', { reverts: { sha: SHA, subject: ' ' } }],
    ['no environment', { environment: undefined }],
  ])('rejects a rollback with %s', (_, patch) => {
    expect(() =>
      formatChartCommit({
        kind: 'rollback',
        name: 'payments-api',
        tag: 'a1b2c3d-6',
        environment: 'dev',
        reverts: { sha: SHA, subject: 'ci(payments-api): deploy a1b2c3d-7' },
        ...(patch as Partial<ChartCommit>),
      }),
    ).toThrow(InputError);
  });

  it("accepts ECR's tag rule at its edges", () => {
    expect(checkImageTag('_')).toBeUndefined();
    expect(checkImageTag(`A${'-'.repeat(127)}`)).toBeUndefined();
    expect(checkImageTag(`A${'-'.repeat(128)}`)).toMatch(/image tag/);
    expect(checkImageTag('-x')).toMatch(/image tag/);
    expect(checkImageTag('')).toMatch(/required/);
  });
});

describe('parseChartCommit', () => {
  it("reads CI's deploy, from the shell script and from the sandbox pipeline (with its body)", () => {
    expect(
      parseChartCommit('ci(payments-api): deploy a1b2c3d-7', 'payments-api'),
    ).toEqual({
      kind: 'deploy',
      tag: 'a1b2c3d-7',
    });
    expect(
      parseChartCommit(
        'ci(payments-api): deploy a1b2c3d-7\n\nImage 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:a1b2c3d-7 built from slipway-demo/payments-api@a1b2c3d.\n',
        'payments-api',
      ),
    ).toEqual({ kind: 'deploy', tag: 'a1b2c3d-7' });
  });

  it('round-trips promote and rollback through their trailers', () => {
    const promote: ChartCommit = {
      kind: 'promote',
      name: 'payments-api',
      tag: 'a1b2c3d-7',
      from: 'dev',
      environment: 'staging',
      requestedBy: 'user:default/dana',
    };
    expect(
      parseChartCommit(formatChartCommit(promote), 'payments-api'),
    ).toEqual({
      kind: 'promote',
      tag: 'a1b2c3d-7',
      environment: 'staging',
      from: 'dev',
      requestedBy: 'user:default/dana',
    });
    expect(
      parseChartCommit(formatChartCommit(ROLLBACK), 'payments-api'),
    ).toEqual({
      kind: 'rollback',
      tag: 'a1b2c3d-6',
      environment: 'dev',
      reverts: SHA,
      requestedBy: 'user:default/dana',
    });
    // A deploy made by Slipway for an environment carries trailers too.
    expect(
      parseChartCommit(
        formatChartCommit({
          kind: 'deploy',
          name: 'payments-api',
          tag: 'x-1',
          environment: 'dev',
          requestedBy: 'user:default/dana',
        }),
        'payments-api',
      ),
    ).toEqual({
      kind: 'deploy',
      tag: 'x-1',
      environment: 'dev',
      requestedBy: 'user:default/dana',
    });
  });

  it('prefers the trailers over the subject when they disagree', () => {
    const message = [
      'promote(payments-api): old-1 from dev to staging',
      '',
      'Slipway-Action: promote',
      'Slipway-Environment: prod',
      'Slipway-Image-Tag: new-2',
    ].join('\n');
    expect(parseChartCommit(message, 'payments-api')).toEqual({
      kind: 'promote',
      tag: 'new-2',
      environment: 'prod',
      from: 'dev',
    });
  });

  it('falls back to the subjects when there are no trailers', () => {
    expect(
      parseChartCommit(
        'promote(payments-api): a1b2c3d-7 from dev to staging',
        'payments-api',
      ),
    ).toEqual({
      kind: 'promote',
      tag: 'a1b2c3d-7',
      environment: 'staging',
      from: 'dev',
    });
    // What `git revert` writes by hand.
    expect(
      parseChartCommit(
        `Revert "ci(payments-api): deploy a1b2c3d-7"\n\nThis reverts commit ${SHA}.\n`,
        'payments-api',
      ),
    ).toEqual({ kind: 'rollback', reverts: SHA });
    // CRLF line ends read the same.
    expect(
      parseChartCommit(
        `Revert "x"\r\n\r\nThis reverts commit ${SHA}.\r\n`,
        'payments-api',
      ),
    ).toEqual({ kind: 'rollback', reverts: SHA });
  });

  it.each([
    ['a chart registration', 'feat(payments-api): register chart'],
    ["another service's deploy", 'ci(ledger-worker): deploy a1b2c3d-7'],
    [
      "another service's promote",
      'promote(ledger-worker): a-1 from dev to staging',
    ],
    ['a deploy whose tag breaks the rules', 'ci(payments-api): deploy -bad'],
    ['an empty message', ''],
    [
      'trailers naming another service',
      'promote(x): a-1 from dev to staging\n\nSlipway-Action: promote\nSlipway-Service: ledger-worker\nSlipway-Image-Tag: a-1',
    ],
  ])('calls %s other', (_, message) => {
    expect(parseChartCommit(message, 'payments-api')).toEqual({
      kind: 'other',
    });
  });

  it('ignores trailer values that break the rules, and trailer blocks that repeat a key', () => {
    expect(
      parseChartCommit(
        'chore: x\n\nSlipway-Action: promote\nSlipway-Environment: Prod!\nSlipway-Image-Tag: -bad',
        'payments-api',
      ),
    ).toEqual({ kind: 'promote' });
    // A repeated key makes the block untrustworthy: the subject decides.
    expect(
      parseChartCommit(
        'ci(payments-api): deploy a-1\n\nSlipway-Action: rollback\nSlipway-Action: promote',
        'payments-api',
      ),
    ).toEqual({ kind: 'deploy', tag: 'a-1' });
    // Trailers only count in the last paragraph.
    expect(
      parseChartCommit(
        'ci(payments-api): deploy a-1\n\nSlipway-Action: rollback\n\nA closing sentence.',
        'payments-api',
      ),
    ).toEqual({ kind: 'deploy', tag: 'a-1' });
  });
});

describe('parseChartCommit on hostile messages', () => {
  // A 2 MB trailer block of blank runs: the old single-regex line parser
  // backtracked quadratically here (about 10^12 steps, hours on any
  // machine); a linear parser reads it in one pass. The margin is so wide
  // that the outcome does not depend on how fast the machine is.
  it('reads a very long trailer line in linear time', () => {
    const blanks = ' \t'.repeat(1_000_000);
    const message = [
      'promote(payments-api): a1b2c3d-7 from dev to staging',
      '',
      `Slipway-Action: promote\nSlipway-Service: payments-api\nSlipway-Image-Tag: a1b2c3d-7${blanks}\nSlipway-Environment:${blanks}staging${blanks}x`,
    ].join('\n');
    expect(parseChartCommit(message, 'payments-api')).toMatchObject({
      kind: 'promote',
      tag: 'a1b2c3d-7',
    });
    expect(parseChartCommit(`${'\n \t'.repeat(500_000)}x`, 'a')).toEqual({
      kind: 'other',
    });
  });
});

describe('chartCommitNames', () => {
  it("names the service by Slipway's trailer or a scoped subject, and nothing else", () => {
    const rollback = formatChartCommit(ROLLBACK);
    // Slipway's rollback: its subject is git's, its trailer names it.
    expect(chartCommitNames(rollback, 'payments-api')).toBe(true);
    expect(chartCommitNames(rollback, 'ledger-worker')).toBe(false);
    expect(
      chartCommitNames('ci(payments-api): deploy a1b2c3d-7', 'payments-api'),
    ).toBe(true);
    expect(
      chartCommitNames(
        'promote(ledger-worker): a1b2c3d-7 from dev to staging',
        'payments-api',
      ),
    ).toBe(false);
    // Trailers without a service, or a plain git revert: named by nobody.
    expect(
      chartCommitNames(
        'chore: notes\n\nSlipway-Action: deploy\nSlipway-Image-Tag: 1111111-1',
        'payments-api',
      ),
    ).toBe(false);
    expect(
      chartCommitNames(
        `Revert "ci(payments-api): deploy a1b2c3d-7"\n\nThis reverts commit ${SHA}.`,
        'payments-api',
      ),
    ).toBe(false);
  });
});
