/*
 * The Slipway portal backend.
 *
 * Each `backend.add` installs one plugin or module of the new backend system.
 * Slipway's own plugins and scaffolder modules are added here as they land.
 */

import { createBackend } from '@backstage/backend-defaults';
import { scaffolderModuleWorkspace } from '@internal/backstage-plugin-scaffolder-backend-module-gitops';

const backend = createBackend();

// Serves the built frontend in production (app.baseUrl == backend.baseUrl).
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: guest and the example users for local development
// (app-config.yaml), GitHub for
// production (app-config.production.yaml). Only the providers configured
// under auth.providers are active.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));
// Development only: sign in as any example user (src/modules/developmentSignIn.ts).
backend.add(import('./modules/developmentSignIn'));

// Software catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Software templates ("Create component")
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));

// Permissions: Slipway's policy (src/modules/permissionPolicy.ts): only a
// service's owners may roll it back or promote it; the rest is allowed.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

// Search: Lunr in memory by default; the PostgreSQL engine takes over when
// the database client is pg (production).
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));

// Events (catalog refresh on push, later GitHub webhooks) and signals (live
// updates in the browser: scaffolder task logs, user settings).
backend.add(import('@backstage/plugin-events-backend'));
// GitHub webhooks at POST /api/events/http/github (signature checked with
// events.modules.github.webhookSecret), routed to topics like github.push;
// the delivery page reloads a service's status on a push to its repo.
backend.add(import('@backstage/plugin-events-backend-module-github'));
backend.add(import('@backstage/plugin-signals-backend'));

// Slipway's provisioning actions (aws:ecr:*, aws:iam:irsa-role:*,
// gitops:chart:*, argocd:application:*), configured under `slipway.*`.
backend.add(import('@internal/backstage-plugin-scaffolder-backend-module-aws'));
backend.add(
  import('@internal/backstage-plugin-scaffolder-backend-module-gitops'),
);
// Where a resumed task finds its workspace (scaffolder.taskRecovery).
backend.add(scaffolderModuleWorkspace);

// The actions registry's actions (`backend.actions.pluginSources`: Slipway's
// delivery operations, catalog lookups) as MCP tools at /api/mcp-actions/v1,
// called with the caller's own Backstage token (see "Automation" in the
// README).
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// The delivery page: build, image and sync cards, the timeline, rollback and
// promote (`slipway.delivery`).
backend.add(import('@internal/backstage-plugin-delivery-backend'));

// Roadie's Argo CD cards, for teams that know them; its backend is kept
// read-only (src/modules/argocdReadOnly.ts).
backend.add(import('@roadiehq/backstage-plugin-argo-cd-backend'));
backend.add(import('./modules/argocdReadOnly'));
backend.start();
