/*
 * Wire helpers shared by the emulated AWS services: the three protocols the
 * SDK and CLI speak to them (awsJson1_1 for ECR, restJson1 for EKS, awsQuery
 * for IAM and STS), AWS-shaped errors in each protocol's own format, the
 * query-string parameter readers and a small XML writer.
 */

import crypto from 'node:crypto';
import http from 'node:http';
import { HttpError } from '../http';

/** The services behind the sandbox's single AWS endpoint. */
export type AwsService = 'ecr' | 'iam' | 'eks' | 'sts';

/** How a service encodes requests, responses and errors. */
export type AwsProtocol = 'json' | 'rest-json' | 'query';

/** What the endpoint learned about a request while routing it. */
export interface AwsRequestInfo {
  service: AwsService | undefined;
  protocol: AwsProtocol;
  requestId: string;
  /** XML namespace of a query-protocol service. */
  xmlns?: string;
}

/** XML namespaces of the query-protocol services. */
export const QUERY_NAMESPACES: Record<'iam' | 'sts', string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** An AWS error: HTTP status, AWS error code and message. */
export class AwsError extends HttpError {
  constructor(
    status: number,
    readonly awsCode: string,
    message: string,
    /** Extra members of a restJson1 error body (e.g. clusterName). */
    readonly members: Record<string, string> = {},
  ) {
    super(status, message, awsCode);
  }
}

/** A fresh request id in AWS's UUID format. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/** A random string over `alphabet`, `length` characters long. */
export function randomString(length: number, alphabet: string): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Epoch seconds with millisecond fraction, the JSON protocols' timestamp format. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** ISO 8601 without milliseconds, as IAM writes timestamps. */
export function isoSeconds(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------- responses

function baseHeaders(info: AwsRequestInfo, contentType: string, body: string) {
  return {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': info.requestId,
  };
}

/** Writes a successful awsJson1_1 / restJson1 response. */
export function sendAwsJson(
  res: http.ServerResponse,
  info: AwsRequestInfo,
  body: unknown,
  status = 200,
) {
  const text = JSON.stringify(body ?? {});
  const type =
    info.protocol === 'json'
      ? 'application/x-amz-json-1.1'
      : 'application/json';
  res.writeHead(status, baseHeaders(info, type, text));
  res.end(text);
}

/** A value the XML writer can render. Arrays become `<member>` lists. */
export type XmlValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | XmlValue[]
  | { [name: string]: XmlValue };

/** Escapes text for XML content. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Renders one element; `undefined`/`null` members are left out. */
export function xmlElement(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const members = value.map(v => xmlElement('member', v)).join('');
    return members ? `<${name}>${members}</${name}>` : `<${name}/>`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value)
      .map(([k, v]) => xmlElement(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Writes an awsQuery response: `<XResponse><XResult>…</XResult><ResponseMetadata>…`. */
export function sendQueryResult(
  res: http.ServerResponse,
  info: AwsRequestInfo,
  action: string,
  result?: Record<string, XmlValue>,
) {
  const resultXml = result ? xmlElement(`${action}Result`, result) : '';
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${info.xmlns ?? ''}">${resultXml}` +
    `<ResponseMetadata><RequestId>${info.requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
  res.writeHead(200, baseHeaders(info, 'text/xml', body));
  res.end(body);
}

/** Writes an error in the protocol of the request. */
export function sendAwsError(
  res: http.ServerResponse,
  info: AwsRequestInfo,
  err: HttpError,
) {
  const code =
    err instanceof AwsError
      ? err.awsCode
      : err.code ?? defaultCode(info, err.status);
  const members = err instanceof AwsError ? err.members : {};
  if (info.protocol === 'query') {
    const type = err.status >= 500 ? 'Receiver' : 'Sender';
    const error = xmlElement('Error', {
      Type: type,
      Code: code,
      Message: err.message,
    });
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${
      info.xmlns ?? ''
    }">${error}<RequestId>${info.requestId}</RequestId></ErrorResponse>`;
    res.writeHead(err.status, baseHeaders(info, 'text/xml', body));
    res.end(body);
    return;
  }
  const body =
    info.protocol === 'json'
      ? { __type: code, message: err.message }
      : { ...members, message: err.message };
  const text = JSON.stringify(body);
  const type =
    info.protocol === 'json'
      ? 'application/x-amz-json-1.1'
      : 'application/json';
  res.writeHead(err.status, {
    ...baseHeaders(info, type, text),
    'x-amzn-errortype': code,
  });
  res.end(text);
}

function defaultCode(info: AwsRequestInfo, status: number): string {
  if (status === 429)
    return info.protocol === 'query' ? 'Throttling' : 'ThrottlingException';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalFailure';
  if (status === 404)
    return info.protocol === 'query'
      ? 'InvalidAction'
      : 'UnknownOperationException';
  if (status === 403) return 'AccessDeniedException';
  return info.protocol === 'query'
    ? 'InvalidParameterValue'
    : 'ValidationException';
}

// ---------------------------------------------------------------- requests

/** Reads awsQuery form parameters, with IAM-style validation errors. */
export class QueryParams {
  constructor(readonly params: URLSearchParams) {}

  get action(): string | undefined {
    return this.params.get('Action') ?? undefined;
  }

  /** An optional string parameter. */
  str(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** A required string parameter; missing → ValidationError. */
  req(name: string): string {
    const v = this.params.get(name);
    if (v === null || v === '') {
      throw validationError(
        `Value null at '${lowerFirst(
          name,
        )}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return v;
  }

  /** An optional integer parameter. */
  int(name: string): number | undefined {
    const v = this.params.get(name);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) {
      throw validationError(
        `Value '${v}' at '${lowerFirst(
          name,
        )}' failed to satisfy constraint: Member must be an integer`,
      );
    }
    return n;
  }

  /** A list of strings sent as `Name.member.1`, `Name.member.2`, … */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; this.params.has(`${name}.member.${i}`); i++) {
      out.push(this.params.get(`${name}.member.${i}`)!);
    }
    return out;
  }

  /** A list of structures sent as `Name.member.1.Field`, … */
  structList<K extends string>(
    name: string,
    fields: K[],
  ): Array<Record<K, string | undefined>> {
    const out: Array<Record<K, string | undefined>> = [];
    for (
      let i = 1;
      fields.some(f => this.params.has(`${name}.member.${i}.${f}`));
      i++
    ) {
      const item = {} as Record<K, string | undefined>;
      for (const f of fields)
        item[f] = this.params.get(`${name}.member.${i}.${f}`) ?? undefined;
      out.push(item);
    }
    return out;
  }
}

function lowerFirst(s: string) {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The `ValidationError` AWS's query services answer for bad input. */
export function validationError(detail: string): AwsError {
  return new AwsError(
    400,
    'ValidationError',
    `1 validation error detected: ${detail}`,
  );
}

/** A policy element that may be one item or a list, as a list. */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value ? [value] : [];
}

// ---------------------------------------------------------------- paging

/**
 * Cuts one page out of `items`. Tokens are opaque to clients (an encoded
 * offset); a token that does not decode raises `invalidToken()`.
 */
export function paginate<T>(
  items: T[],
  token: string | undefined,
  max: number | undefined,
  defaultMax: number,
  invalidToken: () => Error,
): { page: T[]; next?: string } {
  let start = 0;
  if (token) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const m = /^offset:(\d+)$/.exec(decoded);
    if (!m) throw invalidToken();
    start = Number(m[1]);
  }
  const size = max && max > 0 ? max : defaultMax;
  const page = items.slice(start, start + size);
  const end = start + page.length;
  return {
    page,
    next:
      end < items.length
        ? Buffer.from(`offset:${end}`).toString('base64url')
        : undefined,
  };
}
