/*
 * AWS STS (awsQuery, Version 2011-06-15): GetCallerIdentity for the one
 * sandbox user whose access key signs every request.
 */

import { AwsAccount } from './model';
import { QueryParams, XmlValue } from './protocols';

/** The IAM user the sandbox credentials belong to. */
export const SANDBOX_USER_NAME = 'slipway-sandbox';

/** Its unique id (`AIDA` + 17 characters, like a real IAM user id). */
export const SANDBOX_USER_ID = 'AIDASLIPWAYSANDBOXUSR';

/** Emulated STS of one account. */
export class StsService {
  readonly #account: AwsAccount;

  constructor(account: AwsAccount) {
    this.#account = account;
  }

  /** The actions, by name. */
  readonly operations: Record<
    string,
    (p: QueryParams) => Record<string, XmlValue> | undefined
  > = {
    GetCallerIdentity: () => ({
      UserId: SANDBOX_USER_ID,
      Account: this.#account.accountId,
      Arn: `arn:aws:iam::${this.#account.accountId}:user/${SANDBOX_USER_NAME}`,
    }),
  };
}
