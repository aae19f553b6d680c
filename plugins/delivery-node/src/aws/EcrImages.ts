import {
  DescribeImagesCommand,
  ImageDetail,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { Config } from '@backstage/config';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  assertValid,
  checkEcrRepositoryName,
  Image,
  ImageSection,
  OWNER_TAG,
  Severity,
  SEVERITIES,
} from '@internal/backstage-plugin-delivery-common';
import { AwsClients } from './AwsClients';
import { EcrRepositories } from './EcrRepositories';
import { tagMap } from './ownership';

/** An ECR repository ARN, taken apart. @public */
export interface EcrRepositoryArn {
  partition: string;
  region: string;
  accountId: string;
  repositoryName: string;
}

/** Options of {@link EcrImages.listImages}. @public */
export interface ListEcrImagesOptions {
  /** Newest images returned, 1 to 1000. */
  limit: number;
}

const ARN =
  /^arn:(aws|aws-cn|aws-us-gov):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

/** DescribeImages pages read at most (1000 images each). */
const MAX_PAGES = 20;

/** The AWS console's host for a partition and region. */
function consoleBase(partition: string, region: string): string {
  if (partition === 'aws-cn') return `https://${region}.console.amazonaws.cn`;
  if (partition === 'aws-us-gov')
    return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

function toImage(d: ImageDetail): Image | undefined {
  if (!d.imageDigest || !d.imagePushedAt) return undefined;
  const image: Image = {
    digest: d.imageDigest,
    tags: [...(d.imageTags ?? [])],
    pushedAt: d.imagePushedAt.toISOString(),
    environments: [],
  };
  if (d.imageSizeInBytes !== undefined) image.sizeBytes = d.imageSizeInBytes;
  const summary = d.imageScanFindingsSummary;
  if (d.imageScanStatus || summary) {
    const findings: Partial<Record<Severity, number>> = {};
    for (const [severity, count] of Object.entries(
      summary?.findingSeverityCounts ?? {},
    )) {
      if (SEVERITIES.includes(severity as Severity) && count !== undefined) {
        findings[severity as Severity] = count;
      }
    }
    image.scan = {
      status: d.imageScanStatus?.status ?? 'COMPLETE',
      findings,
      ...(summary?.imageScanCompletedAt
        ? { completedAt: summary.imageScanCompletedAt.toISOString() }
        : {}),
    };
  }
  return image;
}

/**
 * Reads a service's ECR repository for the delivery status: its newest
 * images with their tags and scan findings (from DescribeImages alone, no
 * per-image scan calls), and its owner tag. Every ARN is checked first: it
 * must name a repository in the configured account and region.
 *
 * @public
 */
export class EcrImages {
  readonly #clients: AwsClients;
  readonly #repositories: EcrRepositories;

  /** Builds the AWS clients from `slipway.aws` (see {@link AwsClients}). */
  static fromConfig(
    config: Config,
    options: { credentialsManager?: AwsCredentialsManager } = {},
  ): EcrImages {
    return new EcrImages(AwsClients.fromConfig(config, options));
  }

  constructor(clients: AwsClients) {
    this.#clients = clients;
    this.#repositories = new EcrRepositories(clients);
  }

  /**
   * Takes an `aws.amazon.com/aws-ecr-repository-arn` value apart. InputError
   * when it is not an ECR repository ARN, or names another partition,
   * region or account than `slipway.aws`.
   */
  parseArn(repositoryArn: string): EcrRepositoryArn {
    const m = typeof repositoryArn === 'string' && ARN.exec(repositoryArn);
    if (!m) {
      throw new InputError(
        `'${repositoryArn}' is not an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>)`,
      );
    }
    const [, partition, region, accountId, repositoryName] = m;
    assertValid(checkEcrRepositoryName(repositoryName, 'repository name'));
    const settings = this.#clients.settings;
    if (
      partition !== settings.partition ||
      region !== settings.region ||
      accountId !== settings.accountId
    ) {
      throw new InputError(
        `ECR repository ARN '${repositoryArn}' is outside the configured account ${settings.accountId} and region ${settings.region}; Slipway reads only its own account's repositories`,
      );
    }
    return { partition, region, accountId, repositoryName };
  }

  /**
   * The repository's newest images, pushed last first, with their scan
   * findings; `environments` is left empty for the caller to fill.
   * Untagged images are left out. NotFoundError when the repository does
   * not exist.
   */
  async listImages(
    repositoryArn: string,
    options: ListEcrImagesOptions,
  ): Promise<ImageSection> {
    const arn = this.parseArn(repositoryArn);
    const { limit } = options;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InputError(
        `limit must be an integer from 1 to 1000 (got ${limit})`,
      );
    }
    const details: ImageDetail[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const command = new DescribeImagesCommand({
        registryId: arn.accountId,
        repositoryName: arn.repositoryName,
        filter: { tagStatus: 'TAGGED' },
        maxResults: 1000,
        nextToken,
      });
      const res = await this.#call(arn.repositoryName, () =>
        this.#clients.ecr.send(command),
      );
      details.push(...(res.imageDetails ?? []));
      nextToken = res.nextToken;
      pages++;
    } while (nextToken && pages < MAX_PAGES);

    const images = details
      .map(toImage)
      .filter((i): i is Image => !!i)
      .sort(
        (a, b) =>
          Date.parse(b.pushedAt) - Date.parse(a.pushedAt) ||
          a.digest.localeCompare(b.digest),
      )
      .slice(0, limit);
    const { repositoryUri } = this.#repositories.expectedRef(
      arn.repositoryName,
    );
    return {
      repositoryName: arn.repositoryName,
      repositoryUri,
      url: `${consoleBase(
        arn.partition,
        arn.region,
      )}/ecr/repositories/private/${arn.accountId}/${
        arn.repositoryName
      }?region=${arn.region}`,
      images,
    };
  }

  /**
   * The repository's `slipway.io/owner` tag (`component:default/<name>`),
   * undefined when it has none. NotFoundError when the repository does not
   * exist.
   */
  async getOwnerTag(repositoryArn: string): Promise<string | undefined> {
    const arn = this.parseArn(repositoryArn);
    const res = await this.#call(arn.repositoryName, () =>
      this.#clients.ecr.send(
        new ListTagsForResourceCommand({ resourceArn: repositoryArn }),
      ),
    );
    return tagMap(res.tags)[OWNER_TAG];
  }

  /** Runs one ECR call, its failure as a @backstage/errors class. */
  async #call<T>(repositoryName: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RepositoryNotFoundException) {
        throw new NotFoundError(
          `ECR repository '${repositoryName}' does not exist in account ${
            this.#clients.settings.accountId
          } (${this.#clients.settings.region})`,
        );
      }
      throw new ServiceUnavailableError(
        `Could not read ECR repository '${repositoryName}': ${
          (e as Error)?.name ?? 'Error'
        }`,
      );
    }
  }
}
