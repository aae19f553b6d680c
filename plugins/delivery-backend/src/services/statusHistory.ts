import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  BuildSection,
  ImageSection,
} from '@internal/backstage-plugin-delivery-common';
import type { DeliveryHistory } from '../history/DeliveryHistory';
import {
  recordSection,
  withRecordedBuildsAndImages,
} from '../history/sectionRecords';
import {
  DoraDeployment,
  doraDeployments,
  DoraDeploymentsInput,
  HealthTransition,
} from '../timeline/dora';

type Commit = { sha: string; committedAt: string };

/**
 * What the status service reads from and writes to the delivery history.
 * The history serves the page, it never fails it: without one, or when
 * the database cannot be read or written, each answer is what the
 * upstreams say alone, and the failure is logged.
 */
export class StatusHistory {
  readonly #history?: DeliveryHistory;
  readonly #logger: LoggerService;

  constructor(history: DeliveryHistory | undefined, logger: LoggerService) {
    this.#history = history;
    this.#logger = logger;
  }

  /** `use(history)`, or `fallback` without history or when it fails. */
  async #orElse<T>(
    what: string,
    use: (history: DeliveryHistory) => Promise<T>,
    fallback: () => T,
  ): Promise<T> {
    const history = this.#history;
    if (!history) return fallback();
    try {
      return await use(history);
    } catch (e) {
      this.#logger.warn(`Delivery history: ${what}`, {
        error: e instanceof Error ? e.message : String(e),
      });
      return fallback();
    }
  }

  /** An environment's recorded health; none without it. */
  health(
    ref: string,
    environment: string,
  ): Promise<HealthTransition[] | undefined> {
    return this.#orElse(
      `health of ${ref} not read`,
      h => h.health(ref, environment),
      () => undefined,
    );
  }

  /**
   * DORA's deployments: what the upstreams show now with the recorded
   * health, reconciled with the recorded deployments; else the upstreams'.
   */
  deployments(
    ref: string,
    /** The recorded health of an environment (read once per answer). */
    healthOf: (environment: string) => Promise<HealthTransition[] | undefined>,
    input: DoraDeploymentsInput,
  ): Promise<DoraDeployment[]> {
    return this.#orElse(
      `deployments of ${ref} not read or written`,
      async h => {
        const health = await healthOf(input.environment);
        return h.reconcile(
          ref,
          input.environment,
          doraDeployments({ ...input, health }),
        );
      },
      () => doraDeployments(input),
    );
  }

  /**
   * The app commits DORA's lead time pairs with deployments, `days` back:
   * the source section's newest, then the recorded ones; else `current`.
   */
  commits(ref: string, current: Commit[], days: number): Promise<Commit[]> {
    return this.#orElse(
      `app commits of ${ref} not read or written`,
      h => h.commits(ref, current, days),
      () => current,
    );
  }

  /** Commits a push put on the entities' default branch, recorded. */
  async recordPushed(
    refs: string[],
    commits: Commit[],
    repository: string,
  ): Promise<void> {
    if (refs.length === 0 || commits.length === 0) return;
    await this.#orElse(
      `pushed commits of ${repository} not recorded`,
      h => h.recordCommits(refs, commits, 'push'),
      () => 0,
    );
  }

  /** An environment's restarts in the last hour; none without history. */
  restartsLastHour(
    ref: string,
    environment: string,
    pods: Array<{ name: string; restarts: number; createdAt?: string }>,
  ): Promise<{ restarts: number; since?: string } | undefined> {
    return this.#orElse(
      `restart samples of ${ref} not read or written`,
      h => h.restartsLastHour(ref, environment, pods),
      () => undefined,
    );
  }

  /**
   * The build and image sections with the recorded builds and images of
   * shown commits CI and ECR no longer list (for the timeline).
   */
  withRecorded(
    ref: string,
    input: Parameters<typeof withRecordedBuildsAndImages>[2],
  ): Promise<{ build?: BuildSection; image?: ImageSection }> {
    return this.#orElse(
      `recorded builds of ${ref} not read`,
      h => withRecordedBuildsAndImages(h, ref, input),
      () => input,
    );
  }

  /** Records what a build or image section loaded; returns the data. */
  async recordSection<T>(ref: string, name: string, data: T): Promise<T> {
    await this.#orElse(
      `${name} of ${ref} not recorded`,
      h => recordSection(h, ref, name, data),
      () => undefined,
    );
    return data;
  }
}
