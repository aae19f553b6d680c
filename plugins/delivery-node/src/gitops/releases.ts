/*
 * Promote and rollback as commits to the helm-charts repository (Argo CD's
 * own rollback is refused while auto-sync is on, and would be undone by the
 * next sync anyway). Each is one HelmChartsRepo.update: the decision (which
 * file, which tag, whether the environment still runs what the caller saw)
 * is made on the same tree the commit is made on, and made again on a fresh
 * tree after a lost race.
 */

import { ConflictError, InputError } from '@backstage/errors';
import {
  ReleaseResult,
  assertValid,
  checkDnsLabel,
  checkServiceName,
} from '@internal/backstage-plugin-delivery-common';
import {
  checkCommitSha,
  checkEntityRef,
  checkImageTag,
  formatChartCommit,
} from './chartCommits';
import type { HelmChartsRepo, UpdateLogger } from './HelmChartsRepo';
import type { WorkTree } from './WorkTree';
import { editYaml, readYaml } from './yamlEdit';

/** Where an environment's effective image tag is set. @public */
export interface TagFile {
  /** `charts/<name>/values-<env>.yaml` when it sets image.tag, else `charts/<name>/values.yaml`. */
  file: string;
  tag: string;
}

/** Options of {@link ChartReleases.promote}. @public */
export interface PromoteOptions {
  name: string;
  /** The environment whose tag is copied. */
  from: string;
  /** The environment whose values file receives it. */
  to: string;
  /**
   * The tag the caller saw `from` run. When given, the promote fails with a
   * ConflictError if `from` now runs another; when omitted, the tag is read
   * first (one extra read of the branch head).
   */
  tag?: string;
  /** The user's entity ref, written in the `Requested-by` trailer. */
  requestedBy: string;
  /**
   * 'pull-request' when `to` asks for an approval (its `changes` in
   * slipway.environments): the commit goes to a branch with a pull
   * request, and `to` moves when it is merged. Default: the repository's mode.
   */
  mode?: 'push' | 'pull-request';
  logger?: UpdateLogger;
}

/** Options of {@link ChartReleases.rollback}. @public */
export interface RollbackOptions {
  name: string;
  environment: string;
  /** The tag the environment runs now, set by `reverts`. */
  expectTag: string;
  /** The tag it ran before `reverts`. */
  toTag: string;
  /** The last commit that changed the environment's tag. */
  reverts: { sha: string; subject: string };
  /** The user's entity ref, written in the `Requested-by` trailer. */
  requestedBy: string;
  logger?: UpdateLogger;
}

/** What promote and rollback did. @public */
export interface ChartReleaseResult extends ReleaseResult {
  /** False when the environment already ran the tag: no commit was made, `commitSha` is the branch head. */
  changed: boolean;
  /** The values file written (or that would have been). */
  file: string;
}

const TAG_PATH = ['image', 'tag'];

/** image.tag of a values file, as a string, or undefined when not set. */
function tagIn(text: string, file: string): string | undefined {
  let value: unknown;
  try {
    value = readYaml(text, TAG_PATH);
  } catch (e) {
    throw new InputError(`${file} is not valid YAML`);
  }
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InputError(`image.tag in ${file} is not a scalar`);
  }
  const tag = String(value);
  const problem = checkImageTag(tag, `image.tag in ${file}`);
  if (problem) throw new InputError(problem);
  return tag;
}

/** Writes image.tag, keeping the file's comments and layout. */
function setTag(text: string, file: string, tag: string): string {
  try {
    return editYaml(text, [[TAG_PATH, tag]]);
  } catch (e) {
    throw new InputError(`Cannot set image.tag in ${file}: ${String(e)}`);
  }
}

/**
 * Promote and rollback of a service's image tag between environments, as
 * commits (or pull requests) to the helm-charts repository.
 *
 * @public
 */
export class ChartReleases {
  readonly #repo: HelmChartsRepo;

  constructor(options: { repo: HelmChartsRepo }) {
    this.#repo = options.repo;
  }

  /**
   * The environment's effective image tag and the file that sets it:
   * `image.tag` of `values-<environment>.yaml` when that file sets it, else
   * that of `values.yaml` (Helm's merge). Throws InputError when the
   * environment has no values file (unknown environment) or no tag is set.
   */
  async tagFile(
    files: WorkTree,
    name: string,
    environment: string,
  ): Promise<TagFile> {
    const { file, tag } = await this.#effective(files, name, environment);
    if (tag === undefined) {
      throw new InputError(
        `No image.tag for ${name} in ${environment}: neither ${file} nor charts/${name}/values.yaml sets one`,
      );
    }
    return { file, tag };
  }

  async #effective(
    files: WorkTree,
    name: string,
    environment: string,
  ): Promise<{ file: string; envFile: string; envText: string; tag?: string }> {
    const envFile = `charts/${name}/values-${environment}.yaml`;
    const envText = await files.readFile(envFile);
    if (envText === undefined) {
      throw new InputError(
        `Unknown environment '${environment}' for ${name}: ${envFile} does not exist in the helm-charts repository`,
      );
    }
    const envTag = tagIn(envText, envFile);
    if (envTag !== undefined)
      return { file: envFile, envFile, envText, tag: envTag };
    const baseFile = `charts/${name}/values.yaml`;
    const baseText = await files.readFile(baseFile);
    const baseTag =
      baseText === undefined ? undefined : tagIn(baseText, baseFile);
    return baseTag === undefined
      ? { file: envFile, envFile, envText }
      : { file: baseFile, envFile, envText, tag: baseTag };
  }

  /**
   * Copies the tag `from` runs into `values-<to>.yaml` (image.tag), in one
   * commit whose message {@link formatChartCommit} writes, pinning `to` to
   * it. No commit when `values-<to>.yaml` already pins that tag
   * (`changed: false`).
   */
  async promote(options: PromoteOptions): Promise<ChartReleaseResult> {
    const { name, from, to, requestedBy, logger, mode } = options;
    assertValid(
      checkServiceName(name, 'name'),
      checkDnsLabel(from, 'from'),
      checkDnsLabel(to, 'to'),
      from === to ? `from and to must differ (both '${from}')` : undefined,
      options.tag !== undefined ? checkImageTag(options.tag, 'tag') : undefined,
      checkEntityRef(requestedBy, 'requestedBy'),
    );

    // The message names the tag, so it is known before the update; the
    // change checks it again on the tree it commits on.
    const tag =
      options.tag ??
      (
        await this.#repo.update(
          async files => (await this.tagFile(files, name, from)).tag,
          `read ${name}'s tag in ${from}`,
          { name },
        )
      ).result;

    const message = formatChartCommit({
      kind: 'promote',
      name,
      tag,
      environment: to,
      from,
      requestedBy,
    });
    logger?.info(`Promoting ${name} ${tag} from ${from} to ${to}`);
    const update = await this.#repo.update(
      async files => {
        const source = await this.tagFile(files, name, from);
        if (source.tag !== tag) {
          throw new ConflictError(
            `${from} now runs ${source.tag}, not ${tag}; reload and try again`,
          );
        }
        const target = await this.#effective(files, name, to);
        // `to` is pinned to the tag in its own file, even when it already
        // runs it through the shared values.yaml: after a promote, CI's
        // bumps of values.yaml no longer reach it.
        if (target.tag !== tag || target.file !== target.envFile) {
          await files.writeFile(
            target.envFile,
            setTag(target.envText, target.envFile, tag),
          );
        }
        return { file: target.envFile, fromTag: target.tag };
      },
      message,
      { name, logger, mode },
    );
    if (!update.changed) {
      logger?.info(`${to} already runs ${name} ${tag}; nothing to commit`);
    }
    return this.#result(update, to, update.result.fromTag, tag);
  }

  /**
   * Sets the environment's tag back from `expectTag` to `toTag` in the file
   * that sets it now, in one commit that reverts `reverts` (git's wording
   * and trailers, {@link formatChartCommit}). Throws ConflictError, and
   * commits nothing, when the environment no longer runs `expectTag`.
   */
  async rollback(options: RollbackOptions): Promise<ChartReleaseResult> {
    const {
      name,
      environment,
      expectTag,
      toTag,
      reverts,
      requestedBy,
      logger,
    } = options;
    assertValid(
      checkServiceName(name, 'name'),
      checkDnsLabel(environment, 'environment'),
      checkImageTag(expectTag, 'expectTag'),
      checkImageTag(toTag, 'toTag'),
      expectTag === toTag
        ? `expectTag and toTag are the same ('${toTag}'): nothing to roll back`
        : undefined,
      checkCommitSha(reverts?.sha, 'reverts.sha'),
      checkEntityRef(requestedBy, 'requestedBy'),
    );
    // Validates the subject too (one line, no control characters).
    const message = formatChartCommit({
      kind: 'rollback',
      name,
      tag: toTag,
      environment,
      from: expectTag,
      reverts,
      requestedBy,
    });
    logger?.info(
      `Rolling ${name} back in ${environment} from ${expectTag} to ${toTag} (reverting ${reverts.sha.slice(
        0,
        12,
      )})`,
    );
    const update = await this.#repo.update(
      async files => {
        const current = await this.tagFile(files, name, environment);
        if (current.tag !== expectTag) {
          throw new ConflictError(
            `${environment} now runs ${current.tag}, not ${expectTag}; reload and try again`,
          );
        }
        const text = (await files.readFile(current.file))!;
        await files.writeFile(current.file, setTag(text, current.file, toTag));
        return { file: current.file, fromTag: expectTag };
      },
      message,
      { name, logger },
    );
    return this.#result(update, environment, expectTag, toTag);
  }

  #result(
    update: {
      commitSha: string;
      changed: boolean;
      pullRequestUrl?: string;
      result: { file: string };
    },
    environment: string,
    fromTag: string | undefined,
    toTag: string,
  ): ChartReleaseResult {
    return {
      commitSha: update.commitSha,
      commitUrl: `${this.#repo.repoUrl}/commit/${update.commitSha}`,
      ...(update.pullRequestUrl
        ? { pullRequestUrl: update.pullRequestUrl }
        : {}),
      environment,
      ...(fromTag !== undefined ? { fromTag } : {}),
      toTag,
      changed: update.changed,
      file: update.result.file,
    };
  }
}
