import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { RepositoryLocation } from './ServiceInventory';

/**
 * A scaffolder task, as far as Slipway reads it: who started it, from which
 * template, with which parameters.
 *
 * @public
 */
export interface ServiceTask {
  id: string;
  createdBy?: string;
  spec: {
    parameters?: JsonObject;
    templateInfo?: { entityRef?: string };
    user?: { ref?: string };
  };
}

/** Reads scaffolder tasks with the module's own credentials. @public */
export interface ServiceTasks {
  getTask(taskId: string): Promise<ServiceTask>;
}

/**
 * {@link ServiceTasks} over the scaffolder's `scaffolderServiceRef`
 * (`@backstage/plugin-scaffolder-node`), called with the module's own
 * service credentials.
 *
 * @public
 */
export function scaffolderTasks(
  scaffolder: {
    getTask(
      request: { taskId: string },
      options: { credentials: BackstageCredentials },
    ): Promise<unknown>;
  },
  auth: Pick<AuthService, 'getOwnServiceCredentials'>,
): ServiceTasks {
  return {
    async getTask(taskId) {
      const task = (await scaffolder.getTask(
        { taskId },
        { credentials: await auth.getOwnServiceCredentials() },
      )) as ServiceTask;
      return task;
    },
  };
}

/** The service a "Create component" task was for: its parameters. @public */
export interface ServiceParameters {
  name?: string;
  owner?: string;
  repo?: RepositoryLocation;
}

/** Reads `name`, `owner` and `repoUrl` (`host?owner=o&repo=r`) from a task's parameters. @public */
export function serviceParameters(task: ServiceTask): ServiceParameters {
  const p = task.spec.parameters ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    name: text(p.name),
    owner: text(p.owner),
    repo: parseRepoLocation(text(p.repoUrl)),
  };
}

/** `github.com?owner=acme&repo=orders` as host, owner and repo; undefined when it names none. @public */
export function parseRepoLocation(
  repoUrl: string | undefined,
): RepositoryLocation | undefined {
  if (!repoUrl) return undefined;
  try {
    const url = new URL(`https://${repoUrl}`);
    const owner = url.searchParams.get('owner');
    const repo = url.searchParams.get('repo');
    return owner && repo ? { host: url.host, owner, repo } : undefined;
  } catch {
    return undefined;
  }
}
