import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  ANNOTATIONS,
  deliveryPromotePermission,
  deliveryRollbackPermission,
  OWNER_TAG,
  ReleaseResult,
} from '@internal/backstage-plugin-delivery-common';
import {
  assertBoundTo,
  parseChartCommit,
  readYaml,
  ServiceAccess,
} from '@internal/backstage-plugin-delivery-node';
import { Entity } from '@backstage/catalog-model';
import { DeliveryServiceDeps, DeliverySettings } from './settings';
import { DeliveryUpstreams } from './upstreams';

/**
 * Rollback and promote, as commits to the helm-charts repository (Argo
 * CD's own rollback is refused while automated sync is on, and would be
 * undone by the next sync anyway). Each first decides who asks and which
 * entity the change belongs to (ServiceAccess: the caller must own the
 * entity), then that the chart is bound to that entity (its Chart.yaml's
 * slipway.io/owner annotation): an entity cannot point at another
 * service's chart. The helm-charts commit names the user.
 *
 * @public
 */
export class ReleaseService {
  readonly #access: ServiceAccess;
  readonly #settings: DeliverySettings;
  readonly #upstreams: DeliveryUpstreams;
  readonly #logger: LoggerService;

  static create(deps: DeliveryServiceDeps): ReleaseService {
    return new ReleaseService(deps);
  }

  private constructor(deps: DeliveryServiceDeps) {
    this.#access = deps.access;
    this.#settings = deps.settings;
    this.#upstreams = deps.upstreams;
    this.#logger = deps.logger;
  }

  /**
   * Reverts the last change of `environment`'s image tag: the environment's
   * tag file goes back to the tag it had before that change.
   */
  async rollback(
    request: { entityRef: unknown; environment: unknown },
    options: { credentials: BackstageCredentials; userEntityRef: string },
  ): Promise<ReleaseResult & { entityRef: string }> {
    const environment = this.#environment(request.environment, 'environment');
    const { entity, entityRef } = await this.#access.authorize({
      action: 'rollback',
      entityRef: request.entityRef,
      permission: deliveryRollbackPermission,
      credentials: options.credentials,
      meta: { environment },
    });
    const name = chartName(entity);
    await this.#assertChartBound(name, entityRef);
    const hc = this.#upstreams.helmCharts;
    const gh = this.#upstreams.github;
    const envFile = `charts/${name}/values-${environment}.yaml`;
    const envValues = await gh.getFileContent(
      hc.owner,
      hc.repo,
      envFile,
      hc.branch,
    );
    if (envValues === undefined) {
      throw new InputError(
        `${entityRef} has no ${envFile} in ${hc.owner}/${hc.repo}`,
      );
    }
    // The environment's tag lives in its own file when pinned there
    // (promoted), else in the shared values.yaml (CI's bumps).
    const pinned = Boolean(tagOf(envValues));
    const first = this.#settings.environments[0];
    if (!pinned && environment !== first) {
      // Reverting values.yaml would move every environment that follows it.
      throw new InputError(
        `${environment} follows the tag CI sets in charts/${name}/values.yaml for ${first}; roll back ${first}, or promote a tag into ${environment} first`,
      );
    }
    const file = pinned ? envFile : `charts/${name}/values.yaml`;
    const content =
      file === envFile
        ? envValues
        : await gh.getFileContent(hc.owner, hc.repo, file, hc.branch);
    const current = content === undefined ? undefined : tagOf(content);
    if (!current) {
      throw new InputError(`${file} sets no image.tag; nothing to roll back`);
    }
    const history = await gh.listCommits(hc.owner, hc.repo, {
      sha: hc.branch,
      path: file,
      perPage: 50,
    });
    const changes = history.map(c => ({
      commit: c,
      ...parseChartCommit(c.fullMessage ?? c.message, name),
    }));
    const last = changes.findIndex(c => c.tag === current);
    const previous =
      last === -1
        ? undefined
        : changes.slice(last + 1).find(c => c.tag && c.tag !== current);
    if (last === -1 || !previous?.tag) {
      throw new ConflictError(
        `No earlier image tag for ${environment} in the recent history of ${file}; nothing to roll back to`,
      );
    }
    const result = await hc.rollback({
      name,
      environment,
      expectTag: current,
      toTag: previous.tag,
      reverts: {
        sha: changes[last].commit.sha,
        subject: changes[last].commit.message,
      },
      requestedBy: options.userEntityRef,
    });
    this.#logger.info('Rolled back', {
      entityRef,
      environment,
      from: current,
      to: previous.tag,
      commit: result.commitSha,
      user: options.userEntityRef,
    });
    return { ...result, entityRef };
  }

  /** Copies the tag `from` runs into the next environment's values file. */
  async promote(
    request: { entityRef: unknown; from: unknown; to: unknown; tag?: string },
    options: { credentials: BackstageCredentials; userEntityRef: string },
  ): Promise<ReleaseResult & { entityRef: string }> {
    const from = this.#environment(request.from, 'from');
    const to = this.#environment(request.to, 'to');
    const order = this.#settings.environments;
    if (order.indexOf(to) !== order.indexOf(from) + 1) {
      throw new InputError(
        `Promotion goes to the next environment: after ${from} comes ${
          order[order.indexOf(from) + 1] ?? 'nothing'
        } (order: ${order.join(', ')})`,
      );
    }
    const { entity, entityRef } = await this.#access.authorize({
      action: 'promote',
      entityRef: request.entityRef,
      permission: deliveryPromotePermission,
      credentials: options.credentials,
      meta: { from, to },
    });
    const name = chartName(entity);
    await this.#assertChartBound(name, entityRef);
    const result = await this.#upstreams.helmCharts.promote({
      name,
      from,
      to,
      tag: request.tag,
      requestedBy: options.userEntityRef,
    });
    this.#logger.info('Promoted', {
      entityRef,
      from,
      to,
      tag: result.toTag,
      commit: result.commitSha,
      user: options.userEntityRef,
    });
    return { ...result, entityRef };
  }

  /** Refuses unless charts/<name>/Chart.yaml is bound to `entityRef`. */
  async #assertChartBound(name: string, entityRef: string): Promise<void> {
    const hc = this.#upstreams.helmCharts;
    const file = `charts/${name}/Chart.yaml`;
    const chart = await this.#upstreams.github.getFileContent(
      hc.owner,
      hc.repo,
      file,
      hc.branch,
    );
    if (chart === undefined) {
      throw new InputError(
        `${entityRef} has no chart: ${file} is not in ${hc.owner}/${hc.repo}`,
      );
    }
    const binding = readYaml(chart, ['annotations', OWNER_TAG]);
    assertBoundTo(
      `charts/${name}`,
      typeof binding === 'string' ? binding : undefined,
      entityRef,
    );
  }

  #environment(value: unknown, field: string): string {
    if (
      typeof value !== 'string' ||
      !this.#settings.environments.includes(value)
    ) {
      throw new InputError(
        `${field} must be one of ${this.#settings.environments.join(', ')}`,
      );
    }
    return value;
  }
}

function tagOf(valuesYaml: string): string | undefined {
  const tag = readYaml(valuesYaml, ['image', 'tag']);
  return typeof tag === 'string' && tag ? tag : undefined;
}

/** The chart folder's name: from slipway.io/chart-path, else the entity name. */
export function chartName(entity: Entity): string {
  const path =
    entity.metadata.annotations?.[ANNOTATIONS.chartPath] ??
    `charts/${entity.metadata.name}`;
  const m = /^charts\/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$/.exec(path);
  if (!m) {
    throw new InputError(
      `${ANNOTATIONS.chartPath} must be charts/<name> (got '${path}')`,
    );
  }
  return m[1];
}
