import fs from 'node:fs';
import path from 'node:path';
import { ArgoCdClient } from './ArgoCdClient';

/** Argo CD v3.6's API description, as the repository keeps it. */
const swagger = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../specs/argocd-v3.6.0-swagger.json'),
    'utf8',
  ),
);

const jwt = (exp: number) =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(
    JSON.stringify({ exp }),
  ).toString('base64url')}.sig`;

function fakeArgo(
  handler: (url: URL, init: any) => { status: number; body: unknown },
) {
  const calls: Array<{ url: URL; init: any }> = [];
  const f = (async (input: any, init: any) => {
    const url = new URL(String(input));
    calls.push({ url, init });
    const { status, body } = handler(url, init);
    return new Response(JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { f, calls };
}

const instance = {
  name: 'test',
  url: 'https://argocd.invalid/',
  username: 'admin',
  password: 'the-password-42',
};

describe('ArgoCdClient', () => {
  it('reuses a JWT session until its exp, then signs in again', async () => {
    let now = 1_000_000_000_000;
    const exp = now / 1000 + 3600;
    const { f, calls } = fakeArgo(url =>
      url.pathname === '/api/v1/session'
        ? { status: 200, body: { token: jwt(exp) } }
        : { status: 200, body: { items: [] } },
    );
    const c = new ArgoCdClient({ instance, fetch: f, now: () => now });
    await Promise.all([c.listApplications(), c.listApplications()]);
    await c.listApplications({ selector: 'a=b' });
    const sessions = () =>
      calls.filter(x => x.url.pathname === '/api/v1/session').length;
    expect(sessions()).toBe(1);
    expect(calls.at(-1)!.url.searchParams.get('selector')).toBe('a=b');
    now += 3600 * 1000; // past exp - 60 s
    await c.listApplications();
    expect(sessions()).toBe(2);
  });

  it('caches a non-JWT session for the configured TTL and signs in again once on 401', async () => {
    let now = 0;
    let reject = false;
    const { f, calls } = fakeArgo(url => {
      if (url.pathname === '/api/v1/session')
        return { status: 200, body: { token: 'opaque' } };
      if (reject) {
        reject = false;
        return {
          status: 401,
          body: {
            error: 'invalid session',
            code: 16,
            message: 'invalid session',
          },
        };
      }
      return { status: 200, body: { metadata: { name: 'a' }, spec: {} } };
    });
    const c = new ArgoCdClient({
      instance,
      fetch: f,
      now: () => now,
      sessionTtlSeconds: 10,
    });
    await c.getApplication('a');
    now += 5000;
    await c.getApplication('a');
    const sessions = () =>
      calls.filter(x => x.url.pathname === '/api/v1/session').length;
    expect(sessions()).toBe(1);
    now += 6000;
    await c.getApplication('a');
    expect(sessions()).toBe(2);
    reject = true;
    await c.getApplication('a');
    expect(sessions()).toBe(3);
  });

  it.each([
    [
      404,
      {
        error: 'x',
        code: 5,
        message: 'applications.argoproj.io "a" not found',
      },
      'NotFoundError',
    ],
    [
      403,
      { error: 'permission denied', code: 7, message: 'permission denied' },
      'NotFoundError',
    ],
    [
      400,
      {
        error: 'e',
        code: 3,
        message:
          'existing application spec is different, use upsert flag to force update',
      },
      'ConflictError',
    ],
    [409, { error: 'e', code: 6, message: 'already exists' }, 'ConflictError'],
    [400, { error: 'e', code: 3, message: 'bad spec' }, 'InputError'],
    [
      503,
      { error: 'e', code: 14, message: 'unavailable' },
      'ServiceUnavailableError',
    ],
  ])('maps HTTP %s %j to %s, without secrets', async (status, body, name) => {
    const { f } = fakeArgo(url =>
      url.pathname === '/api/v1/session'
        ? { status: 200, body: { token: 'opaque' } }
        : { status, body },
    );
    const c = new ArgoCdClient({ instance, fetch: f });
    const err = await c.getApplication('a').catch(e => e);
    expect(err.name).toBe(name);
    expect(err.message).toContain("Argo CD 'test'");
    expect(JSON.stringify([err.message, err.stack])).not.toContain(
      'the-password-42',
    );
  });

  it('reports refused credentials as AuthenticationError without the password', async () => {
    const { f } = fakeArgo(() => ({
      status: 401,
      body: {
        error: 'Invalid username or password',
        code: 16,
        message: 'Invalid username or password',
      },
    }));
    const c = new ArgoCdClient({ instance, fetch: f });
    const err = await c.listApplications().catch(e => e);
    expect(err.name).toBe('AuthenticationError');
    expect(err.message).not.toContain('the-password-42');
  });

  it('aborts a request Argo CD never answers after its timeout: ServiceUnavailableError, the request signalled', async () => {
    const signals: AbortSignal[] = [];
    // Answers nothing, ever: only the abort ends the request.
    const silent = ((_input: unknown, init: { signal: AbortSignal }) => {
      signals.push(init.signal);
      return new Promise((_resolve, reject) =>
        init.signal.addEventListener('abort', () => reject(init.signal.reason)),
      );
    }) as unknown as typeof fetch;
    const c = new ArgoCdClient({
      instance: { name: 'test', url: 'https://argocd.invalid', token: 't' },
      fetch: silent,
      timeoutMs: 5,
    });
    await expect(c.getApplication('orders')).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: "Argo CD 'test' did not answer within 0.005 s",
    });
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
  });

  it('builds UI links as <url>/applications/<namespace>/<name>', () => {
    const { f } = fakeArgo(() => ({ status: 200, body: {} }));
    expect(
      new ArgoCdClient({ instance, fetch: f }).applicationUrl('orders'),
    ).toBe('https://argocd.invalid/applications/argocd/orders');
  });

  describe('live resources and resource actions', () => {
    const rollout = {
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
      namespace: 'payments',
      name: 'payments-api',
    };

    it('runs an action through RunResourceActionV2 with the body Argo CD describes, once even on 503', async () => {
      const { f, calls } = fakeArgo(url =>
        url.pathname === '/api/v1/session'
          ? { status: 200, body: { token: 'opaque' } }
          : { status: 503, body: { message: 'busy' } },
      );
      const c = new ArgoCdClient({ instance, fetch: f });
      await expect(
        c.runResourceAction('payments-api-dev', rollout, 'resume'),
      ).rejects.toThrow(/busy/);
      const sent = calls.filter(x => x.url.pathname !== '/api/v1/session');
      // A POST that changes a live object is not repeated by the client.
      expect(sent).toHaveLength(1);
      expect(sent[0].url.pathname).toBe(
        '/api/v1/applications/payments-api-dev/resource/actions/v2',
      );
      expect(sent[0].init.method).toBe('POST');
      const body = JSON.parse(sent[0].init.body);
      expect(body).toEqual({
        name: 'payments-api-dev',
        namespace: 'payments',
        resourceName: 'payments-api',
        version: 'v1alpha1',
        group: 'argoproj.io',
        kind: 'Rollout',
        action: 'resume',
      });
      const described = Object.keys(
        swagger.definitions.applicationResourceActionRunRequestV2.properties,
      );
      for (const key of Object.keys(body)) expect(described).toContain(key);
    });

    it('reads a live object from its manifest string, and says undefined when Argo CD has no such object', async () => {
      const live = { kind: 'Rollout', status: { currentStepIndex: 1 } };
      const { f, calls } = fakeArgo(url => {
        if (url.pathname === '/api/v1/session')
          return { status: 200, body: { token: 'opaque' } };
        return url.searchParams.get('resourceName') === 'payments-api'
          ? { status: 200, body: { manifest: JSON.stringify(live) } }
          : {
              status: 400,
              body: {
                code: 3,
                message:
                  'Rollout argoproj.io gone not found as part of application payments-api-dev',
              },
            };
      });
      const c = new ArgoCdClient({ instance, fetch: f });
      expect(await c.getResource('payments-api-dev', rollout)).toEqual(live);
      expect(
        await c.getResource('payments-api-dev', { ...rollout, name: 'gone' }),
      ).toBeUndefined();
      const query = Object.fromEntries(calls.at(-2)!.url.searchParams);
      expect(query).toEqual({
        namespace: 'payments',
        resourceName: 'payments-api',
        version: 'v1alpha1',
        group: 'argoproj.io',
        kind: 'Rollout',
      });
      const params = swagger.paths[
        '/api/v1/applications/{name}/resource'
      ].get.parameters.map((p: { name: string }) => p.name);
      for (const key of Object.keys(query)) expect(params).toContain(key);
    });
  });
});
