import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  deliveryPromotePermission,
  deliveryRollbackPermission,
  deliveryRolloutPermission,
  OWNER_TAG,
  readDeliveryAnnotations,
  ReleaseResult,
  RolloutActionName,
  RolloutActionResult,
} from '@internal/backstage-plugin-delivery-common';
import {
  assertBoundTo,
  followsSharedRefusal,
  parseChartCommit,
  planRollback,
  readYaml,
  ServiceAccess,
} from '@internal/backstage-plugin-delivery-node';
import { Entity } from '@backstage/catalog-model';
import { SectionLoadError } from './SectionCache';
import { argocdTarget, environmentOf } from './sections/sync';
import { DeliveryServiceDeps, DeliverySettings } from './settings';
import { DeliveryUpstreams } from './upstreams';

/** The canary actions Slipway runs, with the words the page uses. */
export const ROLLOUT_ACTION_LABELS: Record<RolloutActionName, string> = {
  resume: 'Promote',
  'promote-full': 'Promote full',
  abort: 'Abort',
  retry: 'Retry',
};

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
    const envValues = await this.#readChartsFile(envFile);
    if (envValues === undefined) {
      throw new InputError(
        `${entityRef} has no ${envFile} in ${hc.owner}/${hc.repo}`,
      );
    }
    // The environment's tag lives in its own file when pinned there
    // (promoted), else in the shared values.yaml (CI's bumps).
    const pinned = Boolean(tagOf(envValues));
    const refusal = followsSharedRefusal({
      name,
      environment,
      environments: this.#settings.environments,
      pinned,
    });
    if (refusal) throw new InputError(refusal.reason);
    const file = pinned ? envFile : `charts/${name}/values.yaml`;
    const content =
      file === envFile ? envValues : await this.#readChartsFile(file);
    const current = content === undefined ? undefined : tagOf(content);
    const history = current
      ? await gh.listCommits(hc.owner, hc.repo, {
          sha: hc.branch,
          path: file,
          perPage: 50,
        })
      : [];
    const plan = planRollback({
      file,
      current,
      history: history.map(c => ({
        sha: c.sha,
        subject: c.message,
        ...parseChartCommit(c.fullMessage ?? c.message, name),
      })),
    });
    if (!plan.possible) {
      throw plan.why === 'no-tag'
        ? new InputError(plan.reason)
        : new ConflictError(plan.reason);
    }
    const result = await hc.rollback({
      name,
      environment,
      expectTag: plan.fromTag,
      toTag: plan.toTag,
      reverts: plan.reverts,
      requestedBy: options.userEntityRef,
    });
    this.#logger.info('Rolled back', {
      entityRef,
      environment,
      from: plan.fromTag,
      to: plan.toTag,
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
    // An environment that asks for an approval gets a pull request: it
    // moves when someone merges it.
    const approval =
      this.#settings.road.find(e => e.name === to)?.changes === 'pull-request';
    const result = await this.#upstreams.helmCharts.promote({
      name,
      from,
      to,
      tag: request.tag,
      requestedBy: options.userEntityRef,
      ...(approval ? { mode: 'pull-request' as const } : {}),
    });
    this.#logger.info(approval ? 'Opened a promotion' : 'Promoted', {
      entityRef,
      from,
      to,
      tag: result.toTag,
      commit: result.commitSha,
      ...(result.pullRequestUrl ? { pullRequest: result.pullRequestUrl } : {}),
      user: options.userEntityRef,
    });
    return { ...result, entityRef };
  }

  /**
   * Runs a canary action (Argo CD's resource action on the environment's
   * Rollout: resume, promote-full, abort, retry) with the portal's Argo CD
   * token. Decided first on the caller's ownership of the entity (no
   * upstream call before), then on the application's binding to it; an
   * action Argo CD does not offer now (its discovery Lua says disabled) is
   * refused before it is run.
   */
  async rolloutAction(
    request: { entityRef: unknown; environment: unknown; action: unknown },
    options: { credentials: BackstageCredentials; userEntityRef: string },
  ): Promise<RolloutActionResult> {
    const environment = this.#environment(request.environment, 'environment');
    const action = request.action as RolloutActionName;
    const label = Object.hasOwn(ROLLOUT_ACTION_LABELS, String(action))
      ? ROLLOUT_ACTION_LABELS[action]
      : undefined;
    if (!label) {
      throw new InputError(
        `action must be one of ${Object.keys(ROLLOUT_ACTION_LABELS).join(
          ', ',
        )}`,
      );
    }
    const { entity, entityRef } = await this.#access.authorize({
      action: 'rollout',
      entityRef: request.entityRef,
      permission: deliveryRolloutPermission,
      credentials: options.credentials,
      meta: { environment, rolloutAction: action },
    });
    const { client, appName } = await this.#application(
      entity,
      entityRef,
      environment,
    );
    const tree = await client.getResourceTree(appName);
    const node = (tree.nodes ?? []).find(
      n =>
        n.kind === 'Rollout' &&
        n.group === 'argoproj.io' &&
        !n.parentRefs?.length,
    );
    if (!node?.name || !node.namespace) {
      throw new InputError(
        `${entityRef} runs no canary in ${environment}: Argo CD application ${appName} has no Rollout (its chart's rollout.strategy is rolling)`,
      );
    }
    const ref = {
      group: 'argoproj.io',
      version: node.version ?? 'v1alpha1',
      kind: 'Rollout',
      namespace: node.namespace,
      name: node.name,
    };
    const offered = (await client.listResourceActions(appName, ref)).find(
      a => a.name === action,
    );
    if (!offered || offered.disabled) {
      const health = [node.health?.status, node.health?.message]
        .filter(Boolean)
        .join(': ');
      throw new ConflictError(
        `${label} is not possible now on Rollout ${
          node.name
        } in ${environment}${health ? ` (${health})` : ''}`,
      );
    }
    try {
      await client.runResourceAction(appName, ref, action);
    } catch (e) {
      // Argo CD says "permission denied" (which the client reads as an
      // application it may not see) when the portal's account lacks the
      // action: the application was just read, so say what to grant.
      if ((e as Error).name === 'NotFoundError') {
        throw new NotAllowedError(
          `Argo CD '${client.name}' refused ${action} on Rollout ${node.name} to the portal's account: its RBAC needs "p, <the portal's role>, applications, action/argoproj.io/Rollout/${action}, <project>/${appName}, allow"`,
        );
      }
      throw e;
    }
    this.#logger.info(`Rollout action ${action}`, {
      entityRef,
      environment,
      application: appName,
      rollout: node.name,
      user: options.userEntityRef,
    });
    return { entityRef, environment, action, rollout: node.name };
  }

  /**
   * The Argo CD application that deploys `entity` to `environment`, as its
   * annotations name it, refused unless it is bound to the entity.
   */
  async #application(entity: Entity, entityRef: string, environment: string) {
    // The same applications, instances and allow-list the page reads.
    let target: ReturnType<typeof argocdTarget>;
    try {
      target = argocdTarget(
        { upstreams: this.#upstreams, settings: this.#settings },
        entity,
      );
    } catch (e) {
      if (e instanceof SectionLoadError) {
        throw e.sectionError.kind === 'forbidden'
          ? new NotAllowedError(e.message)
          : new InputError(e.message);
      }
      throw e;
    }
    const { instanceNames, appName, selector } = target;
    const argocd = this.#upstreams.argocd;
    const found = await Promise.all(
      instanceNames.map(async n => {
        const c = argocd.get(n);
        const list = appName
          ? [await c.getApplication(appName)]
          : await c.listApplications({ selector });
        return list.map(app => ({ client: c, app }));
      }),
    );
    const match = found
      .flat()
      .find(({ app }) => environmentOf(app) === environment);
    const client = match?.client ?? argocd.get(instanceNames[0]);
    const app = match?.app;
    if (!app?.metadata.name) {
      throw new InputError(
        `${entityRef} has no Argo CD application for ${environment} on '${client.name}'`,
      );
    }
    const { annotations, labels } = app.metadata;
    assertBoundTo(
      `Argo CD application ${app.metadata.name}`,
      annotations?.[OWNER_TAG] ?? labels?.[OWNER_TAG],
      entityRef,
    );
    return { client, appName: app.metadata.name };
  }

  /** A file's text on the helm-charts branch; undefined when it is not there. */
  #readChartsFile(file: string): Promise<string | undefined> {
    const hc = this.#upstreams.helmCharts;
    return this.#upstreams.github.getFileContent(
      hc.owner,
      hc.repo,
      file,
      hc.branch,
    );
  }

  /** Refuses unless charts/<name>/Chart.yaml is bound to `entityRef`. */
  async #assertChartBound(name: string, entityRef: string): Promise<void> {
    const hc = this.#upstreams.helmCharts;
    const file = `charts/${name}/Chart.yaml`;
    const chart = await this.#readChartsFile(file);
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
  const chart = readDeliveryAnnotations(entity).chart;
  if (!chart.ok) throw new InputError(chart.problem);
  return chart.value.name;
}
