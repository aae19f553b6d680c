import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import roadieArgoCdBackend from '@roadiehq/backstage-plugin-argo-cd-backend';
import request from 'supertest';
import argocdReadOnly from './argocdReadOnly';

describe("Roadie's Argo CD backend behind the read-only module", () => {
  it('refuses create, update, sync and delete before they reach Argo CD, and lets reads through', async () => {
    const backend = await startTestBackend({
      features: [
        roadieArgoCdBackend,
        argocdReadOnly,
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
    try {
      const writes = [
        request(backend.server).post('/api/argocd/createArgo').send({}),
        request(backend.server)
          .put('/api/argocd/updateArgo/payments-api')
          .send({}),
        request(backend.server).post('/api/argocd/sync').send({}),
        request(backend.server).delete(
          '/api/argocd/argoInstance/unreachable/applications/payments-api',
        ),
      ];
      for (const res of await Promise.all(writes)) {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(/read-only in Slipway/);
      }
      // A read reaches Roadie's router (and fails there: Argo CD is unreachable).
      const read = await request(backend.server).get(
        '/api/argocd/find/name/payments-api',
      );
      expect(read.status).not.toBe(403);
      expect(JSON.stringify(read.body)).not.toMatch(/read-only in Slipway/);
    } finally {
      await backend.stop();
    }
  });
});
