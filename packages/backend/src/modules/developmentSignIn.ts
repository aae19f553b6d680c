import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The request header naming who signs in. */
export const DEVELOPMENT_USER_HEADER = 'x-slipway-development-user';

const USER_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/** `auth.providers.development.users`: the example users one may be. */
function readUsers(config: Config): string[] {
  const users = config.getStringArray('users');
  const bad = users.filter(u => !USER_NAME.test(u));
  if (!users.length || bad.length) {
    throw new InputError(
      `auth.providers.development.users must name one or more User entities of the default namespace (got ${JSON.stringify(
        users,
      )})`,
    );
  }
  return users;
}

/**
 * Signs in as the user the request's header names, one of
 * `auth.providers.development.users` (the first when the header is absent).
 * Works with NODE_ENV=development only.
 */
export const developmentAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async (result: { name: string }) => ({
    profile: { displayName: result.name },
  }),
  initialize({ config }) {
    return {
      users: readUsers(config),
      enabled: process.env.NODE_ENV === 'development',
    };
  },
  async authenticate({ req }, { users, enabled }) {
    if (!enabled) {
      throw new NotAllowedError(
        'The development sign-in works with NODE_ENV=development only',
      );
    }
    const name = req.header(DEVELOPMENT_USER_HEADER) ?? users[0];
    if (!users.includes(name)) {
      throw new NotAllowedError(
        `'${name}' is not one of auth.providers.development.users (${users.join(
          ', ',
        )})`,
      );
    }
    return { result: { name } };
  },
});

/**
 * Development sign-in as any of the example users (auth provider
 * `development`), so a developer or an end-to-end test can be a member of
 * one team or another and see what Slipway allows each. The user must exist
 * in the catalog; the token carries its real group memberships.
 *
 * Never in production: configured in app-config.yaml only
 * (app-config.production.yaml removes it), the authenticator refuses any
 * NODE_ENV but development, and the backend refuses to start with
 * NODE_ENV=production while the provider is configured.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'slipway-development-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        const configured = config.getOptionalConfig(
          'auth.providers.development',
        );
        if (configured && process.env.NODE_ENV === 'production') {
          throw new Error(
            'auth.providers.development is configured with NODE_ENV=production; it lets anyone sign in as any listed user. Remove it (app-config.production.yaml sets it to null).',
          );
        }
        providers.registerProvider({
          providerId: 'development',
          factory: createProxyAuthProviderFactory({
            authenticator: developmentAuthenticator,
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: `user:default/${result.name}`,
              });
            },
          }),
        });
      },
    });
  },
});
