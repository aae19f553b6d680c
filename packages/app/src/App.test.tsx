import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the guest sign-in page with the Slipway title', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Slipway' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    // Signed out, the app shows its sign-in page: guest sign-in, app title.
    expect(
      await screen.findByRole('button', { name: 'Enter' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Slipway' }),
    ).toBeInTheDocument();
  });
});
