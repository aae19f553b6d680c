/*
 * Reading the JSON input of ECR operations (awsJson1_1) the way the real
 * service validates it: every bad member is an InvalidParameterException
 * naming the member, as ECR words it. Shared by every ECR operation group.
 */

import { AwsError, paginate } from './protocols';

/** The JSON input of one ECR operation. */
export type Input = Record<string, unknown>;

/** One ECR operation: the JSON input in, the JSON output out. */
export type EcrOperation = (input: Input) => unknown;

/** ECR's validation error. */
export function invalid(message: string) {
  return new AwsError(400, 'InvalidParameterException', message);
}

export function optString(input: Input, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'must be a string'`,
    );
  }
  return v;
}

export function reqString(input: Input, key: string): string {
  const v = optString(input, key);
  if (v === undefined || v === '') {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'Member must not be null'`,
    );
  }
  return v;
}

export function optObject(input: Input, key: string): Input | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'must be an object'`,
    );
  }
  return v as Input;
}

export function optArray(input: Input, key: string): unknown[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'must be a list'`,
    );
  }
  return v;
}

export function optInt(
  input: Input,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(
      `Invalid parameter at '${key}' failed to satisfy constraint: 'Member must have value between ${min} and ${max}'`,
    );
  }
  return v;
}

/** The error for a `nextToken` the sandbox did not hand out. */
export const invalidNextToken = () =>
  invalid("Invalid parameter at 'nextToken'");

/** One page of `items` by the input's `nextToken` and `maxResults` (1-1000, default 100). */
export function pageOf<T>(items: T[], input: Input) {
  return paginate(
    items,
    optString(input, 'nextToken'),
    optInt(input, 'maxResults', 1, 1000),
    100,
    invalidNextToken,
  );
}
