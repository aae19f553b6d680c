/*
 * Slipway's delivery operations in Backstage's actions registry, for
 * callers without the page: `backstage-cli actions`, MCP clients (through
 * @backstage/plugin-mcp-actions-backend), other plugins. Each action runs
 * the same services as the page's routes, with the caller's own
 * credentials: the status as the caller may see it, rollback and promote
 * decided on the caller's ownership and audited.
 */

import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { DeliveryStatusService } from '../services/DeliveryStatusService';
import {
  entityRefInput,
  promoteInput,
  ReleaseOutcome,
  ReleaseRequests,
  rollbackInput,
  rolloutInput,
} from '../services/releaseRequests';
import { summarizeStatus } from './statusSummary';
import { z } from 'zod/v3';

/** What a rollback or promote action answers. */
const releaseOutput = (zod: typeof z) =>
  zod.object({
    entityRef: zod.string().describe('The service changed'),
    environment: zod.string().describe('The environment that changes'),
    fromTag: zod
      .string()
      .optional()
      .describe('The image tag it ran before the change'),
    toTag: zod.string().describe('The image tag it runs after the change'),
    commitSha: zod
      .string()
      .describe('The helm-charts commit that makes the change'),
    commitUrl: zod.string().optional().describe("That commit's page"),
    pullRequestUrl: zod
      .string()
      .optional()
      .describe(
        'When the environment takes changes by pull request: the pull request to merge',
      ),
  });

const outcome = (r: ReleaseOutcome) => ({
  output: {
    entityRef: r.entityRef,
    environment: r.environment,
    fromTag: r.fromTag,
    toTag: r.toTag,
    commitSha: r.commitSha,
    commitUrl: r.commitUrl,
    pullRequestUrl: r.pullRequestUrl,
  },
});

/** Registers `delivery:get-delivery-status`, `delivery:promote-service`, `delivery:rollback-service` and `delivery:act-on-canary`. */
export function registerDeliveryActions(options: {
  actionsRegistry: ActionsRegistryService;
  status: DeliveryStatusService;
  releases: ReleaseRequests;
}) {
  const { actionsRegistry, status, releases } = options;

  actionsRegistry.register({
    name: 'get-delivery-status',
    title: 'Get delivery status',
    description:
      "What a service runs in each environment (image tag, Argo CD sync and health, whether a promotion pinned it), which commits are on their way and where they wait or failed (build, image, tag bump, sync, health), and what is wrong (failed build, degraded environment, an upstream that did not answer). Use it to answer questions like 'why is payments-api not deployed yet?' or to decide whether to promote.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: zod => zod.object({ entityRef: entityRefInput(zod) }),
      output: zod =>
        zod.object({
          entityRef: zod.string(),
          summary: zod
            .string()
            .describe('A few sentences: what runs where, in flight, problems'),
          environments: zod
            .array(
              zod.object({
                environment: zod.string(),
                runningTag: zod.string().optional(),
                deployedByArgoCd: zod.boolean(),
                syncStatus: zod.string().optional(),
                healthStatus: zod.string().optional(),
                pinned: zod.boolean(),
                promoteTo: zod
                  .string()
                  .optional()
                  .describe('The environment a promote from here goes to'),
                rollbackTo: zod
                  .string()
                  .optional()
                  .describe('The tag a rollback of this environment restores'),
              }),
            )
            .describe('In promotion order'),
          inFlight: zod.array(
            zod.object({
              commit: zod.string(),
              message: zod.string(),
              environment: zod.string().optional(),
              reached: zod.string(),
              next: zod.string(),
              failed: zod.boolean(),
              detail: zod.string().optional(),
            }),
          ),
          problems: zod.array(zod.string()),
        }),
    },
    examples: [
      {
        title: "payments-api's status",
        input: { entityRef: 'component:default/payments-api' },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: summarizeStatus(
        await status.getStatus(input.entityRef, { credentials }),
      ),
    }),
  });

  actionsRegistry.register({
    name: 'promote-service',
    title: 'Promote a service to the next environment',
    description:
      "Pins the image tag `from` runs into the next environment's values file in helm-charts (a commit naming the caller, or a pull request where the environment requires approval); Argo CD then deploys it. Only the service's owners (or a platform group) may; audited. Promoting the tag the target already runs changes nothing.",
    attributes: { readOnly: false, destructive: true, idempotent: true },
    schema: { input: promoteInput, output: releaseOutput },
    examples: [
      {
        title: 'Promote payments-api from dev to staging',
        input: {
          entityRef: 'component:default/payments-api',
          from: 'dev',
          to: 'staging',
        },
      },
    ],
    action: async ({ input, credentials }) =>
      outcome(await releases.promote(input, credentials)),
  });

  actionsRegistry.register({
    name: 'rollback-service',
    title: "Roll back a service's environment",
    description:
      "Reverts the environment's last image change in helm-charts (a revert commit naming the caller); Argo CD then deploys the previous image. Each call goes one change further back. Only the service's owners (or a platform group) may; audited.",
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: { input: rollbackInput, output: releaseOutput },
    examples: [
      {
        title: "Roll back payments-api's prod",
        input: {
          entityRef: 'component:default/payments-api',
          environment: 'prod',
        },
      },
    ],
    action: async ({ input, credentials }) =>
      outcome(await releases.rollback(input, credentials)),
  });

  actionsRegistry.register({
    name: 'act-on-canary',
    title: "Promote, fully promote, abort or retry a service's canary",
    description:
      "Runs Argo CD's resource action on the Argo Rollouts Rollout of the service in one environment, with the portal's Argo CD token: resume (Promote: go to the next step), promote-full (skip the remaining steps), abort (all traffic back to the stable version), retry (start an aborted canary again). Refused when Argo CD does not offer the action now (e.g. resume on a Rollout that is not paused). Only the service's owners (or a platform group) may; audited.",
    attributes: { readOnly: false, destructive: true, idempotent: false },
    schema: {
      input: rolloutInput,
      output: (zod: typeof z) =>
        zod.object({
          entityRef: zod.string().describe('The service'),
          environment: zod.string().describe('The environment'),
          action: zod.string().describe('The action run'),
          rollout: zod.string().describe('The Rollout it ran on'),
        }),
    },
    examples: [
      {
        title: "Promote payments-api's canary in dev to its next step",
        input: {
          entityRef: 'component:default/payments-api',
          environment: 'dev',
          action: 'resume',
        },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: { ...(await releases.rollout(input, credentials)) },
    }),
  });
}
