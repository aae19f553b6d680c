import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ArgoCdClient, ArgoCdInstanceConfig } from './ArgoCdClient';

/** Slipway's Argo CD settings (`slipway.argocd`), defaults filled in. @public */
export interface ArgoCdSettings {
  /** Project of every Application Slipway creates. */
  project: string;
  /** Destination cluster of every Application. */
  destinationServer: string;
  /** Namespace of the Application objects. */
  namespace: string;
  defaultInstance?: string;
}

/** Reads `slipway.argocd`. @public */
export function readArgoCdSettings(config: Config): ArgoCdSettings {
  return {
    project: config.getString('slipway.argocd.project'),
    destinationServer:
      config.getOptionalString('slipway.argocd.destinationServer') ??
      'https://kubernetes.default.svc',
    namespace: config.getOptionalString('slipway.argocd.namespace') ?? 'argocd',
    defaultInstance: config.getOptionalString('slipway.argocd.defaultInstance'),
  };
}

/**
 * Every Argo CD instance of `argocd.appLocatorMethods` (type `config`), one
 * {@link ArgoCdClient} each, built once so session tokens are shared.
 *
 * @public
 */
export class ArgoCdInstances {
  readonly #clients: Map<string, ArgoCdClient>;
  readonly #defaultName?: string;

  static fromConfig(
    config: Config,
    options: { fetch?: typeof fetch; now?: () => number } = {},
  ): ArgoCdInstances {
    const instances: ArgoCdInstanceConfig[] = [];
    for (const method of config.getOptionalConfigArray(
      'argocd.appLocatorMethods',
    ) ?? []) {
      if (method.getString('type') !== 'config') continue;
      for (const c of method.getOptionalConfigArray('instances') ?? []) {
        instances.push({
          name: c.getString('name'),
          url: c.getString('url'),
          token: c.getOptionalString('token'),
          username: c.getOptionalString('username'),
          password: c.getOptionalString('password'),
        });
      }
    }
    const ttl = config.getOptionalNumber('slipway.argocd.sessionTtlSeconds');
    return new ArgoCdInstances(
      instances.map(
        instance =>
          new ArgoCdClient({
            instance,
            fetch: options.fetch,
            now: options.now,
            sessionTtlSeconds: ttl,
          }),
      ),
      config.getOptionalString('slipway.argocd.defaultInstance'),
    );
  }

  constructor(clients: ArgoCdClient[], defaultName?: string) {
    this.#clients = new Map(clients.map(c => [c.name, c]));
    this.#defaultName = defaultName;
    if (defaultName && !this.#clients.has(defaultName)) {
      throw new InputError(
        `slipway.argocd.defaultInstance '${defaultName}' is not among argocd.appLocatorMethods' instances (${this.names().join(
          ', ',
        )})`,
      );
    }
  }

  names(): string[] {
    return [...this.#clients.keys()];
  }

  /** True when `name` (or, without a name, any instance) is configured. */
  has(name?: string): boolean {
    return name ? this.#clients.has(name) : this.#clients.size > 0;
  }

  /** The named instance, else the default one, else the first; InputError when unknown. */
  get(name?: string): ArgoCdClient {
    const wanted = name || this.#defaultName || this.names()[0];
    const client = wanted ? this.#clients.get(wanted) : undefined;
    if (!client) {
      throw new InputError(
        this.#clients.size
          ? `Unknown Argo CD instance '${wanted}'; configured: ${this.names().join(
              ', ',
            )}`
          : 'No Argo CD instance is configured under argocd.appLocatorMethods',
      );
    }
    return client;
  }
}
