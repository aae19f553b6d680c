import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import roadieArgoCdBackend from '@roadiehq/backstage-plugin-argo-cd-backend';
import request from 'supertest';
import argocdReadOnly, { readOf } from './argocdReadOnly';

const service = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations: { 'argocd/app-name': name } },
  spec: { type: 'service', owner: 'group:payments-team' },
});

/*
 * Roadie's Argo CD backend behind Slipway's module, with a catalog in which
 * guest may see payments-api and dana may not (as a catalog read policy
 * would decide): the module must ask the catalog with the caller's
 * credentials. Argo CD itself is unreachable, so a read that gets through
 * fails in Roadie's router, never with the module's messages.
 */
async function start() {
  const visible: Record<string, string[]> = {
    'user:default/guest': ['payments-api'],
    'user:default/dana': [],
  };
  const catalog = catalogServiceMock.mock({
    getEntities: jest.fn(async (req: any, { credentials }: any) => {
      const name = Object.values(req.filter)[0] as string;
      const user = credentials.principal.userEntityRef as string;
      return {
        items: (visible[user] ?? []).includes(name) ? [service(name)] : [],
      };
    }),
  });
  const backend = await startTestBackend({
    features: [
      roadieArgoCdBackend,
      argocdReadOnly,
      catalog.factory,
      // A request without a token is nobody (the test default is a user).
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: {
          argocd: {
            appLocatorMethods: [
              {
                type: 'config',
                instances: [
                  {
                    name: 'unreachable',
                    url: 'http://127.0.0.1:9',
                    username: 'admin',
                    password: 'test-only-password',
                  },
                ],
              },
            ],
          },
        },
      }),
    ],
  });
  return { backend, catalog };
}

const as = (user: string) => ({
  Authorization: mockCredentials.user.header(`user:default/${user}`),
});

describe("Roadie's Argo CD backend behind Slipway's module", () => {
  it('refuses create, update, sync and delete before they reach Argo CD', async () => {
    const { backend } = await start();
    try {
      const server = backend.server;
      const writes = [
        request(server)
          .post('/api/argocd/createArgo')
          .set(as('guest'))
          .send({}),
        request(server)
          .put('/api/argocd/updateArgo/payments-api')
          .set(as('guest'))
          .send({}),
        request(server).post('/api/argocd/sync').set(as('guest')).send({}),
        request(server)
          .delete(
            '/api/argocd/argoInstance/unreachable/applications/payments-api',
          )
          .set(as('guest')),
      ];
      for (const res of await Promise.all(writes)) {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(/read-only in Slipway/);
      }
    } finally {
      await backend.stop();
    }
  });

  it('answers only applications of entities the caller may see', async () => {
    const { backend, catalog } = await start();
    try {
      const read = (path: string, user: string) =>
        request(backend.server).get(`/api/argocd${path}`).set(as(user));

      // guest sees payments-api: the read reaches Roadie's router.
      const mine = await read('/find/name/payments-api', 'guest');
      expect(JSON.stringify(mine.body)).not.toMatch(
        /No catalog entity|not served|read-only/,
      );
      expect(catalog.getEntities).toHaveBeenCalledWith(
        expect.objectContaining({
          filter: { 'metadata.annotations.argocd/app-name': 'payments-api' },
        }),
        {
          credentials: expect.objectContaining({
            principal: expect.objectContaining({
              userEntityRef: 'user:default/guest',
            }),
          }),
        },
      );

      // dana does not: 404 before Argo CD is asked.
      for (const path of [
        '/find/name/payments-api',
        '/argoInstance/unreachable/applications/name/payments-api',
        '/argoInstance/unreachable/applications/name/payments-api/revisions/3f786850e387550fdab836ed7e6dc881de23001b/metadata',
      ]) {
        const other = await read(path, 'dana');
        expect(other.status).toBe(404);
        expect(other.body.error.message).toBe(
          'No catalog entity you may see deploys the Argo CD application payments-api',
        );
      }

      // Every application of an instance, or a repository's source: refused.
      for (const path of [
        '/allArgoApps/unreachable',
        '/argoInstance/unreachable/repo/helm-charts/source/charts',
      ]) {
        const all = await read(path, 'guest');
        expect(all.status).toBe(403);
        expect(all.body.error.message).toMatch(/not served/);
      }

      // Without a user, nothing.
      const anonymous = await request(backend.server).get(
        '/api/argocd/find/name/payments-api',
      );
      expect(anonymous.status).toBe(401);
    } finally {
      await backend.stop();
    }
  });

  it.each([
    [
      'an encoded /.. in the name',
      '/find/name/payments-api%2F..%2F..%2Fsettings',
    ],
    ['an encoded .. as the name', '/find/name/%2E%2E'],
    ['a name with a ?', '/find/name/payments-api%3Fx%3D1'],
    [
      'an encoded / in the revision',
      '/argoInstance/main/applications/name/payments-api/revisions/a%2F..%2Fb/metadata',
    ],
  ])('refuses %s: a name cannot leave the application path', (_, path) => {
    expect(() => readOf(path)).toThrow(
      'Argo CD application, instance and revision names hold only letters, digits, . and -',
    );
  });

  it('reads the routes the cards use', () => {
    expect(readOf('/find/name/payments-api')).toEqual({
      kind: 'name',
      app: 'payments-api',
    });
    expect(
      readOf('/argoInstance/main/applications/selector/app%3Dpayments-api'),
    ).toEqual({ kind: 'selector', app: 'app=payments-api' });
  });
});
