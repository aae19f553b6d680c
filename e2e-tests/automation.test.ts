import crypto from 'node:crypto';
import { expect, test } from '@playwright/test';
import { signInAs } from './support';

/*
 * Automation acting as a user: a client (here `backstage-cli`'s, as `auth
 * login` registers it) asks the portal for authorization; the signed-in
 * user approves it on the portal's consent page; the client's token then
 * reads a service's delivery status through the actions registry, as
 * `backstage-cli actions execute` and MCP clients do.
 */

const BACKEND = 'http://localhost:7007';
const CLIENT_ID = `${BACKEND}/api/auth/.well-known/oauth-client/cli.json`;
const CALLBACK = 'http://127.0.0.1:8055/callback';

test.setTimeout(180_000);

test('a user approves the CLI on the consent page, and its token reads a delivery status as that user', async ({
  page,
  request,
}) => {
  await signInAs(page);

  // The CLI's own callback server is not running here: the test answers it.
  let callback: URL | undefined;
  await page.route(`${CALLBACK}**`, route => {
    callback = new URL(route.request().url());
    return route.fulfill({ body: 'You may now close this window.' });
  });

  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto
    .createHash('sha256')
    .update(verifier)
    .digest('base64url');
  const state = crypto.randomBytes(16).toString('hex');
  const authorize = new URL(`${BACKEND}/api/auth/v1/authorize`);
  for (const [k, v] of Object.entries({
    client_id: CLIENT_ID,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'openid offline_access',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(k, v);
  }
  await page.goto(authorize.href);

  // The consent page names the client and where it sends the user back.
  await expect(page).toHaveURL(/\/oauth2\/authorize\//);
  await expect(page.getByText('Backstage CLI').first()).toBeVisible();
  await expect(page.getByText(CALLBACK)).toBeVisible();
  await page.getByRole('button', { name: 'Authorize' }).click();
  await expect.poll(() => callback?.searchParams.get('state')).toBe(state);

  const token = await request.post(`${BACKEND}/api/auth/v1/token`, {
    form: {
      grant_type: 'authorization_code',
      code: callback!.searchParams.get('code')!,
      redirect_uri: CALLBACK,
      client_id: CLIENT_ID,
      code_verifier: verifier,
    },
  });
  expect(token.status()).toBe(200);
  const { access_token: accessToken } = await token.json();

  const status = await request.post(
    `${BACKEND}/api/delivery/.backstage/actions/v1/actions/${encodeURIComponent(
      'delivery:get-delivery-status',
    )}/invoke`,
    {
      headers: { authorization: `Bearer ${accessToken}` },
      data: { entityRef: 'component:default/payments-api' },
    },
  );
  expect(status.status()).toBe(200);
  const { output } = await status.json();
  expect(output.summary).toMatch(
    /^component:default\/payments-api: dev runs [0-9a-f]{7}-\d+/,
  );

  // The token is the user's: guest may not change docs-team's service.
  const refused = await request.post(
    `${BACKEND}/api/delivery/.backstage/actions/v1/actions/${encodeURIComponent(
      'delivery:promote-service',
    )}/invoke`,
    {
      headers: { authorization: `Bearer ${accessToken}` },
      data: {
        entityRef: 'component:default/docs-portal',
        from: 'dev',
        to: 'staging',
      },
    },
  );
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toContain(
    'user:default/guest may not delivery.promote on component:default/docs-portal',
  );
});
