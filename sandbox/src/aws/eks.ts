/*
 * Amazon EKS (restJson1): clusters with an OIDC issuer (created by the seed,
 * read through DescribeCluster / ListClusters) and EKS Pod Identity
 * associations.
 */

import crypto from 'node:crypto';
import { Ctx, Router } from '../http';
import { StateFile } from '../state';
import {
  AwsAccount,
  AwsState,
  EksCluster,
  PodIdentityAssociation,
} from './model';
import {
  AwsError,
  epochSeconds,
  LOWER_ALNUM,
  paginate,
  randomString,
} from './protocols';

const ROLE_ARN =
  /^arn:aws:iam::\d{12}:role\/(?:[\u0021-\u007E]*\/)?[\w+=,.@-]{1,64}$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Writes a successful JSON response for the current request. */
export type EksSend = (ctx: Ctx, body: unknown) => void;

function invalid(message: string, members: Record<string, string> = {}) {
  return new AwsError(400, 'InvalidParameterException', message, members);
}

/** Emulated EKS of one account and region. */
export class EksService {
  readonly #state: StateFile<AwsState>;
  readonly #account: AwsAccount;

  constructor(state: StateFile<AwsState>, account: AwsAccount) {
    this.#state = state;
    this.#account = account;
  }

  /** Routes of the EKS REST API; `send` writes the JSON body. */
  router(send: EksSend): Router {
    const r = new Router();
    const base = '/clusters/:name/pod-identity-associations';
    r.add('GET', '/clusters', 'eks:ListClusters', ctx =>
      send(ctx, this.#listClusters(ctx)),
    );
    r.add('GET', '/clusters/:name', 'eks:DescribeCluster', ctx =>
      send(ctx, { cluster: this.#clusterJson(this.#cluster(ctx.params.name)) }),
    );
    r.add('POST', base, 'eks:CreatePodIdentityAssociation', async ctx =>
      send(ctx, this.#create(ctx.params.name, await ctx.json())),
    );
    r.add('GET', base, 'eks:ListPodIdentityAssociations', ctx =>
      send(ctx, this.#list(ctx)),
    );
    r.add('GET', `${base}/:id`, 'eks:DescribePodIdentityAssociation', ctx =>
      send(ctx, {
        association: this.#associationJson(
          this.#association(ctx.params.name, ctx.params.id),
        ),
      }),
    );
    r.add(
      'POST',
      `${base}/:id`,
      'eks:UpdatePodIdentityAssociation',
      async ctx =>
        send(
          ctx,
          this.#update(ctx.params.name, ctx.params.id, await ctx.json()),
        ),
    );
    r.add('DELETE', `${base}/:id`, 'eks:DeletePodIdentityAssociation', ctx => {
      const assoc = this.#association(ctx.params.name, ctx.params.id);
      this.#state.update(d => {
        delete d.eks.associations[assoc.id];
      });
      send(ctx, { association: this.#associationJson(assoc) });
    });
    return r;
  }

  /**
   * Creates the cluster unless it exists (each with its own OIDC issuer and
   * API server endpoint); returns the issuer URL and the endpoint that
   * DescribeCluster answers.
   */
  ensureCluster(name: string): { issuer: string; endpoint: string } {
    if (!/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(name)) {
      throw invalid(`The cluster name ${name} is not valid.`);
    }
    const cluster = this.#state.update(d => {
      d.eks.clusters[name] ??= {
        name,
        createdAt: new Date().toISOString(),
        version: '1.31',
        oidcId: crypto.randomBytes(16).toString('hex').toUpperCase(),
        endpointId: crypto.randomBytes(16).toString('hex').toUpperCase(),
        certificateData: Buffer.from(
          `-----BEGIN CERTIFICATE-----\nslipway-sandbox-${name}\n-----END CERTIFICATE-----\n`,
        ).toString('base64'),
      };
      return d.eks.clusters[name];
    });
    return { issuer: this.#issuer(cluster), endpoint: this.#endpoint(cluster) };
  }

  /** The pod identity associations of a cluster (copies). */
  podIdentityAssociations(clusterName: string): PodIdentityAssociation[] {
    return Object.values(this.#state.data.eks.associations)
      .filter(a => a.clusterName === clusterName)
      .map(a => structuredClone(a));
  }

  #issuer(cluster: EksCluster) {
    return `https://oidc.eks.${this.#account.region}.amazonaws.com/id/${
      cluster.oidcId
    }`;
  }

  /** The Kubernetes API server URL, as EKS gives it. */
  #endpoint(cluster: EksCluster) {
    return `https://${cluster.endpointId}.gr7.${
      this.#account.region
    }.eks.amazonaws.com`;
  }

  #cluster(name: string): EksCluster {
    const cluster = this.#state.data.eks.clusters[name];
    if (!cluster) {
      throw new AwsError(
        404,
        'ResourceNotFoundException',
        `No cluster found for name: ${name}.`,
        {
          clusterName: name,
        },
      );
    }
    return cluster;
  }

  #clusterJson(c: EksCluster) {
    const { accountId, region } = this.#account;
    return {
      name: c.name,
      arn: `arn:aws:eks:${region}:${accountId}:cluster/${c.name}`,
      createdAt: epochSeconds(c.createdAt),
      version: c.version,
      endpoint: this.#endpoint(c),
      roleArn: `arn:aws:iam::${accountId}:role/eks-cluster-${c.name}`,
      resourcesVpcConfig: {
        subnetIds: [],
        securityGroupIds: [],
        vpcId: 'vpc-0sandbox',
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
        publicAccessCidrs: ['0.0.0.0/0'],
      },
      kubernetesNetworkConfig: {
        serviceIpv4Cidr: '172.20.0.0/16',
        ipFamily: 'ipv4',
      },
      identity: { oidc: { issuer: this.#issuer(c) } },
      status: 'ACTIVE',
      certificateAuthority: { data: c.certificateData },
      platformVersion: 'eks.1',
      tags: {},
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    };
  }

  #listClusters(ctx: Ctx) {
    const names = Object.keys(this.#state.data.eks.clusters).sort();
    const { page, next } = paginate(
      names,
      ctx.url.searchParams.get('nextToken') ?? undefined,
      maxResults(ctx),
      100,
      () => invalid('The nextToken is not valid.'),
    );
    return { clusters: page, nextToken: next };
  }

  #associationArn(a: PodIdentityAssociation) {
    return `arn:aws:eks:${this.#account.region}:${
      this.#account.accountId
    }:podidentityassociation/${a.clusterName}/${a.id}`;
  }

  #associationJson(a: PodIdentityAssociation) {
    return {
      clusterName: a.clusterName,
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      roleArn: a.roleArn,
      associationArn: this.#associationArn(a),
      associationId: a.id,
      tags: { ...a.tags },
      createdAt: epochSeconds(a.createdAt),
      modifiedAt: epochSeconds(a.modifiedAt),
      disableSessionTags: false,
    };
  }

  #association(clusterName: string, id: string): PodIdentityAssociation {
    this.#cluster(clusterName);
    const a = this.#state.data.eks.associations[id];
    if (!a || a.clusterName !== clusterName) {
      throw new AwsError(
        404,
        'ResourceNotFoundException',
        `No Pod Identity Association found for id: ${id}.`,
        {
          clusterName,
        },
      );
    }
    return a;
  }

  #create(clusterName: string, input: Record<string, unknown>) {
    this.#cluster(clusterName);
    const namespace = input.namespace;
    const serviceAccount = input.serviceAccount;
    const roleArn = input.roleArn;
    const tags = input.tags ?? {};
    if (typeof namespace !== 'string' || !K8S_NAME.test(namespace)) {
      throw invalid('namespace must be a valid Kubernetes namespace name.', {
        clusterName,
      });
    }
    if (typeof serviceAccount !== 'string' || !K8S_NAME.test(serviceAccount)) {
      throw invalid(
        'serviceAccount must be a valid Kubernetes service account name.',
        { clusterName },
      );
    }
    if (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn)) {
      throw invalid(`Role ARN ${String(roleArn)} is not valid.`, {
        clusterName,
      });
    }
    if (
      typeof tags !== 'object' ||
      Array.isArray(tags) ||
      Object.values(tags as object).some(v => typeof v !== 'string')
    ) {
      throw invalid('tags must be a map of strings.', { clusterName });
    }
    const clash = Object.values(this.#state.data.eks.associations).find(
      a =>
        a.clusterName === clusterName &&
        a.namespace === namespace &&
        a.serviceAccount === serviceAccount,
    );
    if (clash) {
      throw new AwsError(
        409,
        'ResourceInUseException',
        `Association already exists: ${clash.id}`,
        {
          clusterName,
        },
      );
    }
    const now = new Date().toISOString();
    const assoc: PodIdentityAssociation = {
      id: `a-${randomString(17, LOWER_ALNUM)}`,
      clusterName,
      namespace,
      serviceAccount,
      roleArn,
      tags: { ...(tags as Record<string, string>) },
      createdAt: now,
      modifiedAt: now,
    };
    this.#state.update(d => {
      d.eks.associations[assoc.id] = assoc;
    });
    return { association: this.#associationJson(assoc) };
  }

  #update(clusterName: string, id: string, input: Record<string, unknown>) {
    const assoc = this.#association(clusterName, id);
    const roleArn = input.roleArn;
    if (
      roleArn !== undefined &&
      (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn))
    ) {
      throw invalid(`Role ARN ${String(roleArn)} is not valid.`, {
        clusterName,
      });
    }
    this.#state.update(() => {
      if (typeof roleArn === 'string') assoc.roleArn = roleArn;
      assoc.modifiedAt = new Date().toISOString();
    });
    return { association: this.#associationJson(assoc) };
  }

  #list(ctx: Ctx) {
    const clusterName = ctx.params.name;
    this.#cluster(clusterName);
    const ns = ctx.url.searchParams.get('namespace');
    const sa = ctx.url.searchParams.get('serviceAccount');
    const all = Object.values(this.#state.data.eks.associations)
      .filter(
        a =>
          a.clusterName === clusterName &&
          (!ns || a.namespace === ns) &&
          (!sa || a.serviceAccount === sa),
      )
      .sort(
        (a, b) =>
          a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
      );
    const { page, next } = paginate(
      all,
      ctx.url.searchParams.get('nextToken') ?? undefined,
      maxResults(ctx),
      100,
      () => invalid('The nextToken is not valid.', { clusterName }),
    );
    return {
      associations: page.map(a => ({
        clusterName: a.clusterName,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        associationArn: this.#associationArn(a),
        associationId: a.id,
      })),
      nextToken: next,
    };
  }
}

function maxResults(ctx: Ctx): number | undefined {
  const raw = ctx.url.searchParams.get('maxResults');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw invalid('maxResults must be between 1 and 100.');
  }
  return n;
}
