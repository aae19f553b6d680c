import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { JenkinsClient, JenkinsInstanceConfig } from './JenkinsClient';

/** Options of {@link JenkinsInstances.fromConfig}. @public */
export interface JenkinsInstancesOptions {
  fetch?: typeof fetch;
  /** A request taking longer than this fails. Default 10000 ms. */
  timeoutMs?: number;
}

/** The name the community Jenkins plugin gives an unnamed instance. */
const DEFAULT_NAME = 'default';

/**
 * Reads the Jenkins instances the way the community Jenkins plugin does:
 * `jenkins.instances[]` ({name, baseUrl, username, apiKey}), or the
 * single-instance form `jenkins.{baseUrl, username, apiKey}`, which is named
 * `default`.
 *
 * @public
 */
export function readJenkinsInstances(config: Config): JenkinsInstanceConfig[] {
  const jenkins = config.getOptionalConfig('jenkins');
  if (!jenkins) return [];
  const read = (c: Config, name: string): JenkinsInstanceConfig => ({
    name,
    baseUrl: c.getString('baseUrl'),
    username: c.getString('username'),
    apiKey: c.getString('apiKey'),
  });
  const instances = (jenkins.getOptionalConfigArray('instances') ?? []).map(c =>
    read(c, c.getString('name')),
  );
  if (jenkins.has('baseUrl') && !instances.some(i => i.name === DEFAULT_NAME)) {
    instances.unshift(read(jenkins, DEFAULT_NAME));
  }
  const seen = new Set<string>();
  for (const i of instances) {
    if (seen.has(i.name)) {
      throw new InputError(
        `jenkins.instances: the name '${i.name}' is used more than once`,
      );
    }
    seen.add(i.name);
  }
  return instances;
}

/**
 * Every configured Jenkins instance, one {@link JenkinsClient} each.
 *
 * @public
 */
export class JenkinsInstances {
  readonly #clients: Map<string, JenkinsClient>;

  /** Reads `jenkins` (see {@link readJenkinsInstances}). */
  static fromConfig(
    config: Config,
    options: JenkinsInstancesOptions = {},
  ): JenkinsInstances {
    return new JenkinsInstances(
      readJenkinsInstances(config).map(
        instance =>
          new JenkinsClient({
            instance,
            fetch: options.fetch,
            timeoutMs: options.timeoutMs,
          }),
      ),
    );
  }

  constructor(clients: JenkinsClient[]) {
    this.#clients = new Map(clients.map(c => [c.name, c]));
  }

  names(): string[] {
    return [...this.#clients.keys()];
  }

  /** True when `name` (or, without a name, any instance) is configured. */
  has(name?: string): boolean {
    return name ? this.#clients.has(name) : this.#clients.size > 0;
  }

  /**
   * The named instance; without a name the one named `default`, else the
   * first. InputError when there is no such instance.
   */
  get(name?: string): JenkinsClient {
    const wanted =
      name ||
      (this.#clients.has(DEFAULT_NAME) ? DEFAULT_NAME : this.names()[0]);
    const client = wanted ? this.#clients.get(wanted) : undefined;
    if (!client) {
      throw new InputError(
        this.#clients.size
          ? `Unknown Jenkins instance '${wanted}'; configured: ${this.names().join(
              ', ',
            )}`
          : 'No Jenkins instance is configured under jenkins.instances',
      );
    }
    return client;
  }
}
