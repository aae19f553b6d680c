import { ConflictError, InputError } from '@backstage/errors';
import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';
import { EcrRepositories } from '@internal/backstage-plugin-delivery-node';
import { createEcrDeleteAction } from './ecrDelete';
import {
  actionContext,
  serviceAccess,
  AwsHarness,
  SECRET,
  startAwsHarness,
} from './__testUtils__/harness';

jest.setTimeout(30_000);

describe('aws:ecr:delete', () => {
  let h: AwsHarness;
  let repos: EcrRepositories;
  let action: ReturnType<typeof createEcrDeleteAction>;
  const owned = (name: string) => ({
    [OWNER_TAG]: `component:default/${name}`,
  });

  beforeAll(async () => {
    h = await startAwsHarness();
    repos = new EcrRepositories(h.clients);
    action = createEcrDeleteAction({
      clients: h.clients,
      access: serviceAccess().access,
    });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.sb.faults.clear();
    h.sb.faults.resetCounters();
  });

  it.each([
    ['an uppercase name', { name: 'Orders' }],
    [
      "'..' in the repository name",
      { name: 'orders', repositoryName: 'x/../y' },
    ],
    [
      'a wildcard in the repository name',
      { name: 'orders', repositoryName: 'orders?' },
    ],
    ['a non-boolean force', { name: 'orders', force: 'yes' }],
  ])('refuses %s with InputError before any AWS call', async (_, input) => {
    await expect(
      action.handler(actionContext(input as any).ctx),
    ).rejects.toBeInstanceOf(InputError);
    expect(h.sb.faults.total('aws')).toBe(0);
  });

  it('deletes an owned, empty repository', async () => {
    h.sb.aws.ensureRepository('gone-api', owned('gone-api'));
    const { ctx, outputs, logger } = actionContext({ name: 'gone-api' });
    await action.handler(ctx);
    expect(outputs).toEqual({ repositoryName: 'gone-api', deleted: true });
    expect(await repos.describe('gone-api')).toBeUndefined();
    expect(logger.lines.join('\n')).toContain(
      'Deleted ECR repository gone-api',
    );
  });

  it('treats a missing repository as success, with a log line', async () => {
    const { ctx, outputs, logger } = actionContext({ name: 'never-was' });
    await action.handler(ctx);
    expect(outputs).toEqual({ repositoryName: 'never-was', deleted: false });
    expect(logger.lines.join('\n')).toContain(
      'does not exist; nothing to delete',
    );
    expect(
      h.sb.faults.counters().aws?.['ecr:DeleteRepository'],
    ).toBeUndefined();
  });

  it.each([
    ['without the owner tag', {}],
    [
      "with another service's owner tag",
      { [OWNER_TAG]: 'component:default/other' },
    ],
  ])('refuses a repository %s and leaves it in place', async (_, tags) => {
    const name = `keep-${Object.keys(tags).length}`;
    h.sb.aws.ensureRepository(name, tags);
    const err = await action
      .handler(actionContext({ name, force: true }).ctx)
      .catch(e => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toContain(OWNER_TAG);
    expect(await repos.describe(name)).toBeDefined();
    expect(
      h.sb.faults.counters().aws?.['ecr:DeleteRepository'],
    ).toBeUndefined();
  });

  it('refuses a repository holding images unless force, then deletes it with force', async () => {
    h.sb.aws.ensureRepository('full-api', owned('full-api'));
    h.sb.aws.putImage('full-api', 'abc1234-1');
    const err = await action
      .handler(actionContext({ name: 'full-api' }).ctx)
      .catch(e => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toContain('still holds 1 image(s)');
    expect(h.sb.aws.hasImage('full-api', 'abc1234-1')).toBe(true);

    const { ctx, outputs } = actionContext({ name: 'full-api', force: true });
    await action.handler(ctx);
    expect(outputs.deleted).toBe(true);
    expect(await repos.describe('full-api')).toBeUndefined();
  });

  it('dry run: plausible outputs and no AWS call', async () => {
    h.sb.aws.ensureRepository('dry-del', owned('dry-del'));
    h.sb.faults.resetCounters();
    const { ctx, outputs, logger } = actionContext(
      { name: 'dry-del' },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(outputs).toEqual({ repositoryName: 'dry-del', deleted: true });
    expect(h.sb.faults.total('aws')).toBe(0);
    expect(await repos.describe('dry-del')).toBeDefined();
    expect(logger.lines.join('\n')).not.toContain(SECRET);
  });
});
