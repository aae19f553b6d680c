/*
 * The frame every Slipway scaffolder action runs in: the shared clients'
 * retries show as progress lines in the task log, and a step that fails
 * for good shows one readable line there (and, for a creating step, what
 * the run has created so far), while the backend log gets the full error.
 */

import { LoggerService } from '@backstage/backend-plugin-api';
import { failureDetails, readableFailure } from './failures';
import { withRetryProgress } from './progress';

/** What {@link runProvisioningStep} needs of a scaffolder action's context. @public */
export interface ProvisioningStepContext {
  /** The step's logger: its lines reach the task log. */
  logger: Pick<LoggerService, 'info' | 'warn'>;
  task?: { id: string };
  input?: unknown;
  isDryRun?: boolean;
}

/**
 * The lines a failed creating step adds to the task log before its error:
 * what exists so far for the service, with links, and that Retry resumes.
 * Best effort and bounded in time; it never throws.
 *
 * @public
 */
export interface FailureSummary {
  linesFor(request: {
    taskId?: string;
    /** The service name the step was given, when the task cannot be read. */
    name?: string;
  }): Promise<string[]>;
}

/** How a module's actions report (built once in the module's init). @public */
export interface StepReporting {
  /** The module's backend logger (`coreServices.logger`): full errors go here. */
  logger: LoggerService;
  /** For creating steps: what the run created so far, when a step fails. */
  summary?: FailureSummary;
}

/** @public */
export interface ProvisioningStepOptions extends Partial<StepReporting> {
  /** The action id, e.g. `aws:ecr:create`. */
  action: string;
  /** True for the steps of "Create component": a failure lists what exists. */
  creating?: boolean;
}

/**
 * Runs a scaffolder action's handler body:
 *
 * - retries of the shared clients become progress lines in the task log
 *   ("ECR CreateRepository throttled (ThrottlingException), retrying 2/7");
 * - when it fails, the full error (message, causes, stacks, the upstream
 *   call and its request id; no credentials) goes to the backend logger
 *   with the task id and action id as fields; for a creating step, the task
 *   log then says what exists so far and that Retry resumes; and the error
 *   rethrown is {@link readableFailure}'s: one line naming the upstream, the
 *   operation and what to do, of the same Backstage error class, with a
 *   stack that is only `<name>: <message>`.
 *
 * @public
 */
export async function runProvisioningStep<T>(
  ctx: ProvisioningStepContext,
  options: ProvisioningStepOptions,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await withRetryProgress(ctx.logger, fn);
  } catch (error) {
    const taskId = ctx.task?.id;
    const readable = readableFailure(error, { action: options.action, taskId });
    options.logger?.error(`Scaffolder step ${options.action} failed`, {
      taskId: taskId ?? null,
      action: options.action,
      failure: readable.message,
      ...failureDetails(error),
    });
    if (options.creating && options.summary && !ctx.isDryRun) {
      const name = (ctx.input as { name?: unknown } | undefined)?.name;
      const lines = await options.summary
        .linesFor({
          taskId,
          name: typeof name === 'string' ? name : undefined,
        })
        .catch(() => [] as string[]);
      for (const line of lines) ctx.logger.info(line);
    }
    throw readable;
  }
}
