import type { BuildStatus } from '@internal/backstage-plugin-delivery-common';

/**
 * Maps an Actions run's `status` and `conclusion` to a {@link BuildStatus}.
 *
 * @public
 */
export function workflowRunStatus(
  status: string | null | undefined,
  conclusion: string | null | undefined,
): BuildStatus {
  switch (status) {
    case 'queued':
    case 'requested':
    case 'waiting':
    case 'pending':
      return 'queued';
    case 'in_progress':
      return 'running';
    case 'completed':
      break;
    default:
      return 'unknown';
  }
  switch (conclusion) {
    case 'success':
      return 'succeeded';
    case 'failure':
    case 'timed_out':
    case 'startup_failure':
      return 'failed';
    case 'cancelled':
      return 'aborted';
    case 'action_required':
      return 'queued';
    default:
      return 'unknown'; // neutral, skipped, stale
  }
}
