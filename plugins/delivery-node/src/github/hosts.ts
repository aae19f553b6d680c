import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { GitHubReader } from './GitHubReader';

/**
 * A GitHub reader per host that has an `integrations.github` entry (the
 * `shared` one for its host, when given), each built on first use;
 * undefined for a host without an integration.
 *
 * @public
 */
export function gitHubHosts(
  config: Config,
  shared?: GitHubReader,
): (host: string) => GitHubReader | undefined {
  const integrations = ScmIntegrations.fromConfig(config);
  const readers = new Map<string, GitHubReader>(
    shared ? [[shared.host, shared]] : [],
  );
  return host => {
    if (!integrations.github.byHost(host)) return undefined;
    if (!readers.has(host)) {
      readers.set(host, GitHubReader.fromConfig(config, { host }));
    }
    return readers.get(host);
  };
}
