import { ownerTagValue } from '@internal/backstage-plugin-delivery-common';
import { taskTopic } from '../github/AppRepositories';
import { FailureSummary } from '../retry/provisioningStep';
import { InventoryItem, ServiceInventory } from './ServiceInventory';
import { ServiceParameters, serviceParameters, ServiceTasks } from './tasks';

/** What "Create component" makes, in the order it makes it. */
const ORDER = ['repository', 'ecr', 'iam', 'chart', 'argocd', 'catalog'];

/**
 * The last lines of a failed "Create component" step: what this run has
 * created so far for the service (with links), what it has not created
 * yet, what could not be checked, and that Retry resumes. The service's
 * name and app repository come from the task's own parameters; every
 * lookup is best effort and the whole report is bounded in time.
 *
 * @public
 */
export class CreationReport implements FailureSummary {
  readonly #inventory: ServiceInventory;
  readonly #tasks?: ServiceTasks;
  readonly #timeoutMs: number;

  constructor(options: {
    inventory: ServiceInventory;
    tasks?: ServiceTasks;
    /**
     * The bound on the whole report. Default 20000 ms: under throttling the
     * lookups take their clients' retries, and a failed task can wait.
     */
    timeoutMs?: number;
  }) {
    this.#inventory = options.inventory;
    this.#tasks = options.tasks;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
  }

  async linesFor(request: {
    taskId?: string;
    name?: string;
  }): Promise<string[]> {
    const started = Date.now();
    const { taskId } = request;
    let params: ServiceParameters = {};
    let taskUnread: string | undefined;
    if (taskId && this.#tasks) {
      try {
        params = serviceParameters(
          await within(this.#tasks.getTask(taskId), this.#timeoutMs / 3),
        );
      } catch (e) {
        taskUnread = `could not read task ${taskId} (${
          (e as Error)?.message?.split('\n')[0] ?? e
        })`;
      }
    }
    const name = params.name ?? request.name;
    if (!name) return [];
    const items = await this.#inventory.lookup(name, {
      repo: params.repo,
      timeoutMs: Math.max(500, this.#timeoutMs - (Date.now() - started)),
    });
    return reportLines(name, taskId, items, taskUnread);
  }
}

/** The report's lines for the items found. */
export function reportLines(
  name: string,
  taskId: string | undefined,
  items: InventoryItem[],
  note?: string,
): string[] {
  const owner = ownerTagValue(name);
  const byThisRun = (i: InventoryItem) =>
    i.kind === 'catalog' ||
    (taskId !== undefined &&
      (i.task === taskId ||
        (i.kind === 'repository' &&
          `slipway-task-${i.task}` === taskTopic(taskId))));
  const sorted = [...items].sort(
    (a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind),
  );
  const link = (i: InventoryItem) =>
    i.kind === 'repository' && i.url
      ? `app repository ${i.url}`
      : `${i.label}${i.url ? ` (${i.url})` : ''}`;
  const created = sorted.filter(i => i.exists && byThisRun(i));
  const others = sorted.filter(i => i.exists && !byThisRun(i));
  const missing = sorted.filter(i => i.exists === false);
  const unchecked = sorted.filter(i => i.exists === undefined);

  const lines = [
    created.length
      ? `So far this run created: ${created.map(link).join('; ')}.`
      : `So far this run has created nothing for ${owner}.`,
  ];
  if (others.length) {
    lines.push(
      `Also there, not created by this run: ${others
        .map(
          i =>
            `${link(i)}, ${
              i.binding ? `bound to ${i.binding}` : 'bound to no service'
            }${i.task ? `, created by task ${i.task}` : ''}`,
        )
        .join('; ')}.`,
    );
  }
  if (missing.length) {
    lines.push(
      `Not created yet: ${missing
        .map(i => (i.kind === 'catalog' ? 'catalog entry' : i.label))
        .join(', ')}.`,
    );
  }
  if (unchecked.length || note) {
    lines.push(
      `Could not check: ${[
        ...unchecked.map(i => `${i.label} (${i.unchecked})`),
        ...(note ? [note] : []),
      ].join('; ')}.`,
    );
  }
  lines.push(
    `Retry resumes at the failed step and creates nothing twice; to remove what exists instead, run "Decommission a service" with ${name}.`,
  );
  return lines;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ms / 1000} s`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
