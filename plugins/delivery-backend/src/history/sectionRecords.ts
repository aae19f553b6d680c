import type {
  BuildSection,
  ImageSection,
  SourceSection,
} from '@internal/backstage-plugin-delivery-common';
import type { DeliveryHistory } from './DeliveryHistory';

/**
 * Records what a build or image section loaded (once per load, that is
 * once per TTL for every replica); other sections record nothing here.
 */
export async function recordSection(
  history: DeliveryHistory,
  entityRef: string,
  section: string,
  data: unknown,
): Promise<void> {
  if (section === 'build') {
    const build = data as BuildSection;
    await history.recordBuilds(entityRef, build.provider, build.builds);
  } else if (section === 'image') {
    await history.recordImages(entityRef, (data as ImageSection).images);
  }
}

/**
 * The build and image sections as the timeline reads them: what CI and ECR
 * list now, followed by the recorded builds and images of the shown commits
 * they no longer list (CI and ECR keep their newest only). Reads the record
 * only for what is missing: none when the lists cover every shown commit.
 */
export async function withRecordedBuildsAndImages(
  history: DeliveryHistory,
  entityRef: string,
  input: {
    source?: SourceSection;
    build?: BuildSection;
    image?: ImageSection;
    /** The commits the timeline shows. */
    limit: number;
  },
): Promise<{ build?: BuildSection; image?: ImageSection }> {
  const { source, image } = input;
  let build = input.build;
  const commits = (source?.commits ?? []).slice(0, input.limit);
  if (!build || commits.length === 0) return { build, image };

  // Only commits older than the oldest build listed can have fallen off
  // the list; a newer one without a build is not built yet.
  const built = new Set(build.builds.map(b => b.commitSha));
  const oldestBuild = build.builds[build.builds.length - 1]?.startedAt;
  const unbuilt = commits
    .filter(
      c =>
        !built.has(c.sha) &&
        (!oldestBuild || Date.parse(c.committedAt) < Date.parse(oldestBuild)),
    )
    .map(c => c.sha);
  if (unbuilt.length > 0) {
    const listed = new Set(build.builds.map(b => b.number));
    const older = (
      await history.buildsOf(entityRef, build.provider, unbuilt)
    ).filter(b => !listed.has(b.number));
    if (older.length > 0) {
      build = { ...build, builds: [...build.builds, ...older] };
    }
  }
  if (!image) return { build, image };

  // The tags CI gave the shown commits' builds: `<sha7>-<number>`.
  const shown = new Set(commits.map(c => c.sha));
  // Likewise only builds older than the oldest image listed.
  const oldestImage = image.images[image.images.length - 1]?.pushedAt;
  const tags = build.builds
    .filter(
      b =>
        b.commitSha &&
        shown.has(b.commitSha) &&
        (!oldestImage || Date.parse(b.startedAt) < Date.parse(oldestImage)),
    )
    .map(b => `${b.commitSha!.slice(0, 7)}-${b.number}`);
  const pushed = new Set(image.images.flatMap(i => i.tags));
  const unpushed = tags.filter(t => !pushed.has(t));
  if (unpushed.length === 0) return { build, image };
  const oldest = commits[commits.length - 1].committedAt;
  const digests = new Set(image.images.map(i => i.digest));
  const older = (
    await history.imagesTagged(entityRef, unpushed, oldest)
  ).filter(i => !digests.has(i.digest));
  return {
    build,
    image: older.length
      ? { ...image, images: [...image.images, ...older] }
      : image,
  };
}
