import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { DevelopmentSignInPage } from './DevelopmentSignInPage';

describe('DevelopmentSignInPage', () => {
  const fetchSpy = jest.spyOn(global, 'fetch');
  afterEach(() => {
    window.localStorage.clear();
    fetchSpy.mockReset();
  });

  it('offers each configured example user, and signs in as the chosen one through the development provider', async () => {
    fetchSpy.mockResolvedValue(
      new Response(JSON.stringify({ error: { message: 'no backend here' } }), {
        status: 401,
        headers: { 'content-type': 'application/json' },
      }),
    );
    await renderInTestApp(
      <DevelopmentSignInPage onSignInSuccess={jest.fn()} />,
      {
        config: {
          app: { title: 'Slipway' },
          backend: { baseUrl: 'http://localhost:7007' },
          auth: { providers: { development: { users: ['guest', 'dana'] } } },
        },
      },
    );
    expect(
      screen.getByRole('button', { name: 'Sign in as guest' }),
    ).toBeInTheDocument();
    expect(fetchSpy).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Sign in as dana' }));

    await waitFor(() => expect(fetchSpy).toHaveBeenCalled());
    const [url, init] = fetchSpy.mock.calls[0];
    expect(String(url)).toMatch(/\/api\/auth\/development\/refresh$/);
    expect(new Headers(init?.headers).get('x-slipway-development-user')).toBe(
      'dana',
    );
    // A reload signs in as dana again, until sign-out.
    expect(window.localStorage.getItem('slipway:development-user')).toBe(
      'dana',
    );
  });
  // Without development users it is Backstage's guest page: App.test.tsx.
});
