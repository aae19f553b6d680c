import { parse } from 'yaml';
import { Sandbox } from '@internal/sandbox';
import {
  buildActions,
  context,
  sandboxConfig,
  startTestSandbox,
} from './__testUtils__/harness';

jest.setTimeout(120_000);

const OWNER = 'slipway-demo';
const REPO = 'helm-charts';
const NAME = 'pinned';
const TAG = 'a1b2c3d-1';

describe('gitops:chart:pin (against the sandbox)', () => {
  let sb: Sandbox;
  let actions: ReturnType<typeof buildActions>;
  const head = () => sb.repos.resolveIn(OWNER, REPO, 'main');
  const tagIn = async (env: string) =>
    parse(
      (await sb.repos.readFileIn(
        OWNER,
        REPO,
        'main',
        `charts/${NAME}/values-${env}.yaml`,
      ))!,
    )?.image?.tag;

  beforeAll(async () => {
    sb = await startTestSandbox();
    actions = buildActions(sandboxConfig(sb));
    // Registered by task-1 with the first build's tag in values.yaml.
    await actions.register.handler(
      context({
        name: NAME,
        imageRepository: sb.aws.repositoryUri(NAME),
        imageTag: TAG,
        namespace: NAME,
      }).ctx,
    );
  });
  afterAll(() => sb?.stop());
  beforeEach(() => sb.faults.resetCounters());

  it('refuses an environment the portal does not have, before any call', async () => {
    await expect(
      actions.pin.handler(
        context({ name: NAME, environments: ['dev', 'qa'] }).ctx,
      ),
    ).rejects.toThrow(/environments must be of dev, staging, prod \(got qa\)/);
    expect(sb.faults.total('github')).toBe(0);
  });

  it("pins every later environment to the first one's tag, one commit each; a Retry commits nothing", async () => {
    expect(await tagIn('staging')).toBeUndefined();
    const before = await head();
    const run = context({
      name: NAME,
      // Any order: the first in promotion order is the source.
      environments: ['prod', 'dev', 'staging'],
    });
    await actions.pin.handler(run.ctx);
    expect(run.outputs).toEqual({ tag: TAG, pinned: ['staging', 'prod'] });
    expect(await tagIn('staging')).toBe(TAG);
    expect(await tagIn('prod')).toBe(TAG);
    const log = await sb.repos.log(OWNER, REPO, 'main', 3);
    expect(log.map(c => c.message.split('\n')[0])).toEqual([
      `promote(${NAME}): ${TAG} from dev to prod`,
      `promote(${NAME}): ${TAG} from dev to staging`,
      expect.stringContaining(NAME),
    ]);
    expect(log[2].sha).toBe(before);

    const pinnedHead = await head();
    const retry = context({ name: NAME, environments: ['dev', 'staging'] });
    await actions.pin.handler(retry.ctx);
    expect(retry.outputs).toEqual({ tag: TAG, pinned: [] });
    expect(await head()).toBe(pinnedHead);
  });

  it('never pins a chart another run registered', async () => {
    const before = await head();
    await expect(
      actions.pin.handler(
        context(
          { name: NAME, environments: ['dev', 'staging'] },
          { task: 'task-2' },
        ).ctx,
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('was not registered by this run'),
    });
    expect(await head()).toBe(before);
    expect(sb.faults.mutations()).toEqual({});
  });
});
