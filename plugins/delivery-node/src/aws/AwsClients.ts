import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { Config } from '@backstage/config';
import {
  AwsCredentialProvider,
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { markUpstreamCall } from '../retry/failures';
import { noteRetry } from '../retry/progress';
import { readSlipwayAwsSettings, SlipwayAwsSettings } from './settings';

type SdkCredentials = AwsCredentialProvider['sdkCredentialProvider'];

/**
 * The AWS SDK v3 clients Slipway uses (ECR, IAM, EKS), built once from
 * `slipway.aws` and Backstage's AWS integration (`aws.*`).
 *
 * Credentials are resolved lazily, on the first request, so building the
 * clients at start-up never calls AWS. The SDK's default retry strategy
 * stays in place: throttling and transient errors are retried by the SDK.
 *
 * @public
 */
export class AwsClients {
  readonly settings: SlipwayAwsSettings;
  readonly ecr: ECRClient;
  readonly iam: IAMClient;
  readonly eks: EKSClient;

  static fromConfig(
    config: Config,
    options?: { credentialsManager?: AwsCredentialsManager },
  ): AwsClients {
    const settings = readSlipwayAwsSettings(config);
    const manager =
      options?.credentialsManager ??
      DefaultAwsCredentialsManager.fromConfig(config);

    // The manager proves that the main account's credentials belong to
    // accountId by asking STS; its STS client cannot be pointed at
    // `slipway.aws.endpoint`, so with an endpoint (the local sandbox) an
    // account without its own `aws.accounts` entry uses the main account.
    const hasAccountEntry = (
      config.getOptionalConfigArray('aws.accounts') ?? []
    ).some(a => a.getOptionalString('accountId') === settings.accountId);
    const lookup =
      settings.endpoint && !hasAccountEntry
        ? undefined
        : { accountId: settings.accountId };

    let provider: Promise<SdkCredentials> | undefined;
    const credentials: SdkCredentials = async identityProperties => {
      provider ??= manager
        .getCredentialProvider(lookup)
        .then(p => p.sdkCredentialProvider);
      try {
        return await (
          await provider
        )(identityProperties);
      } catch (e) {
        provider = undefined; // try again on the next request
        throw e;
      }
    };
    return new AwsClients(settings, credentials);
  }

  private constructor(
    settings: SlipwayAwsSettings,
    credentials: SdkCredentials,
  ) {
    this.settings = settings;
    const endpoint = settings.endpoint ? { endpoint: settings.endpoint } : {};
    // Provisioning outlasts throttling: adaptive retries within a budget.
    const retry = {
      maxAttempts: settings.maxAttempts,
      retryMode: 'adaptive',
    };
    this.ecr = new ECRClient({
      region: settings.region,
      credentials,
      ...retry,
      ...endpoint,
    });
    this.eks = new EKSClient({
      region: settings.region,
      credentials,
      ...retry,
      ...endpoint,
    });
    // IAM is global: its endpoint lives in us-east-1 (aws-cn: cn-north-1,
    // GovCloud: us-gov-west-1). A configured endpoint takes any region.
    const iamRegion = settings.endpoint
      ? settings.region
      : {
          aws: 'us-east-1',
          'aws-cn': 'cn-north-1',
          'aws-us-gov': 'us-gov-west-1',
        }[settings.partition] ?? 'us-east-1';
    this.iam = new IAMClient({
      region: iamRegion,
      credentials,
      ...retry,
      ...endpoint,
    });
    reportRetries(this.ecr, 'ECR', settings.maxAttempts);
    reportRetries(this.eks, 'EKS', settings.maxAttempts);
    reportRetries(this.iam, 'IAM', settings.maxAttempts);
  }
}

/** What an AWS SDK error says about itself. */
interface SdkFailure {
  name?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/**
 * Adds a progress line for each attempt of a call that fails in a way the
 * SDK retries (throttling, 5xx, no answer): the middleware sits inside the
 * SDK's retry loop, so it sees every attempt. Each failed attempt's error
 * is marked with the service and operation (markUpstreamCall), so a step
 * that fails for good can name them in one line.
 */
function reportRetries(
  client: ECRClient | EKSClient | IAMClient,
  service: string,
  maxAttempts: number,
): void {
  (client.middlewareStack as ECRClient['middlewareStack']).addRelativeTo(
    (next: any, context: any) => async (args: any) => {
      context.slipwayAttempt = (context.slipwayAttempt ?? 0) + 1;
      const attempt: number = context.slipwayAttempt;
      try {
        return await next(args);
      } catch (e) {
        const f = e as SdkFailure;
        const operation = String(context.commandName ?? 'call').replace(
          /Command$/,
          '',
        );
        // Names the call on the error, for a readable task log line; the
        // SDK's retry decision does not read it.
        markUpstreamCall(e, { upstream: `AWS ${service}`, operation });
        const status = f.$metadata?.httpStatusCode;
        const throttled =
          Boolean(f.$retryable?.throttling) || /Throttl/.test(f.name ?? '');
        const transient =
          throttled || status === undefined || status >= 500 || !!f.$retryable;
        if (transient && attempt < maxAttempts) {
          noteRetry(
            `${service} ${operation} ${throttled ? 'throttled' : 'failed'} (${
              f.name ?? status
            }), retrying ${attempt}/${maxAttempts - 1}`,
          );
        }
        throw e;
      }
    },
    {
      relation: 'after',
      toMiddleware: 'retryMiddleware',
      name: 'slipwayRetryProgress',
      override: true,
    },
  );
}
