/*
 * End-to-end tests in Debian's Chromium (apt-get install chromium). No
 * browser is ever downloaded: the executable is /usr/bin/chromium, or
 * SLIPWAY_CHROMIUM when set.
 *
 * Outside CI, a portal already running on :3000 (./slipway start) is reused;
 * otherwise the tests start one with the README's start command.
 */

import { defineConfig, devices } from '@playwright/test';
// The backend's browser tests start Chromium the same way.
import { chromiumLaunchOptions } from './packages/backend/src/__testUtils__/chromium';

export default defineConfig({
  testDir: 'e2e-tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'node_modules/.cache/e2e-test-results',

  webServer: {
    command: './slipway start',
    env: { SLIPWAY_SKIP_INSTALL: '1' },
    url: 'http://localhost:3000',
    reuseExistingServer: !process.env.CI,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },

  use: {
    ...devices['Desktop Chrome'],
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
});
