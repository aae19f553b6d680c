import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { ReleaseResult } from '@internal/backstage-plugin-delivery-common';
import type { Request } from 'express';
import { z } from 'zod/v3';
import { DeliveryStatusService } from './DeliveryStatusService';
import { ReleaseService } from './ReleaseService';
import type { AnnounceChange } from './statusSignals';

/** The service a request is about, as every route and action takes it. */
export const entityRefInput = (zod: typeof z) =>
  zod
    .string()
    .min(1)
    .max(512)
    .describe('The service, e.g. component:default/payments-api');

/** A rollback request, as the route's body and the action's input. */
export const rollbackInput = (zod: typeof z) =>
  zod.object({
    entityRef: entityRefInput(zod),
    environment: zod
      .string()
      .min(1)
      .max(63)
      .describe(
        'The environment to roll back (its last image change is reverted)',
      ),
  });

/** A promote request, as the route's body and the action's input. */
export const promoteInput = (zod: typeof z) =>
  zod.object({
    entityRef: entityRefInput(zod),
    from: zod
      .string()
      .min(1)
      .max(63)
      .describe('The environment whose running image is promoted'),
    to: zod
      .string()
      .min(1)
      .max(63)
      .describe('The next environment in the promotion order'),
    tag: zod
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe(
        'The image tag `from` runs, as the caller saw it; refused if `from` runs another by now. Default: what `from` runs',
      ),
  });

export type RollbackRequest = z.infer<ReturnType<typeof rollbackInput>>;
export type PromoteRequest = z.infer<ReturnType<typeof promoteInput>>;

/** What a rollback or promote answers: the helm-charts commit, and the entity. */
export type ReleaseOutcome = ReleaseResult & { entityRef: string };

/**
 * Rollback and promote as every caller reaches them (the page's HTTP
 * routes, the actions registry and through it MCP and `backstage-cli
 * actions`): users only, audited (`rollback` / `promote` events, besides
 * ServiceAccess's `<action>-authorization`), then the status cache of the
 * entity is dropped so its next read shows the change, and open pages are
 * told to read it (signals).
 */
export class ReleaseRequests {
  readonly #auditor: AuditorService;
  readonly #status: DeliveryStatusService;
  readonly #releases: ReleaseService;
  readonly #announce?: AnnounceChange;

  constructor(deps: {
    auditor: AuditorService;
    status: DeliveryStatusService;
    releases: ReleaseService;
    /** Tells open pages the entity changed (signals). */
    announce?: AnnounceChange;
  }) {
    this.#auditor = deps.auditor;
    this.#status = deps.status;
    this.#releases = deps.releases;
    this.#announce = deps.announce;
  }

  rollback(
    body: RollbackRequest,
    credentials: BackstageCredentials,
    request?: Request,
  ): Promise<ReleaseOutcome> {
    return this.#run('rollback', body, credentials, request);
  }

  promote(
    body: PromoteRequest,
    credentials: BackstageCredentials,
    request?: Request,
  ): Promise<ReleaseOutcome> {
    return this.#run('promote', body, credentials, request);
  }

  async #run(
    action: 'rollback' | 'promote',
    body: RollbackRequest | PromoteRequest,
    credentials: BackstageCredentials,
    request?: Request,
  ): Promise<ReleaseOutcome> {
    const event = await this.#auditor.createEvent({
      eventId: action,
      severityLevel: 'medium',
      request,
      meta: { ...body },
    });
    try {
      const principal = credentials.principal as {
        type: string;
        userEntityRef?: string;
      };
      // A change names the user in its helm-charts commit and is decided on
      // the user's ownership: service tokens may read, not change.
      if (principal.type !== 'user' || !principal.userEntityRef) {
        throw new NotAllowedError(
          `Only a signed-in user may ${action} a service; this request comes from a ${principal.type} principal`,
        );
      }
      const options = {
        credentials,
        userEntityRef: principal.userEntityRef,
      };
      const result =
        action === 'rollback'
          ? await this.#releases.rollback(body as RollbackRequest, options)
          : await this.#releases.promote(body as PromoteRequest, options);
      await this.#status.invalidate(result.entityRef);
      await this.#announce?.([result.entityRef], action);
      await event.success({
        meta: {
          environment: result.environment,
          fromTag: result.fromTag ?? null,
          toTag: result.toTag,
          commitSha: result.commitSha,
          pullRequestUrl: result.pullRequestUrl ?? null,
        },
      });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }
}
