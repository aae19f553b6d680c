// Structured logs: one JSON object per line on stdout, with time, level, msg
// and, inside a request, the request's id (from AsyncLocalStorage, so code
// anywhere below the request handler gets it without passing it around).
import { AsyncLocalStorage } from 'node:async_hooks';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

const SEVERITY: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function parseLevel(value: string | undefined): Level {
  const level = (value ?? '').trim().toLowerCase();
  return level in SEVERITY ? (level as Level) : 'info';
}

function serialize(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function createLogger(
  options: { level?: Level; write?: (line: string) => void } = {},
): Logger {
  const threshold = SEVERITY[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));

  const log = (level: Level) => (msg: string, fields: Fields = {}) => {
    if (SEVERITY[level] < threshold) return;
    const requestId = requestContext.getStore()?.requestId;
    write(
      JSON.stringify(
        {
          ...fields,
          time: new Date().toISOString(),
          level,
          msg,
          ...(requestId ? { request_id: requestId } : {}),
        },
        serialize,
      ),
    );
  };

  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
