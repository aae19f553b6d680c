import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { mockApis, registerMswTestHooks } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { sampleEntityRef, sampleStatus } from '../__testUtils__/status';
import { DeliveryClient } from './DeliveryClient';

const BASE = 'http://backstage.test/api/delivery';

describe('DeliveryClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new DeliveryClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage.test' }),
    fetchApi: mockApis.fetch(),
  });

  it('reads the status of one entity with its ref in the query', async () => {
    const status = sampleStatus();
    let query: string | null = null;
    server.use(
      http.get(`${BASE}/status`, ({ request }) => {
        query = new URL(request.url).searchParams.get('entityRef');
        return HttpResponse.json(status);
      }),
    );

    await expect(client.getStatus(sampleEntityRef)).resolves.toEqual(status);
    expect(query).toBe('component:default/payments-api');
  });

  it('posts rollback and promote requests as JSON', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(`${BASE}/rollback`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({
          commitSha: 'c0ffee',
          environment: 'dev',
          toTag: '9e8d7c6-40',
        });
      }),
      http.post(`${BASE}/promote`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({
          commitSha: 'beef',
          environment: 'staging',
          toTag: '3f2a1bc-42',
        });
      }),
    );

    await expect(
      client.rollback({ entityRef: sampleEntityRef, environment: 'dev' }),
    ).resolves.toMatchObject({ commitSha: 'c0ffee' });
    await expect(
      client.promote({
        entityRef: sampleEntityRef,
        from: 'dev',
        to: 'staging',
      }),
    ).resolves.toMatchObject({ commitSha: 'beef' });
    expect(bodies).toEqual([
      { entityRef: sampleEntityRef, environment: 'dev' },
      { entityRef: sampleEntityRef, from: 'dev', to: 'staging' },
    ]);
  });

  it('posts a rollout action as JSON to /rollout', async () => {
    let body: unknown;
    server.use(
      http.post(`${BASE}/rollout`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({
          entityRef: sampleEntityRef,
          environment: 'staging',
          action: 'resume',
          rollout: 'payments-api',
        });
      }),
    );

    await expect(
      client.rolloutAction({
        entityRef: sampleEntityRef,
        environment: 'staging',
        action: 'resume',
      }),
    ).resolves.toEqual({
      entityRef: sampleEntityRef,
      environment: 'staging',
      action: 'resume',
      rollout: 'payments-api',
    });
    expect(body).toEqual({
      entityRef: sampleEntityRef,
      environment: 'staging',
      action: 'resume',
    });
  });

  it("throws a ResponseError with Argo CD's refusal when the rollout action is not offered now", async () => {
    server.use(
      http.post(`${BASE}/rollout`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message:
                'Argo CD does not offer promote-full on Rollout payments-api in staging now',
            },
            request: { method: 'POST', url: '/api/delivery/rollout' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );

    const error = await client
      .rolloutAction({
        entityRef: sampleEntityRef,
        environment: 'staging',
        action: 'promote-full',
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error.message).toMatch(/does not offer promote-full/);
  });

  it('throws a ResponseError carrying the backend error when refused', async () => {
    server.use(
      http.post(`${BASE}/rollback`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message:
                'Not allowed: delivery.rollback on component:default/payments-api',
            },
            request: { method: 'POST', url: '/api/delivery/rollback' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );

    const error = await client
      .rollback({ entityRef: sampleEntityRef, environment: 'prod' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.name).toBe('NotAllowedError');
  });
});
