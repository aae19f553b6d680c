import { ResponseError } from '@backstage/errors';

/** The backend's own sentence for a refused request, else the error's message. */
export function serverMessage(error: Error): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error.message;
}

/** A permission decision that has arrived and is "no" (not one still loading). */
export function denied(decision: {
  loading: boolean;
  allowed: boolean;
}): boolean {
  return !decision.loading && !decision.allowed;
}
