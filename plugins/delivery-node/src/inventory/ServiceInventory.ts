import { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OWNER_TAG,
  ownerTagValue,
  TASK_TAG,
} from '@internal/backstage-plugin-delivery-common';
import { ArgoCdInstances } from '../argocd/ArgoCdInstances';
import { isBoundTo } from '../argocd/ownership';
import { EnvironmentSettings, serviceApplications } from '../environments';
import { AwsClients } from '../aws/AwsClients';
import { EcrRepositories } from '../aws/EcrRepositories';
import { IrsaRoles } from '../aws/IrsaRoles';
import { GitHubFiles } from '../github/GitHubFiles';
import { readYaml } from '../gitops/yamlEdit';
import { cleanDetail, upstreamFailureOf } from '../retry/failures';

/** The kinds of resource "Create component" makes for a service. @public */
export type InventoryKind =
  | 'catalog'
  | 'repository'
  | 'ecr'
  | 'iam'
  | 'chart'
  | 'argocd';

/**
 * One resource of a service, as found upstream.
 *
 * @public
 */
export interface InventoryItem {
  kind: InventoryKind;
  /** What the task log calls it: `ECR repository orders`. */
  label: string;
  /** Whether it exists; undefined when it could not be checked. */
  exists?: boolean;
  /** Its binding (OWNER_TAG tag, label or annotation): the entity it belongs to. */
  binding?: string;
  /** The scaffolder task that created it (TASK_TAG, or the repository's task topic). */
  task?: string;
  /** Where to look at it. */
  url?: string;
  /** Why it could not be checked (exists is then undefined). */
  unchecked?: string;
  /** catalog: the entity's owner. */
  owner?: string;
  /** argocd: the instance it lives on. */
  instance?: string;
}

/** The app repository of a service, as RepoUrlPicker names it. @public */
export interface RepositoryLocation {
  host: string;
  owner: string;
  repo: string;
}

/** What {@link ServiceInventory} reads. @public */
export interface ServiceInventoryOptions {
  catalog: CatalogService;
  auth: AuthService;
  aws: AwsClients;
  /** slipway.gitops.helmCharts; without it, charts are not checked. */
  helmCharts?: { repoUrl: string; branch: string };
  instances: ArgoCdInstances;
  /** `slipway.environments`: one Application per environment. Default: none (only `<name>`). */
  environments?: EnvironmentSettings[];
  /** A reader for a GitHub host with an integration (undefined otherwise). */
  github: (host: string) => GitHubFiles | undefined;
}

const TASK_TOPIC = /^slipway-task-(.+)$/;

/**
 * Everything "Create component" makes for a service, looked up by name in
 * each upstream: the catalog entity, the app repository, the ECR
 * repository, the IAM role, `charts/<name>` in helm-charts and the Argo CD
 * application on each configured instance. Each resource comes with its
 * binding, the task that created it and a link.
 *
 * The preflight uses it strictly (a lookup that fails fails the step); the
 * failure summary and the decommission of a half-created service use it
 * best effort, within a time bound ("could not check X").
 *
 * @public
 */
export class ServiceInventory {
  readonly #o: ServiceInventoryOptions;
  readonly #ecr: EcrRepositories;
  readonly #roles: IrsaRoles;

  constructor(options: ServiceInventoryOptions) {
    this.#o = options;
    this.#ecr = new EcrRepositories(options.aws);
    this.#roles = new IrsaRoles(options.aws);
  }

  /**
   * The service's resources, in a fixed order: catalog, repository, ECR,
   * IAM, chart, Argo CD. `repo` is the app repository (without it, none is
   * looked up). With `strict`, a failed lookup throws; otherwise it is an
   * item with `unchecked`, and lookups still running after `timeoutMs`
   * (default 4 s) are reported the same way. `only` limits the kinds.
   */
  async lookup(
    name: string,
    options: {
      repo?: RepositoryLocation;
      strict?: boolean;
      timeoutMs?: number;
      /** Only these kinds. Default: all. */
      only?: InventoryKind[];
    } = {},
  ): Promise<InventoryItem[]> {
    type Lookup = [InventoryKind, string, () => Promise<InventoryItem[]>];
    const { repo } = options;
    const all: Lookup[] = [
      [
        'catalog',
        `catalog entry ${ownerTagValue(name)}`,
        () => this.#catalog(name),
      ],
      ...(repo
        ? [
            [
              'repository',
              `app repository ${repo.owner}/${repo.repo}`,
              () => this.#repository(repo),
            ] as Lookup,
          ]
        : []),
      ['ecr', `ECR repository ${name}`, () => this.#ecrRepository(name)],
      ['iam', `IAM role ${name}`, () => this.#role(name)],
      ['chart', `chart charts/${name} in helm-charts`, () => this.#chart(name)],
      ...this.#applications(name).map(
        ({ instance, appName }): Lookup => [
          'argocd',
          `Argo CD application ${appName} on ${instance}`,
          () => this.#application(name, appName, instance),
        ],
      ),
    ];
    const lookups = options.only
      ? all.filter(([kind]) => options.only!.includes(kind))
      : all;
    if (options.strict) {
      const found = await Promise.all(lookups.map(([, , fn]) => fn()));
      return found.flat();
    }
    const timeoutMs = options.timeoutMs ?? 4000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>(resolve => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    try {
      const found = await Promise.all(
        lookups.map(async ([kind, label, fn]) => {
          const attempt = fn().catch((e): InventoryItem[] => [
            { kind, label, unchecked: reasonOf(e) },
          ]);
          const first = await Promise.race([attempt, deadline]);
          return first === 'late'
            ? [
                {
                  kind,
                  label,
                  unchecked: `no answer within ${timeoutMs / 1000} s`,
                },
              ]
            : first;
        }),
      );
      return found.flat();
    } finally {
      clearTimeout(timer);
    }
  }

  async #catalog(name: string): Promise<InventoryItem[]> {
    const credentials = await this.#o.auth.getOwnServiceCredentials();
    const { items } = await this.#o.catalog.getEntities(
      { filter: { kind: 'component', 'metadata.name': name } },
      { credentials },
    );
    if (!items.length) {
      return [
        {
          kind: 'catalog',
          label: `catalog entry ${ownerTagValue(name)}`,
          exists: false,
        },
      ];
    }
    return items.map(e => {
      const ref = stringifyEntityRef(e);
      return {
        kind: 'catalog',
        label: `catalog entry ${ref}`,
        exists: true,
        binding: ref,
        owner: typeof e.spec?.owner === 'string' ? e.spec.owner : undefined,
      };
    });
  }

  async #repository(repo: RepositoryLocation): Promise<InventoryItem[]> {
    const label = `app repository ${repo.owner}/${repo.repo}`;
    const host = this.#o.github(repo.host);
    if (!host) return [noIntegration('repository', label, repo.host)];
    const found = await host.getRepository(repo.owner, repo.repo);
    if (!found) return [{ kind: 'repository', label, exists: false }];
    const topic = (found.topics ?? [])
      .map(t => TASK_TOPIC.exec(t)?.[1])
      .find(Boolean);
    return [
      {
        kind: 'repository',
        label,
        exists: true,
        task: topic,
        url: found.htmlUrl,
      },
    ];
  }

  async #ecrRepository(name: string): Promise<InventoryItem[]> {
    const { region, accountId } = this.#o.aws.settings;
    return tagged(
      'ecr',
      `ECR repository ${name}`,
      await this.#ecr.describe(name),
      `${this.#console(
        region,
      )}/ecr/repositories/private/${accountId}/${encodeURIComponent(
        name,
      )}?region=${region}`,
    );
  }

  async #role(name: string): Promise<InventoryItem[]> {
    return tagged(
      'iam',
      `IAM role ${name}`,
      await this.#roles.describe(name),
      `${this.#console()}/iam/home#/roles/details/${encodeURIComponent(name)}`,
    );
  }

  async #chart(name: string): Promise<InventoryItem[]> {
    const label = `chart charts/${name} in helm-charts`;
    if (!this.#o.helmCharts) {
      return [
        {
          kind: 'chart',
          label,
          unchecked: 'slipway.gitops.helmCharts is not configured',
        },
      ];
    }
    const { repoUrl, branch } = this.#o.helmCharts;
    const url = new URL(repoUrl);
    const [, owner, repo] = url.pathname.split('/');
    const host = this.#o.github(url.host);
    if (!host) return [noIntegration('chart', label, url.host)];
    const chart = await host.getFileContent(
      owner,
      repo,
      `charts/${name}/Chart.yaml`,
      branch,
    );
    if (chart === undefined) return [{ kind: 'chart', label, exists: false }];
    const binding = readYaml(chart, ['annotations', OWNER_TAG]);
    const task = readYaml(chart, ['annotations', TASK_TAG]);
    return [
      {
        kind: 'chart',
        label,
        exists: true,
        binding: typeof binding === 'string' ? binding : undefined,
        task: typeof task === 'string' ? task : undefined,
        url: `${repoUrl.replace(/\/+$/, '')}/tree/${branch}/charts/${name}`,
      },
    ];
  }

  /**
   * The Applications to look for: `<name>` (made before environments) on
   * every instance, and `<name>-<env>` on each environment's instance.
   */
  #applications(name: string): Array<{ instance: string; appName: string }> {
    const { instances, environments = [] } = this.#o;
    const seen = new Set<string>();
    return [
      ...instances.names().map(instance => ({ instance, appName: name })),
      ...serviceApplications(environments, name)
        .slice(1)
        .map(a => ({
          instance: instances.get(a.instance).name,
          appName: a.appName,
        })),
    ].filter(a => {
      const key = `${a.instance} ${a.appName}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  async #application(
    name: string,
    appName: string,
    instance: string,
  ): Promise<InventoryItem[]> {
    const label = `Argo CD application ${appName} on ${instance}`;
    const client = this.#o.instances.get(instance);
    const app = await client.findApplication(appName);
    if (!app) return [{ kind: 'argocd', label, exists: false, instance }];
    const annotations = app.metadata?.annotations ?? {};
    const owner = ownerTagValue(name);
    return [
      {
        kind: 'argocd',
        label,
        exists: true,
        instance,
        binding: isBoundTo(app, owner) ? owner : annotations[OWNER_TAG],
        task: annotations[TASK_TAG],
        url: client.applicationUrl(appName),
      },
    ];
  }

  /** The AWS console of the configured partition (and region). */
  #console(region?: string): string {
    const host =
      {
        'aws-cn': 'console.amazonaws.cn',
        'aws-us-gov': 'console.amazonaws-us-gov.com',
      }[this.#o.aws.settings.partition] ?? 'console.aws.amazon.com';
    return `https://${region ? `${region}.` : ''}${host}`;
  }
}

/** An AWS resource (or its absence), its binding and task from its tags. */
function tagged(
  kind: InventoryKind,
  label: string,
  found: { tags: Record<string, string> } | undefined,
  url: string,
): InventoryItem[] {
  if (!found) return [{ kind, label, exists: false }];
  return [
    {
      kind,
      label,
      exists: true,
      binding: found.tags[OWNER_TAG],
      task: found.tags[TASK_TAG],
      url,
    },
  ];
}

/** A GitHub resource on a host Slipway has no integration for. */
function noIntegration(
  kind: InventoryKind,
  label: string,
  host: string,
): InventoryItem {
  return {
    kind,
    label,
    unchecked: `no GitHub integration is configured for ${host}`,
  };
}

/** Why a lookup failed, in a few words for the task log. */
function reasonOf(error: unknown): string {
  const f = upstreamFailureOf(error);
  if (f) {
    return `${f.upstream} ${f.operation} answered ${
      f.code ?? (f.status ? `HTTP ${f.status}` : 'nothing')
    }`;
  }
  return cleanDetail(String((error as Error)?.message ?? error), 200);
}
