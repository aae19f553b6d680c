/*
 * The AWS part of the sandbox: ECR, IAM, EKS and STS behind ONE HTTP
 * endpoint that the real AWS SDK v3 clients and the real `aws` CLI talk to
 * with only the endpoint changed.
 *
 * Each request is routed by the service in its SigV4 credential scope
 * (`Credential=AKID/20261123/eu-west-1/ecr/aws4_request`), its signature is
 * verified against SANDBOX_AWS_CREDENTIALS, and it is answered in that
 * service's protocol: awsJson1_1 (ECR), restJson1 (EKS) or awsQuery (IAM,
 * STS), errors and injected faults included. State lives in
 * `<dataDir>/aws.json`.
 */

import { SANDBOX_WELL_KNOWN } from '@internal/backstage-plugin-delivery-node/sandboxValues';
import http from 'node:http';
import { FaultInjector } from '../faults';
import { Ctx, Handler, HttpError, UpstreamSpec } from '../http';
import { ECR_TARGET_PREFIX, EcrService, PutImageOptions } from './ecr';
import { EksService } from './eks';
import { EnsureRoleOptions, IamService } from './iam';
import {
  AwsAccount,
  IamRole,
  openAwsState,
  PodIdentityAssociation,
} from './model';
import {
  AwsError,
  AwsProtocol,
  AwsRequestInfo,
  AwsService,
  newRequestId,
  QUERY_NAMESPACES,
  QueryParams,
  sendAwsError,
  sendAwsJson,
  sendQueryResult,
} from './protocols';
import { AwsCredentials, parseAuthorization, verifySigV4 } from './sigv4';
import { StsService } from './sts';

export type { PutImageOptions } from './ecr';
export type { EnsureRoleOptions } from './iam';
export type { AwsCredentials } from './sigv4';

/** Options of {@link createAwsUpstream}. */
export interface AwsOptions {
  /** Folder for `aws.json`, the persisted state. */
  dataDir: string;
  faults: FaultInjector;
  /** Default '123456789012'. */
  accountId?: string;
  /** Default 'eu-west-1'. ECR and EKS requests must be signed for this region. */
  region?: string;
  /** Called with unexpected (non-AWS) errors, which are answered as InternalFailure. */
  onError?: (err: unknown) => void;
}

/**
 * The only credentials the sandbox accepts. They are sandbox-only and have
 * no meaning anywhere else. (Not frozen: the AWS SDK annotates the
 * credentials object it is given.)
 */
export const SANDBOX_AWS_CREDENTIALS: AwsCredentials = {
  accessKeyId: SANDBOX_WELL_KNOWN.awsAccessKeyId,
  secretAccessKey: SANDBOX_WELL_KNOWN.awsSecretAccessKey,
};

// Verification uses private copies, so a caller changing the exported object
// cannot change what the sandbox accepts.
const SANDBOX_AWS_CREDENTIALS_ID = SANDBOX_AWS_CREDENTIALS.accessKeyId;
const SANDBOX_AWS_SECRET = SANDBOX_AWS_CREDENTIALS.secretAccessKey;

/** The AWS upstream, plus the programmatic API the rest of the sandbox uses. */
export interface AwsUpstream extends UpstreamSpec {
  readonly accountId: string;
  readonly region: string;
  /** Creates the ECR repository unless it exists (idempotent; for the seed). */
  ensureRepository(name: string, tags?: Record<string, string>): void;
  /**
   * Records an image push. Throws ImageTagAlreadyExistsException (an
   * HttpError) when an IMMUTABLE repository has the tag on another digest.
   */
  putImage(
    repositoryName: string,
    tag: string,
    opts?: PutImageOptions,
  ): { digest: string };
  hasImage(repositoryName: string, tag: string): boolean;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  repositoryUri(name: string): string;
  /**
   * Creates the EKS cluster unless it exists; returns its OIDC issuer URL
   * and its API server endpoint (as DescribeCluster gives them).
   */
  ensureCluster(name: string): { issuer: string; endpoint: string };
  /** Creates the IAM role unless a role of that name exists; returns its ARN. */
  ensureRole(
    name: string,
    assumeRolePolicy: string | object,
    options?: EnsureRoleOptions,
  ): { arn: string };
  /** A copy of the IAM role, if it exists. */
  getRole(name: string): IamRole | undefined;
  /** Copies of a cluster's pod identity associations. */
  podIdentityAssociations(clusterName: string): PodIdentityAssociation[];
}

const PROTOCOLS: Record<AwsService, AwsProtocol> = {
  ecr: 'json',
  eks: 'rest-json',
  iam: 'query',
  sts: 'query',
};

const QUERY_VERSIONS: Record<'iam' | 'sts', string> = {
  iam: '2010-05-08',
  sts: '2011-06-15',
};

function isService(s: string | undefined): s is AwsService {
  return s === 'ecr' || s === 'eks' || s === 'iam' || s === 'sts';
}

/** Creates the AWS upstream; serve it with `createUpstreamServer`. */
export function createAwsUpstream(options: AwsOptions): AwsUpstream {
  const account: AwsAccount = {
    accountId: options.accountId ?? '123456789012',
    region: options.region ?? 'eu-west-1',
  };
  const state = openAwsState(options.dataDir);
  const ecr = new EcrService(state, account);
  const iam = new IamService(state, account);
  const eks = new EksService(state, account);
  const sts = new StsService(account);
  const infos = new WeakMap<http.IncomingMessage, AwsRequestInfo>();

  const info = (req: http.IncomingMessage): AwsRequestInfo =>
    infos.get(req) ?? {
      service: undefined,
      protocol: 'json',
      requestId: newRequestId(),
    };

  const eksRouter = eks.router((ctx, body) =>
    sendAwsJson(ctx.res, info(ctx.req), body),
  );

  /** Which service a request is for when its signature does not say. */
  const guessService = async (
    req: http.IncomingMessage,
    url: URL,
    body: () => Promise<Buffer>,
  ): Promise<AwsService> => {
    if (String(req.headers['x-amz-target'] ?? '').startsWith(ECR_TARGET_PREFIX))
      return 'ecr';
    if (url.pathname.startsWith('/clusters')) return 'eks';
    const params = await queryParams(req, url, body);
    return params.str('Version') === QUERY_VERSIONS.sts ? 'sts' : 'iam';
  };

  const failWith =
    (err: () => HttpError): Handler =>
    () => {
      throw err();
    };

  const resolveEcr = async (
    req: http.IncomingMessage,
    body: () => Promise<Buffer>,
  ) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(ECR_TARGET_PREFIX)
      ? target.slice(ECR_TARGET_PREFIX.length)
      : '';
    const op = Object.hasOwn(ecr.operations, name)
      ? ecr.operations[name]
      : undefined;
    if (!op || req.method !== 'POST') {
      return {
        operation: 'ecr:UnknownOperation',
        handler: failWith(
          () =>
            new AwsError(
              400,
              'UnknownOperationException',
              `Unknown operation ${target}`,
            ),
        ),
      };
    }
    const handler: Handler = async ctx => {
      const raw = (await body()).toString('utf8');
      let input: unknown;
      try {
        input = raw.trim() ? JSON.parse(raw) : {};
      } catch {
        throw new AwsError(
          400,
          'SerializationException',
          'Start of structure or map found where not expected.',
        );
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) {
        throw new AwsError(
          400,
          'SerializationException',
          'Start of structure or map found where not expected.',
        );
      }
      sendAwsJson(ctx.res, info(ctx.req), op(input as Record<string, unknown>));
    };
    return { operation: `ecr:${name}`, handler };
  };

  const resolveQuery = async (
    service: 'iam' | 'sts',
    req: http.IncomingMessage,
    url: URL,
    body: () => Promise<Buffer>,
  ) => {
    const params = await queryParams(req, url, body);
    const action = params.action ?? '';
    const ops = service === 'iam' ? iam.operations : sts.operations;
    const op = Object.hasOwn(ops, action) ? ops[action] : undefined;
    if (!op) {
      return {
        operation: `${service}:UnknownOperation`,
        handler: failWith(
          () =>
            new AwsError(
              400,
              'InvalidAction',
              `Could not find operation ${action || '(none)'} for version ${
                QUERY_VERSIONS[service]
              }`,
            ),
        ),
      };
    }
    const handler: Handler = ctx => {
      const version = params.str('Version');
      if (version !== undefined && version !== QUERY_VERSIONS[service]) {
        throw new AwsError(
          400,
          'NoSuchVersion',
          `The requested version (${version}) of service ${service} does not exist`,
        );
      }
      sendQueryResult(ctx.res, info(ctx.req), action, op(params));
    };
    return { operation: `${service}:${action}`, handler };
  };

  const resolveEks = (req: http.IncomingMessage, url: URL) => {
    const found = eksRouter.match(req.method ?? 'GET', url.pathname);
    if (!found) {
      return {
        operation: 'eks:UnknownOperation',
        handler: failWith(
          () =>
            new AwsError(
              404,
              'UnknownOperationException',
              `No route for ${req.method} ${url.pathname}`,
            ),
        ),
      };
    }
    return found;
  };

  const authFailure = (
    i: AwsRequestInfo,
    reason: string,
    message: string,
  ): AwsError => {
    const query = i.protocol === 'query';
    switch (reason) {
      case 'missing':
        return query
          ? new AwsError(
              403,
              'MissingAuthenticationToken',
              'Request is missing Authentication Token',
            )
          : new AwsError(
              403,
              'MissingAuthenticationTokenException',
              'Missing Authentication Token',
            );
      case 'malformed':
        return new AwsError(
          400,
          query ? 'IncompleteSignature' : 'IncompleteSignatureException',
          message,
        );
      case 'unknown-key':
        return new AwsError(
          403,
          query ? 'InvalidClientTokenId' : 'UnrecognizedClientException',
          message,
        );
      default:
        return new AwsError(
          403,
          query ? 'SignatureDoesNotMatch' : 'InvalidSignatureException',
          message,
        );
    }
  };

  return {
    upstream: 'aws',
    faults: options.faults,
    accountId: account.accountId,
    region: account.region,

    async resolve(req, url, body) {
      let scoped: string | undefined;
      try {
        scoped = parseAuthorization(headerValue(req, 'authorization'))?.service;
      } catch {
        scoped = undefined; // malformed: refused in authenticate
      }
      const service = isService(scoped)
        ? scoped
        : await guessService(req, url, body);
      infos.set(req, {
        service,
        protocol: PROTOCOLS[service],
        requestId: newRequestId(),
        xmlns:
          service === 'iam' || service === 'sts'
            ? QUERY_NAMESPACES[service]
            : undefined,
      });
      if (scoped !== undefined && !isService(scoped)) {
        return {
          operation: `${
            scoped.replace(/[^a-z0-9-]/g, '').slice(0, 32) || 'unknown'
          }:UnknownService`,
          handler: failWith(
            () =>
              new AwsError(
                400,
                'UnknownService',
                `The sandbox does not emulate the '${scoped}' service.`,
              ),
          ),
        };
      }
      switch (service) {
        case 'ecr':
          return resolveEcr(req, body);
        case 'eks':
          return resolveEks(req, url);
        default:
          return resolveQuery(service, req, url, body);
      }
    },

    async authenticate(ctx: Ctx) {
      const i = info(ctx.req);
      const result = await verifySigV4(ctx.req, await ctx.body(), {
        accessKeyId: SANDBOX_AWS_CREDENTIALS_ID,
        secretAccessKey: SANDBOX_AWS_SECRET,
      });
      if (!result.ok) throw authFailure(i, result.reason, result.message);
      const regional = i.service === 'ecr' || i.service === 'eks';
      if (regional && result.auth.region !== account.region) {
        throw authFailure(
          i,
          'bad-signature',
          `Credential should be scoped to a valid region. The sandbox serves '${account.region}', not '${result.auth.region}'.`,
        );
      }
    },

    renderError(ctx, err) {
      sendAwsError(ctx.res, info(ctx.req), err);
    },

    renderFault(ctx, decision) {
      const i = info(ctx.req);
      if (decision.kind === 'throttle') {
        sendAwsError(
          ctx.res,
          i,
          new AwsError(
            400,
            i.protocol === 'query' ? 'Throttling' : 'ThrottlingException',
            'Rate exceeded',
          ),
        );
        return;
      }
      sendAwsError(
        ctx.res,
        i,
        new HttpError(
          decision.status,
          `Injected fault (HTTP ${decision.status}).`,
        ),
      );
    },

    onError: options.onError,

    ensureRepository: (name, tags) => ecr.ensureRepository(name, tags),
    putImage: (repositoryName, tag, opts) =>
      ecr.putImage(repositoryName, tag, opts),
    hasImage: (repositoryName, tag) => ecr.hasImage(repositoryName, tag),
    repositoryUri: name => ecr.repositoryUri(name),
    ensureCluster: name => eks.ensureCluster(name),
    ensureRole: (name, policy, opts) => iam.ensureRole(name, policy, opts),
    getRole: name => iam.getRole(name),
    podIdentityAssociations: clusterName =>
      eks.podIdentityAssociations(clusterName),
  };
}

function headerValue(
  req: http.IncomingMessage,
  name: string,
): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** awsQuery parameters: the form body of a POST, or the query string of a GET. */
async function queryParams(
  req: http.IncomingMessage,
  url: URL,
  body: () => Promise<Buffer>,
): Promise<QueryParams> {
  const params = new URLSearchParams(url.search);
  if (req.method === 'POST') {
    for (const [k, v] of new URLSearchParams((await body()).toString('utf8')))
      params.append(k, v);
  }
  return new QueryParams(params);
}
