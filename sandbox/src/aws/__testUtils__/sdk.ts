/*
 * Test helper for the sdk.*.test.ts files: the AWS upstream in-process (see
 * ../testServer) with one real AWS SDK v3 client per service pointed at it,
 * nothing but the endpoint changed, and `failure` for asserting on the
 * errors those clients throw.
 */

import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { SANDBOX_AWS_CREDENTIALS } from '../index';
import { removeDir, RunningAws, startAws } from '../testServer';

const region = 'eu-west-1';

/** A running AWS upstream and the SDK clients talking to it. */
export interface SdkSandbox {
  env: RunningAws;
  ecr: ECRClient;
  iam: IAMClient;
  eks: EKSClient;
  sts: STSClient;
  /** Destroys the clients, stops the upstream and removes its data folder. */
  close(): Promise<void>;
}

/** Starts the AWS upstream with a fresh data folder and makes the clients. */
export async function startSdkSandbox(): Promise<SdkSandbox> {
  const env = await startAws();
  const config = {
    endpoint: env.endpoint,
    region,
    credentials: SANDBOX_AWS_CREDENTIALS,
  };
  const ecr = new ECRClient(config);
  const iam = new IAMClient(config);
  const eks = new EKSClient(config);
  const sts = new STSClient(config);
  return {
    env,
    ecr,
    iam,
    eks,
    sts,
    async close() {
      for (const c of [ecr, iam, eks, sts]) c.destroy();
      await env.close();
      removeDir(env.dataDir);
    },
  };
}

/** Runs `fn`, expecting it to throw; returns the error. */
export async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}
