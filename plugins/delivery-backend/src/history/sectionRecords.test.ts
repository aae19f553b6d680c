/*
 * Builds and images recorded as the sections loaded them, on a real
 * database (SQLite): the timeline finds an older commit's build and image
 * once CI and ECR list only the newest, and the record is read only when
 * something is missing.
 */

import { TestDatabases } from '@backstage/backend-test-utils';
import type {
  Build,
  BuildSection,
  Image,
  ImageSection,
  SourceSection,
} from '@internal/backstage-plugin-delivery-common';
import type { Knex } from 'knex';
import { buildTimeline } from '../timeline';
import { DeliveryHistory } from './DeliveryHistory';
import { recordSection, withRecordedBuildsAndImages } from './sectionRecords';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
const REF = 'component:default/orders';

const sha = (c: string) => c.repeat(40);
const commit = (c: string, minutes: number) => ({
  sha: sha(c),
  message: `change ${c}`,
  committedAt: at(minutes),
  url: `https://github.example/orders/commit/${sha(c)}`,
});
const build = (c: string, n: number, minutes: number): Build => ({
  number: n,
  status: 'succeeded',
  commitSha: sha(c),
  startedAt: at(minutes),
  finishedAt: at(minutes - 2),
  url: `https://ci.example/job/orders/${n}/`,
});
const image = (c: string, n: number, minutes: number): Image => ({
  digest: `sha256:${c.repeat(64)}`,
  tags: [`${sha(c).slice(0, 7)}-${n}`],
  pushedAt: at(minutes),
  environments: [],
});

describe('builds and images in the history', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let reads: number;

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    reads = 0;
    knex.on('query', (q: { sql: string }) => {
      if (/delivery_(builds|images)/.test(q.sql) && /^\s*select/i.test(q.sql)) {
        reads++;
      }
    });
  });

  it("gives the timeline an older commit's build and image once CI and ECR list only the newest", async () => {
    const history = await DeliveryHistory.create({
      database: { getClient: async () => knex },
      retentionDays: 400,
      now: () => NOW,
    });
    const source: SourceSection = {
      repository: 'acme/orders',
      commits: [commit('c', 30), commit('b', 60), commit('a', 90)],
    } as SourceSection;
    // Earlier loads listed a's and b's builds and images.
    const earlierBuilds: BuildSection = {
      provider: 'jenkins',
      builds: [build('b', 11, 58), build('a', 10, 88)],
    };
    const earlierImages: ImageSection = {
      repositoryName: 'orders',
      repositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders',
      url: 'https://console.aws.amazon.com/ecr',
      images: [image('b', 11, 55), image('a', 10, 85)],
    };
    await recordSection(history, REF, 'build', earlierBuilds);
    await recordSection(history, REF, 'image', earlierImages);
    // Loaded again unchanged: nothing written.
    expect(
      await history.recordBuilds(REF, 'jenkins', earlierBuilds.builds),
    ).toBe(0);
    expect(await history.recordImages(REF, earlierImages.images)).toBe(0);

    // Now CI and ECR list only the newest (c's).
    const now = {
      source,
      build: {
        provider: 'jenkins',
        builds: [build('c', 12, 28)],
      } as BuildSection,
      image: { ...earlierImages, images: [image('c', 12, 25)] },
      limit: 10,
    };
    const without = buildTimeline({ ...now });
    expect(without.map(e => e.hops.built.state)).toEqual([
      'done',
      'unknown',
      'unknown',
    ]);
    reads = 0;
    const past = await withRecordedBuildsAndImages(history, REF, now);
    expect(past.build?.builds.map(b => b.number)).toEqual([12, 11, 10]);
    expect(past.image?.images.map(i => i.tags[0])).toEqual([
      `${sha('c').slice(0, 7)}-12`,
      `${sha('b').slice(0, 7)}-11`,
      `${sha('a').slice(0, 7)}-10`,
    ]);
    const timeline = buildTimeline({ ...now, ...past });
    expect(timeline.map(e => [e.hops.built.state, e.imageTag])).toEqual([
      ['done', `${sha('c').slice(0, 7)}-12`],
      ['done', `${sha('b').slice(0, 7)}-11`],
      ['done', `${sha('a').slice(0, 7)}-10`],
    ]);
    expect(reads).toBe(2);

    // When the lists cover every shown commit, or the only one missing is
    // newer than every build (not built yet), the record is not read.
    reads = 0;
    await withRecordedBuildsAndImages(history, REF, {
      ...now,
      source: { ...source, commits: source.commits.slice(0, 1) },
    });
    await withRecordedBuildsAndImages(history, REF, {
      ...now,
      source: { ...source, commits: [commit('d', 5), commit('c', 30)] },
    });
    expect(reads).toBe(0);

    // Another entity's record is its own; the retention prunes both kinds.
    expect(
      await history.buildsOf('component:default/other', 'jenkins', [sha('a')]),
    ).toEqual([]);
    const later = await DeliveryHistory.create({
      database: { getClient: async () => knex },
      retentionDays: 400,
      now: () => NOW + 401 * 86400_000,
    });
    expect(await later.prune()).toBeGreaterThanOrEqual(4);
    expect(
      await history.buildsOf(REF, 'jenkins', [sha('a'), sha('b')]),
    ).toEqual([]);
  });
});
