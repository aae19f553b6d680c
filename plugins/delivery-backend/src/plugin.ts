import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { deliveryPermissions } from '@internal/backstage-plugin-delivery-common';
import {
  assertNoSandboxInProduction,
  serviceAccessServiceRef,
} from '@internal/backstage-plugin-delivery-node';
import { registerDeliveryActions } from './actions/deliveryActions';
import { DeliveryHistory } from './history/DeliveryHistory';
import { CHARTS_PUSHED_KEY, pollHealth } from './history/healthPoll';
import { readPushEvent } from './history/pushPayload';
import { createRouter } from './router';
import { DatabaseLoadLeases } from './services/loadLeases';
import { DeliveryStatusService } from './services/DeliveryStatusService';
import { deliveryUpstreamsServiceRef } from './services/deliveryUpstreams';
import { ReleaseRequests } from './services/releaseRequests';
import { ReleaseService } from './services/ReleaseService';
import { statusAnnouncer } from './services/statusSignals';
import { readDeliverySettings } from './services/settings';

/** The scheduled history poll's task id (scope global). */
const HISTORY_POLL = 'delivery-health-poll';

/**
 * The delivery backend: `GET /status` (build, image, sync, source and
 * helm-charts sections plus the timeline and DORA figures of one entity),
 * `POST /rollback` and `POST /promote`; the same three in the actions
 * registry (`delivery:get-delivery-status`, `delivery:promote-service`,
 * `delivery:rollback-service`) for `backstage-cli actions` and MCP.
 *
 * @public
 */
export const deliveryPlugin = createBackendPlugin({
  pluginId: 'delivery',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auditor: coreServices.auditor,
        actionsRegistry: actionsRegistryServiceRef,
        permissionsRegistry: coreServices.permissionsRegistry,
        events: eventsServiceRef,
        signals: signalsServiceRef,
        upstreams: deliveryUpstreamsServiceRef,
        access: serviceAccessServiceRef,
      },
      async init(deps) {
        assertNoSandboxInProduction(deps.config);
        deps.permissionsRegistry.addPermissions(deliveryPermissions);
        const settings = readDeliverySettings(deps.config);
        const common = {
          settings,
          upstreams: deps.upstreams,
          logger: deps.logger,
          access: deps.access,
        };
        // DORA's deployments, kept past Argo CD's bounded history; one
        // replica an hour deletes what is past the retention.
        const history = await DeliveryHistory.create({
          database: deps.database,
          retentionDays: settings.historyRetentionDays,
        });
        await deps.scheduler.scheduleTask({
          id: 'delivery-history-prune',
          frequency: { hours: 1 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 1 },
          scope: 'global',
          fn: async () => {
            const deleted = await history.prune();
            if (deleted > 0) {
              deps.logger.info(
                `Delivery history: ${deleted} rows past the retention deleted`,
              );
            }
          },
        });
        // Every application's health and every chart's new deployments,
        // recorded by one replica per interval.
        await deps.scheduler.scheduleTask({
          id: HISTORY_POLL,
          frequency: { milliseconds: settings.historyPollMs },
          timeout: { milliseconds: Math.max(settings.historyPollMs, 60_000) },
          initialDelay: { seconds: 5 },
          scope: 'global',
          fn: async () => {
            const polled = await pollHealth({
              upstreams: deps.upstreams,
              history,
              environments: settings.environments,
              cache: deps.cache,
              logger: deps.logger,
            });
            deps.logger.debug('Delivery health poll', { ...polled });
          },
        });
        // Answers and invalidations shared by every replica, which take
        // turns on upstream loads (leases in the database).
        const status = DeliveryStatusService.create({
          ...common,
          cache: deps.cache,
          history,
          leases: new DatabaseLoadLeases(await deps.database.getClient()),
        });
        const announce = statusAnnouncer(deps.signals, deps.logger);
        // GitHub push webhooks (events backend, topic github.push): a push
        // shows on the page at once (a signal to its open pages) instead of
        // after the cache TTL.
        await deps.events.subscribe({
          id: 'delivery',
          topics: ['github.push'],
          onEvent: async ({ eventPayload }) => {
            const push = readPushEvent(eventPayload);
            if (!push) return;
            const { repository } = push;
            const hc = deps.upstreams.helmCharts;
            if (
              repository.toLowerCase() ===
              `${hc.owner}/${hc.repo}`.toLowerCase()
            ) {
              // The history poll records the new tag changes now, on one
              // replica, instead of at its next interval.
              // (When a poll is running, the next interval's reads it.)
              await deps.cache
                .set(CHARTS_PUSHED_KEY, String(Date.now()), {
                  ttl: { days: 1 },
                })
                .then(() => deps.scheduler.triggerTask(HISTORY_POLL))
                .catch(e =>
                  deps.logger.debug('History poll not triggered', {
                    error: e instanceof Error ? e.message : String(e),
                  }),
                );
            }
            const entities = await status.notePush(repository, push.pushed);
            if (entities.length) {
              deps.logger.debug('Push: delivery status reloads', {
                repository,
                entities: entities.join(', '),
              });
              // Open pages of those entities refresh now, not at their next poll.
              await announce(entities, 'push');
            }
          },
        });
        const releases = new ReleaseRequests({
          auditor: deps.auditor,
          status,
          releases: ReleaseService.create(common),
          announce,
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            status,
            releases,
            environments: settings.road,
          }),
        );
        registerDeliveryActions({
          actionsRegistry: deps.actionsRegistry,
          status,
          releases,
        });
      },
    });
  },
});
