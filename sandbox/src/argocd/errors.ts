/*
 * Argo CD's API is gRPC behind grpc-gateway: an error carries a gRPC status
 * code, grpc-gateway picks the HTTP status from it, and the body is the
 * `runtimeError` shape {error, code, message}.
 */

import { Ctx, HttpError, sendJson } from '../http';

/** The gRPC status codes the sandbox answers with. */
export const GrpcCode = {
  Unknown: 2,
  InvalidArgument: 3,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;

export type GrpcCodeValue = (typeof GrpcCode)[keyof typeof GrpcCode];

/** grpc-gateway's mapping of gRPC codes to HTTP statuses. */
const HTTP_STATUS: Record<number, number> = {
  2: 500,
  3: 400,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  13: 500,
  14: 503,
  16: 401,
};

/** The reverse, for errors raised as plain HTTP statuses (faults, routing). */
function codeForStatus(status: number): number {
  switch (status) {
    case 400:
      return GrpcCode.InvalidArgument;
    case 401:
      return GrpcCode.Unauthenticated;
    case 403:
      return GrpcCode.PermissionDenied;
    case 404:
      return GrpcCode.NotFound;
    case 409:
      return GrpcCode.AlreadyExists;
    case 429:
      return GrpcCode.ResourceExhausted;
    case 503:
      return GrpcCode.Unavailable;
    default:
      return status >= 500 ? GrpcCode.Unknown : GrpcCode.InvalidArgument;
  }
}

/** An error as Argo CD's API server would return it. */
export function grpcError(code: GrpcCodeValue, message: string): HttpError {
  return new HttpError(HTTP_STATUS[code] ?? 500, message, String(code));
}

/** Argo CD v3's answer for an application the caller may not see or that does not exist. */
export function permissionDenied(): HttpError {
  return grpcError(GrpcCode.PermissionDenied, 'permission denied');
}

/** Writes an error as a grpc-gateway `runtimeError` body. */
export function renderArgoError(ctx: Ctx, err: HttpError) {
  const code =
    err.code !== undefined && /^\d+$/.test(err.code)
      ? Number(err.code)
      : codeForStatus(err.status);
  sendJson(ctx.res, err.status, {
    error: err.message,
    code,
    message: err.message,
  });
}
