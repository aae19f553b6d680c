/*
 * AWS Signature Version 4, server side: parses the Authorization header and
 * checks the signature by signing the same canonical request again with
 * `@smithy/signature-v4` and the sandbox's own secret. Only the headers the
 * client listed in SignedHeaders take part, exactly as received, so requests
 * from the SDK and from botocore (the aws CLI) verify alike.
 */

import crypto from 'node:crypto';
import http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** The parts of a SigV4 Authorization header. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** A static access key pair. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The outcome of checking one request. */
export type SigV4Result =
  | { ok: true; auth: SigV4Authorization }
  | {
      ok: false;
      reason:
        | 'missing'
        | 'malformed'
        | 'unknown-key'
        | 'bad-signature'
        | 'expired';
      message: string;
    };

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** How far the request date may be from the server's clock, as in AWS. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
 * Returns undefined when the header is absent or not SigV4 at all, and
 * throws a message string when it is SigV4 but incomplete.
 */
export function parseAuthorization(
  value: string | undefined,
): SigV4Authorization | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) return undefined;
  const fields: Record<string, string> = {};
  for (const part of trimmed.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const scope = (fields.Credential ?? '').split('/');
  if (
    scope.length !== 5 ||
    scope[4] !== 'aws4_request' ||
    !fields.SignedHeaders ||
    !/^[0-9a-f]{64}$/.test(fields.Signature ?? '')
  ) {
    throw new Error(
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
    );
  }
  return {
    accessKeyId: scope[0],
    date: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: fields.SignedHeaders.split(';').map(h => h.toLowerCase()),
    signature: fields.Signature,
  };
}

/** Decodes a raw query string into the map the signer canonicalises. */
function parseQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** `20261123T101500Z` → Date. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Verifies the request's SigV4 signature against `credentials`. `body` is
 * the raw request body. Never throws for a bad request; the caller turns
 * the result into the service's error.
 */
export async function verifySigV4(
  req: http.IncomingMessage,
  body: Buffer,
  credentials: AwsCredentials,
  now: Date = new Date(),
): Promise<SigV4Result> {
  let auth: SigV4Authorization | undefined;
  try {
    auth = parseAuthorization(header(req, 'authorization'));
  } catch (e) {
    return { ok: false, reason: 'malformed', message: (e as Error).message };
  }
  if (!auth) {
    return {
      ok: false,
      reason: 'missing',
      message: 'Missing Authentication Token',
    };
  }
  if (auth.accessKeyId !== credentials.accessKeyId) {
    return {
      ok: false,
      reason: 'unknown-key',
      message: 'The security token included in the request is invalid.',
    };
  }
  const amzDate = header(req, 'x-amz-date');
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (
    !signingDate ||
    !auth.signedHeaders.includes('x-amz-date') ||
    !auth.signedHeaders.includes('host')
  ) {
    return {
      ok: false,
      reason: 'malformed',
      message:
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header, signed together with 'Host'.",
    };
  }
  if (amzDate!.slice(0, 8) !== auth.date) {
    return {
      ok: false,
      reason: 'bad-signature',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${
        auth.date
      }' != '${amzDate!.slice(0, 8)}'`,
    };
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    return {
      ok: false,
      reason: 'expired',
      message: `Signature expired: ${amzDate} is now earlier than the allowed window.`,
    };
  }
  const contentSha = header(req, 'x-amz-content-sha256');
  if (contentSha && contentSha !== 'UNSIGNED-PAYLOAD') {
    const actual = crypto.createHash('sha256').update(body).digest('hex');
    if (actual !== contentSha) {
      return {
        ok: false,
        reason: 'bad-signature',
        message:
          'The provided x-amz-content-sha256 header does not match what was computed.',
      };
    }
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = header(req, name);
    if (value === undefined) {
      return {
        ok: false,
        reason: 'bad-signature',
        message: `The request signature lists header '${name}' which the request does not carry.`,
      };
    }
    headers[name] = value;
  }
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  let query: Record<string, string | string[]>;
  try {
    query = parseQuery(q < 0 ? '' : rawUrl.slice(q + 1));
  } catch {
    return {
      ok: false,
      reason: 'malformed',
      message: 'The query string is not well formed.',
    };
  }

  const signer = new SignatureV4({
    credentials,
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: (headers.host ?? '').replace(/:\d+$/, ''),
      path,
      query,
      headers,
      body,
    },
    {
      signingDate,
      signingRegion: auth.region,
      signingService: auth.service,
      // Sign exactly what the client signed, even headers the SDK would skip.
      signableHeaders: new Set(auth.signedHeaders),
    },
  );
  const expected =
    /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1] ??
    '';
  const given = Buffer.from(auth.signature, 'utf8');
  if (
    expected.length !== given.length ||
    !crypto.timingSafeEqual(Buffer.from(expected, 'utf8'), given)
  ) {
    return {
      ok: false,
      reason: 'bad-signature',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return { ok: true, auth };
}
