/*
 * How every browser test starts Debian's Chromium (apt-get install
 * chromium): no browser is ever downloaded. The executable is
 * /usr/bin/chromium, or SLIPWAY_CHROMIUM when set; the flags keep it from
 * reaching for the network this machine does not have.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
