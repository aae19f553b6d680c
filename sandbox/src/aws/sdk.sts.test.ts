/*
 * Round trips through the real AWS SDK v3 clients, pointed at the sandbox
 * with nothing but the endpoint changed: STS caller identity.
 */

import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SdkSandbox, startSdkSandbox } from './__testUtils__/sdk';

// Real protocols against the in-process sandbox; generous under CI load.
jest.setTimeout(60_000);

let sdk: SdkSandbox;
let sts: STSClient;

beforeAll(async () => {
  sdk = await startSdkSandbox();
  ({ sts } = sdk);
});

afterAll(() => sdk?.close());

describe('STS', () => {
  it('answers GetCallerIdentity', async () => {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe('123456789012');
    expect(id.Arn).toBe('arn:aws:iam::123456789012:user/slipway-sandbox');
    expect(id.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });
});
