import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';

/**
 * The Slipway portal. Plugins listed in this package's dependencies are
 * discovered automatically (`app.packages: all` in app-config.yaml); the
 * features below are the ones the app wires by hand.
 */
export default createApp({
  features: [catalogPlugin, navModule],
});
