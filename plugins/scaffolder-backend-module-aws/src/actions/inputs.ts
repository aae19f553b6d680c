/*
 * Input checks the AWS actions share, on top of delivery-common's name
 * rules. Each returns a problem (string) or undefined, for assertValid.
 */

import {
  NameProblem,
  OWNER_TAG,
} from '@internal/backstage-plugin-delivery-common';

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Checks extra resource tags: at most 40, AWS's character rules, no OWNER_TAG, no 'aws:' prefix. */
export function checkTags(tags: unknown, field = 'tags'): NameProblem {
  if (tags === undefined) return undefined;
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) {
    return `${field} must be a map of strings`;
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 40) return `${field} may hold at most 40 tags`;
  for (const [key, value] of entries) {
    if (key === OWNER_TAG) {
      return `${field} must not set '${OWNER_TAG}'; Slipway sets it from the service name`;
    }
    if (key.toLowerCase().startsWith('aws:')) {
      return `${field}: keys must not start with 'aws:' (got '${key}')`;
    }
    if (!key || key.length > 128 || !TAG_TEXT.test(key)) {
      return `${field}: '${key}' is not a valid tag key (1-128 letters, digits, spaces and _.:/=+-@)`;
    }
    if (
      typeof value !== 'string' ||
      value.length > 256 ||
      !TAG_TEXT.test(value)
    ) {
      return `${field}.${key} must be a string of at most 256 letters, digits, spaces and _.:/=+-@`;
    }
  }
  return undefined;
}

/** Checks an optional boolean. */
export function checkBoolean(value: unknown, field: string): NameProblem {
  return value === undefined || typeof value === 'boolean'
    ? undefined
    : `${field} must be true or false`;
}

/** Checks an optional value is one of `allowed`. */
export function checkOneOf(
  value: unknown,
  allowed: readonly string[],
  field: string,
): NameProblem {
  return value === undefined || allowed.includes(value as string)
    ? undefined
    : `${field} must be one of ${allowed.join(', ')} (got '${String(value)}')`;
}
