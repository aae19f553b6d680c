import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  ReleaseResult,
  RolloutActionResult,
} from '@internal/backstage-plugin-delivery-common';
import type { Request } from 'express';
import { z } from 'zod/v3';
import { DeliveryStatusService } from './DeliveryStatusService';
import { ReleaseService, ROLLOUT_ACTION_LABELS } from './ReleaseService';
import type { AnnounceChange } from './statusSignals';

/** The service a request is about, as every route and action takes it. */
export const entityRefInput = (zod: typeof z) =>
  zod
    .string()
    .min(1)
    .max(512)
    .describe('The service, e.g. component:default/payments-api');

/** An environment's name, as every route and action takes it. */
const environmentInput = (zod: typeof z, description: string) =>
  zod.string().min(1).max(63).describe(description);

/** A rollback request, as the route's body and the action's input. */
export const rollbackInput = (zod: typeof z) =>
  zod.object({
    entityRef: entityRefInput(zod),
    environment: environmentInput(
      zod,
      'The environment to roll back (its last image change is reverted)',
    ),
  });

/** A promote request, as the route's body and the action's input. */
export const promoteInput = (zod: typeof z) =>
  zod.object({
    entityRef: entityRefInput(zod),
    from: environmentInput(
      zod,
      'The environment whose running image is promoted',
    ),
    to: environmentInput(zod, 'The next environment in the promotion order'),
    tag: zod
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe(
        'The image tag `from` runs, as the caller saw it; refused if `from` runs another by now. Default: what `from` runs',
      ),
  });

/** A canary action, as the route's body and the action's input. */
export const rolloutInput = (zod: typeof z) =>
  zod.object({
    entityRef: entityRefInput(zod),
    environment: environmentInput(
      zod,
      'The environment whose canary (Argo Rollouts Rollout) it acts on',
    ),
    action: zod.enum(['resume', 'promote-full', 'abort', 'retry']).describe(
      `Argo CD's Rollout action: ${Object.entries(ROLLOUT_ACTION_LABELS)
        .map(([k, v]) => `${k} (${v})`)
        .join(
          ', ',
        )}. resume goes to the next step, promote-full skips the remaining steps, abort sends all traffic back to the stable version, retry starts an aborted canary again`,
    ),
  });

export type RolloutRequest = z.infer<ReturnType<typeof rolloutInput>>;
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

  /** A canary action (`rollout` audit event), through Argo CD's resource actions. */
  async rollout(
    body: RolloutRequest,
    credentials: BackstageCredentials,
    request?: Request,
  ): Promise<RolloutActionResult> {
    const event = await this.#auditor.createEvent({
      eventId: 'rollout',
      severityLevel: 'medium',
      request,
      meta: { ...body },
    });
    try {
      const result = await this.#releases.rolloutAction(
        body,
        this.#userOptions('act on the canary of', credentials),
      );
      await this.#status.invalidate(result.entityRef);
      await this.#announce?.([result.entityRef], 'rollout');
      await event.success({ meta: { rollout: result.rollout } });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  /** The signed-in user behind `credentials`; service tokens may read, not change. */
  #userOptions(what: string, credentials: BackstageCredentials) {
    const principal = credentials.principal as {
      type: string;
      userEntityRef?: string;
    };
    // A change names the user (in its helm-charts commit, in the audit
    // log) and is decided on the user's ownership.
    if (principal.type !== 'user' || !principal.userEntityRef) {
      throw new NotAllowedError(
        `Only a signed-in user may ${what} a service; this request comes from a ${principal.type} principal`,
      );
    }
    return { credentials, userEntityRef: principal.userEntityRef };
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
      const options = this.#userOptions(action, credentials);
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
