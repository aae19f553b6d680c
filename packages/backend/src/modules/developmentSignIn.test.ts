import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import request from 'supertest';
import developmentSignIn, {
  DEVELOPMENT_USER_HEADER,
} from './developmentSignIn';

const user = (name: string, team: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [team] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${team}` }],
});

function claims(token: string) {
  return JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
  );
}

const started: Array<{ stop(): Promise<void> }> = [];

async function start(nodeEnv: string) {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = nodeEnv;
  try {
    const backend = await startTestBackend({
      features: [
        authPlugin,
        developmentSignIn,
        catalogServiceMock.factory({
          entities: [user('guest', 'payments-team'), user('dana', 'docs-team')],
        }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              providers: { development: { users: ['guest', 'dana'] } },
            },
          },
        }),
      ],
    });
    started.push(backend);
    return backend;
  } finally {
    process.env.NODE_ENV = previous;
  }
}

describe('development sign-in', () => {
  const env = process.env.NODE_ENV;
  afterEach(async () => {
    process.env.NODE_ENV = env;
    await Promise.all(started.splice(0).map(b => b.stop()));
  });

  it("signs in as the chosen example user, with that user's own team only", async () => {
    const { server } = await start('development');
    process.env.NODE_ENV = 'development';
    const refresh = (name?: string) => {
      const r = request(server).get('/api/auth/development/refresh');
      return name ? r.set(DEVELOPMENT_USER_HEADER, name) : r;
    };

    const dana = await refresh('dana');
    expect(dana.status).toBe(200);
    expect(claims(dana.body.backstageIdentity.token).sub).toBe(
      'user:default/dana',
    );
    expect(dana.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/dana',
      ownershipEntityRefs: ['user:default/dana', 'group:default/docs-team'],
    });

    const first = await refresh();
    expect(claims(first.body.backstageIdentity.token).sub).toBe(
      'user:default/guest',
    );

    const stranger = await refresh('pat');
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.message).toContain(
      "'pat' is not one of auth.providers.development.users",
    );
  });

  it('refuses to sign anyone in outside NODE_ENV=development', async () => {
    const { server } = await start('test');
    process.env.NODE_ENV = 'test';
    const res = await request(server)
      .get('/api/auth/development/refresh')
      .set(DEVELOPMENT_USER_HEADER, 'guest');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('NODE_ENV=development only');
  });

  it('stops the backend from starting in production while it is configured', async () => {
    await expect(start('production')).rejects.toThrow(
      'auth.providers.development is configured with NODE_ENV=production',
    );
  });
});
