/*
 * templates/service/skeleton's ci/bump-image-tag.sh, rendered as the wizard
 * does, against a real (local) git remote: it lands an image.tag bump
 * fast-forward, including after losing a race and after a conflicting race.
 */

import fs from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import {
  BASE_VALUES,
  removeTmpRoot,
  render,
  sh,
  tmpRoot,
} from './__testUtils__/skeleton';

afterAll(removeTmpRoot);

describe('ci/bump-image-tag.sh against a git remote', () => {
  let dir: string;
  let bin: string;
  const values = `# Base values.
image:
  repository: ${BASE_VALUES.ecrRegistry}/order-svc
  # CI changes this on every build (<sha7>-<build>).
  tag: bootstrap
  pullPolicy: IfNotPresent
`;
  const git = (cwd: string, ...args: string[]) =>
    sh(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
      { cwd },
    );

  beforeAll(async () => {
    const app = await render({
      ...BASE_VALUES,
      runtime: 'node',
      ci: 'jenkins',
    });
    dir = fs.mkdtempSync(path.join(tmpRoot, 'git-'));
    fs.copyFileSync(
      path.join(app, 'ci/bump-image-tag.sh'),
      path.join(dir, 'bump.sh'),
    );
    // The machine's yq may not be mikefarah's yq v4 (Debian ships another
    // tool of that name), so a stand-in does the one edit the script asks for
    // and refuses anything else.
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'yq'),
      `#!/bin/sh
[ "$1" = "-i" ] && [ "$2" = ".image.tag = strenv(TAG)" ] && [ $# -eq 3 ] || { echo "unexpected yq $*" >&2; exit 2; }
sed -i "s/^  tag: .*/  tag: $TAG/" "$3"
`,
      { mode: 0o755 },
    );
  });

  async function setup(name: string) {
    const remote = path.join(dir, `${name}.git`);
    await sh(
      'git',
      ['init', '--quiet', '--bare', '--initial-branch=main', remote],
      { cwd: dir },
    );
    const seed = path.join(dir, `${name}-seed`);
    await sh('git', ['clone', '--quiet', remote, seed], { cwd: dir });
    fs.mkdirSync(path.join(seed, 'charts/order-svc'), { recursive: true });
    fs.mkdirSync(path.join(seed, 'charts/other'), { recursive: true });
    fs.writeFileSync(path.join(seed, 'charts/order-svc/values.yaml'), values);
    fs.writeFileSync(path.join(seed, 'charts/other/values.yaml'), values);
    await git(seed, 'add', '.');
    await git(seed, 'commit', '--quiet', '-m', 'seed');
    await git(seed, 'push', '--quiet', 'origin', 'HEAD:main');
    const ours = path.join(dir, `${name}-ci`);
    await sh('git', ['clone', '--quiet', '--branch', 'main', remote, ours], {
      cwd: dir,
    });
    await git(ours, 'config', 'user.name', 'ci');
    await git(ours, 'config', 'user.email', 'ci@example.com');
    return { remote, seed, ours };
  }

  const bump = (checkout: string, tag: string) =>
    sh('sh', [path.join(dir, 'bump.sh'), checkout, 'order-svc', tag, 'main'], {
      cwd: dir,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });

  const remoteFile = async (remote: string, file: string) =>
    sh('git', ['--git-dir', remote, 'show', `main:${file}`], { cwd: dir });

  it('commits the tag, keeps comments, and is idempotent', async () => {
    const { remote, ours } = await setup('plain');
    await bump(ours, 'abc1234-7');
    const after = parseDocument(
      await remoteFile(remote, 'charts/order-svc/values.yaml'),
    );
    expect(after.getIn(['image', 'tag'])).toBe('abc1234-7');
    expect(after.toString()).toContain('# CI changes this on every build');
    const log = await sh(
      'git',
      ['--git-dir', remote, 'log', '--format=%s', 'main'],
      { cwd: dir },
    );
    expect(log.split('\n')[0]).toBe('ci(order-svc): deploy abc1234-7');
    expect(await bump(ours, 'abc1234-7')).toContain('already at abc1234-7');
  });

  it('rebases onto a concurrent push and lands fast-forward', async () => {
    const { remote, seed, ours } = await setup('race');
    // Another service's pipeline pushes after our clone: our first push is rejected.
    fs.writeFileSync(
      path.join(seed, 'charts/other/values.yaml'),
      values.replace('tag: bootstrap', 'tag: fff0000-1'),
    );
    await git(seed, 'commit', '--quiet', '-am', 'ci(other): deploy fff0000-1');
    await git(seed, 'push', '--quiet', 'origin', 'HEAD:main');

    const output = await bump(ours, 'abc1234-8');
    expect(output).toContain('attempt 2');
    const log = await sh(
      'git',
      ['--git-dir', remote, 'log', '--format=%s', 'main'],
      { cwd: dir },
    );
    expect(log.trim().split('\n')).toEqual([
      'ci(order-svc): deploy abc1234-8',
      'ci(other): deploy fff0000-1',
      'seed',
    ]);
    expect(await remoteFile(remote, 'charts/other/values.yaml')).toContain(
      'tag: fff0000-1',
    );
    expect(await remoteFile(remote, 'charts/order-svc/values.yaml')).toContain(
      'tag: abc1234-8',
    );
  }, 30_000);

  it('starts over from the remote when the rebase conflicts', async () => {
    const { remote, seed, ours } = await setup('conflict');
    fs.writeFileSync(
      path.join(seed, 'charts/order-svc/values.yaml'),
      values.replace('tag: bootstrap', 'tag: eee0000-5'),
    );
    await git(
      seed,
      'commit',
      '--quiet',
      '-am',
      'ci(order-svc): deploy eee0000-5',
    );
    await git(seed, 'push', '--quiet', 'origin', 'HEAD:main');

    await bump(ours, 'abc1234-9');
    const doc = parseDocument(
      await remoteFile(remote, 'charts/order-svc/values.yaml'),
    );
    expect(isMap(doc.contents)).toBe(true);
    expect(doc.getIn(['image', 'tag'])).toBe('abc1234-9');
    const log = await sh(
      'git',
      ['--git-dir', remote, 'log', '--format=%s', 'main'],
      { cwd: dir },
    );
    expect(log.trim().split('\n').slice(0, 2)).toEqual([
      'ci(order-svc): deploy abc1234-9',
      'ci(order-svc): deploy eee0000-5',
    ]);
  }, 30_000);
});
