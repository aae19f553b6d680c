/*
 * ECR registry authentication: GetAuthorizationToken, the `AWS:<password>`
 * token `docker login` (and `aws ecr get-login-password`) use. The sandbox
 * hands out a random one valid for 12 hours, like ECR.
 */

import { EcrOperation } from './ecrInput';
import { EcrRegistry } from './ecrRegistry';
import { randomString } from './protocols';

/** The registry authentication operations, by name. */
export function authOperations(
  registry: EcrRegistry,
): Record<string, EcrOperation> {
  return {
    GetAuthorizationToken() {
      const token = Buffer.from(
        `AWS:sandbox-${randomString(32, 'abcdef0123456789')}`,
      ).toString('base64');
      return {
        authorizationData: [
          {
            authorizationToken: token,
            expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600,
            proxyEndpoint: `https://${registry.registryHost()}`,
          },
        ],
      };
    },
  };
}
