/*
 * Roadie's Argo CD overview card (@roadiehq/backstage-plugin-argo-cd), for
 * teams that know it, next to Slipway's own delivery cards.
 *
 * Its "ArgoCD history" card is left out: it lists each sync's revision
 * message, and an application's revision is the helm-charts head at sync
 * time, so on payments-api it showed other services' chart commits
 * ("ci(docs-portal): deploy ...") as if they were payments-api's changes.
 * The Delivery tab's timeline is the service's own history: each of its
 * commits to each environment it reached.
 *
 * The package's main entry is a legacy (core-plugin-api) plugin; its
 * `./alpha` entry is built against an older @backstage/frontend-plugin-api
 * (0.12) than this app's and puts its cards on every component. So the app
 * converts the legacy plugin with this release's compat helpers instead,
 * with Roadie's own `isArgocdAvailable` as the cards' filter, and
 * app-config.yaml keeps `./alpha` out of package discovery.
 *
 * The cards talk to @roadiehq/backstage-plugin-argo-cd-backend
 * (packages/backend), which signs in to the instances under
 * `argocd.appLocatorMethods`.
 */
import { convertLegacyPlugin } from '@backstage/core-compat-api';
import { convertLegacyEntityCardExtension } from '@backstage/plugin-catalog-react/alpha';
import {
  EntityArgoCDOverviewCard,
  argocdPlugin,
  isArgocdAvailable,
} from '@roadiehq/backstage-plugin-argo-cd';

/** `entity-card:argocd/overview`: the applications, their sync and health. */
export const argocdOverviewCard = convertLegacyEntityCardExtension(
  EntityArgoCDOverviewCard,
  // Roadie's own predicate: argocd/app-name, argocd/app-selector or
  // argocd/project-name.
  { name: 'overview', filter: isArgocdAvailable },
);

/** The legacy plugin converted: its API factory and the overview card, pluginId `argocd`. */
export const argocdCompatPlugin = convertLegacyPlugin(argocdPlugin, {
  extensions: [argocdOverviewCard],
});
