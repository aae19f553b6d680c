import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  serviceComponent,
  testServiceAccess,
} from '@internal/backstage-plugin-delivery-node/testUtils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { parse } from 'yaml';
import { ResponseError } from '@backstage/errors';
import {
  createCatalogRegisterAction,
  transientReadFailure,
} from './catalogRegister';
import { examples } from './catalogRegister.examples';

const REPO = 'http://127.0.0.1:7071/slipway-demo/orders/blob/main';
// As GitHub's integration resolves the file (what the catalog then names).
const TARGET =
  'http://127.0.0.1:7071/slipway-demo/orders/tree/main/catalog-info.yaml';
const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [
        { host: '127.0.0.1:7071', apiBaseUrl: 'http://127.0.0.1:7071/api/v3' },
      ],
    },
  }),
);
const input = {
  repoContentsUrl: REPO,
  catalogInfoPath: '/catalog-info.yaml',
  name: 'orders',
  owner: 'group:default/payments-team',
};

/** The Location entity the catalog's dry run returns for the target. */
const locationEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Location',
  metadata: { name: 'generated-1', namespace: 'default' },
  spec: { type: 'url', target: TARGET },
};

/*
 * The catalog's dry run returns what the file holds; the policy is
 * Slipway's own (guest in payments-team, dana in docs-team).
 */
function setup(fileHolds: Entity[], existing: Entity[] = [], exists = false) {
  const base = catalogServiceMock({ entities: existing });
  const catalog = catalogServiceMock.mock({
    getEntityByRef: jest.fn((ref, o) => base.getEntityByRef(ref, o!)),
    addLocation: jest.fn(
      async (req: { dryRun?: boolean }): Promise<any> => ({
        location: { id: 'loc', type: 'url', target: TARGET },
        entities: req.dryRun ? [locationEntity, ...fileHolds] : [],
        exists,
      }),
    ),
  });
  const { access, auditor } = testServiceAccess();
  const action = createCatalogRegisterAction({
    catalog,
    access,
    auth: mockServices.auth(),
    integrations,
  });
  const registered = () =>
    (catalog.addLocation as jest.Mock).mock.calls.filter(
      ([req]) => !req.dryRun,
    );
  return { catalog, action, auditor, registered };
}

const ctx = (values: typeof input, user = 'user:default/guest') =>
  ({
    ...createMockActionContext({ input: values }),
    getInitiatorCredentials: async () => mockCredentials.user(user),
  } as any);

const orders = serviceComponent('component:default/orders', 'payments-team');

describe('slipway:catalog:register', () => {
  it("registers exactly the new Component for its owner team's member, with the scaffolder's credentials", async () => {
    const { catalog, action, registered } = setup([orders]);
    const c = ctx(input);
    await action.handler(c);
    expect(registered()).toEqual([
      [
        { type: 'url', target: TARGET },
        {
          credentials: expect.objectContaining({
            principal: expect.objectContaining({ type: 'service' }),
          }),
        },
      ],
    ]);
    expect(c.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/orders',
    );
    expect(catalog.addLocation).toHaveBeenCalledTimes(2);
  });

  it("tries again while the catalog's read of the file fails in passing, a progress line each, and not for a lasting refusal", async () => {
    /** The catalog's answer when its GitHub read failed (it does not retry). */
    const readFailed = (why: string) =>
      ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'InputError',
              message: `Unable to read url, ${why}`,
            },
            request: { method: 'POST', url: '/locations' },
            response: { statusCode: 400 },
          }),
          {
            status: 400,
            statusText: 'Bad Request',
            headers: { 'content-type': 'application/json' },
          },
        ),
      );
    const passing = await readFailed(
      `Error: Request failed for ${TARGET}, 503 Service Unavailable`,
    );
    expect(transientReadFailure(passing)).toBe('503');
    const { catalog, action, registered } = setup([orders]);
    const answer = (catalog.addLocation as jest.Mock).getMockImplementation()!;
    (catalog.addLocation as jest.Mock)
      .mockRejectedValueOnce(passing)
      .mockRejectedValueOnce(passing)
      .mockImplementation(answer);
    const c = ctx(input);
    const info = jest.spyOn(c.logger, 'info');
    await action.handler(c);
    expect(registered()).toHaveLength(1);
    const lines = info.mock.calls
      .map(([m]) => String(m))
      .filter(m => m.startsWith('The catalog could not read'));
    expect(lines).toEqual([
      `The catalog could not read ${TARGET} (503), retrying 1/4`,
      `The catalog could not read ${TARGET} (503), retrying 2/4`,
    ]);

    // A file that is not there does not appear by asking again.
    const missing = await readFailed(`NotFoundError: ${TARGET} not found`);
    expect(transientReadFailure(missing)).toBeUndefined();
    const second = setup([orders]);
    (second.catalog.addLocation as jest.Mock).mockRejectedValue(missing);
    await expect(second.action.handler(ctx(input))).rejects.toThrow();
    expect(second.catalog.addLocation).toHaveBeenCalledTimes(1);
  });

  it("refuses another team's member before reading the file, audited", async () => {
    const { catalog, action, auditor } = setup([orders]);
    await expect(
      action.handler(ctx(input, 'user:default/dana')),
    ).rejects.toThrow(
      'user:default/dana may not slipway.service.create on group:default/payments-team: only its owners (or a platform group) may',
    );
    expect(catalog.addLocation).not.toHaveBeenCalled();
    expect(auditor.events.at(-1)).toMatchObject({
      eventId: 'create-authorization',
      outcome: 'failure',
    });
  });

  it.each([
    [
      'another entity besides the Component',
      [orders, serviceComponent('component:default/billing', 'payments-team')],
      /holds component:default\/billing; only component:default\/orders may be registered/,
    ],
    [
      'a Template',
      [
        orders,
        {
          apiVersion: 'scaffolder.backstage.io/v1beta3',
          kind: 'Template',
          metadata: { name: 'evil', namespace: 'default' },
          spec: {},
        },
      ],
      /holds template:default\/evil/,
    ],
    [
      'the Component owned by another team',
      [serviceComponent('component:default/orders', 'docs-team')],
      /declares owner group:docs-team, not group:default\/payments-team/,
    ],
    [
      'nothing the wizard created',
      [],
      /does not define component:default\/orders/,
    ],
  ])(
    'refuses a file holding %s, registering nothing',
    async (_, holds, message) => {
      const { action, registered } = setup(holds as Entity[]);
      await expect(action.handler(ctx(input))).rejects.toThrow(message);
      expect(registered()).toEqual([]);
    },
  );

  it('refuses a second definition of an entity another Location holds', async () => {
    const taken = serviceComponent(
      'component:default/orders',
      'payments-team',
      {
        'backstage.io/managed-by-location':
          'url:https://elsewhere/catalog-info.yaml',
      },
    );
    const { action, registered } = setup([orders], [taken]);
    await expect(action.handler(ctx(input))).rejects.toThrow(
      /already exists in the catalog \(from url:https:\/\/elsewhere/,
    );
    expect(registered()).toEqual([]);
  });

  it('a Retry finds its Location registered and succeeds without registering twice', async () => {
    const mine = serviceComponent('component:default/orders', 'payments-team', {
      'backstage.io/managed-by-location': `url:${TARGET}`,
    });
    const { action, registered } = setup([orders], [mine], true);
    const c = ctx(input);
    await action.handler(c);
    expect(registered()).toEqual([]);
    expect(c.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/orders',
    );
  });

  it('refuses a path leaving the repository, a bad name and an unknown host before any call', async () => {
    const { catalog, action } = setup([orders]);
    await expect(
      action.handler(
        ctx({ ...input, repoContentsUrl: 'https://gitlab.example.com/a/b' }),
      ),
    ).rejects.toThrow(/no integration is configured/);
    await expect(
      action.handler(ctx({ ...input, catalogInfoPath: '/../x.yaml' })),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      action.handler(ctx({ ...input, name: 'Orders' })),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(catalog.addLocation).not.toHaveBeenCalled();
  });

  it("dry run decides who asks, reads nothing (publish:github's dry-run output is a placeholder)", async () => {
    const { catalog, action } = setup([orders]);
    const dry = (user?: string) => ({
      ...ctx({ ...input, repoContentsUrl: 'string' }, user),
      isDryRun: true,
    });
    const c = dry();
    await action.handler(c);
    expect(c.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/orders',
    );
    await expect(
      action.handler(dry('user:default/dana')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(catalog.addLocation).not.toHaveBeenCalled();
  });

  it('its example names the inputs the action takes', () => {
    const step = parse(examples[0].example).steps[0];
    expect(step.action).toBe('slipway:catalog:register');
    expect(Object.keys(step.input).sort()).toEqual(Object.keys(input).sort());
  });
});
