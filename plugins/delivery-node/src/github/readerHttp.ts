/*
 * How the reader names a GitHub host: its web pages' base URL, and a failed
 * read as one message that names the host and never carries the token.
 */

import { ServiceUnavailableError } from '@backstage/errors';

/** Web base URL of a GitHub host from its REST base URL. */
export function webBaseOf(apiBaseUrl: string, host: string): string {
  const api = apiBaseUrl.replace(/\/+$/, '');
  if (api === 'https://api.github.com') return 'https://github.com';
  if (api.endsWith('/api/v3')) return api.slice(0, -'/api/v3'.length);
  return `https://${host}`;
}

/** A failed read of `what` from `host` as a ServiceUnavailableError. */
export function readFailure(
  e: unknown,
  what: string,
  host: string,
  timeoutMs: number,
): Error {
  const err = e as {
    name?: string;
    status?: number;
    response?: { data?: { message?: unknown } };
  };
  const where = `Could not read ${what} from GitHub (${host})`;
  if (!err?.response) {
    const timedOut = err?.name === 'TimeoutError' || err?.name === 'AbortError';
    return new ServiceUnavailableError(
      `${where}: ${
        timedOut ? `no answer within ${timeoutMs} ms` : 'the request failed'
      }`,
    );
  }
  const message = err.response.data?.message;
  const said =
    typeof message === 'string' && message.length < 200 ? `: ${message}` : '';
  const hint =
    err.status === 401
      ? ' (check the token or GitHub App under integrations.github)'
      : '';
  return new ServiceUnavailableError(
    `${where}: HTTP ${err.status}${said}${hint}`,
  );
}
