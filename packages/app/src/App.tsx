import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { argocdCompatPlugin } from './modules/argocd';
import { homeModule } from './modules/home';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

/**
 * The Slipway portal. Plugins listed in this package's dependencies are
 * discovered automatically (`app.packages` in app-config.yaml), among them
 * Slipway's delivery plugin (@internal/backstage-plugin-delivery: build,
 * image and sync cards and the Delivery tab on the entity page). The
 * features below are the ones the app wires by hand (the sign-in page
 * offers the example users in development: modules/signIn).
 */
export default createApp({
  features: [
    catalogPlugin,
    homeModule,
    navModule,
    signInModule,
    argocdCompatPlugin,
  ],
});
