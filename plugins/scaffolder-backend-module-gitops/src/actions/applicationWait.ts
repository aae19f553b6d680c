import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkDnsLabel,
  SERVICE_NAME_PATTERN,
} from '@internal/backstage-plugin-delivery-common';
import {
  ArgoApplication,
  ArgoCdInstances,
  runProvisioningStep,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { instanceOf } from './applicationCreate';
import { DRY_RUN_SHA } from './chartRegister';
import { examples } from './applicationWait.examples';

/** What `argocd:application:wait` needs from the module. @public */
export interface ApplicationWaitActionOptions {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  instances: ArgoCdInstances;
}

const REVISION = /^[0-9a-f]{7,40}$|^[A-Za-z0-9._/-]{1,200}$/;

/** The most telling message about an application's state. */
function messageOf(app: ArgoApplication): string | undefined {
  const s = app.status;
  return (
    s?.health?.message ??
    s?.resources?.find(r => r.health?.message && r.health.status !== 'Healthy')
      ?.health?.message ??
    s?.conditions?.find(c => c.message)?.message ??
    s?.operationState?.message
  );
}

/**
 * `argocd:application:wait`: polls an Application until it is Synced and
 * Healthy (at `revision`, when given), for at most `timeoutSeconds`. On
 * timeout it fails naming the last sync status, revision, health and
 * message.
 *
 * @public
 */
export function createApplicationWaitAction(
  options: ApplicationWaitActionOptions,
) {
  const { instances } = options;
  return createTemplateAction({
    id: 'argocd:application:wait',
    description:
      'Waits (bounded) until an Argo CD Application is Synced and Healthy, optionally at a given git revision; fails with its last status on timeout.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string({
              description:
                "The Application name, e.g. argocd:application:create's appName output (<service>-<env>).",
            })
            .min(2)
            .max(63)
            .regex(
              new RegExp(SERVICE_NAME_PATTERN),
              'is not an application name',
            ),
        instance: z =>
          z
            .string({
              description:
                'Argo CD instance name. Default: slipway.argocd.defaultInstance, else the first.',
            })
            .optional(),
        revision: z =>
          z
            .string({
              description:
                'Git commit the Application must be synced to (status.sync.revision), e.g. the commitSha output of gitops:chart:register.',
            })
            .optional(),
        timeoutSeconds: z =>
          z
            .number({
              description: 'Give up after this many seconds. Default 300.',
            })
            .min(1)
            .max(3600)
            .optional(),
        intervalSeconds: z =>
          z
            .number({ description: 'Seconds between polls. Default 2.' })
            .min(0.1)
            .max(60)
            .optional(),
      },
      output: {
        revision: z =>
          z.string({
            description: 'The git revision the Application is synced to.',
          }),
        health: z =>
          z.string({
            description: "The Application's health status (Healthy).",
          }),
        syncStatus: z =>
          z.string({ description: "The Application's sync status (Synced)." }),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        {
          ...options.reporting,
          action: 'argocd:application:wait',
          creating: true,
        },
        async () => {
          const { name, revision } = ctx.input;
          const timeoutSeconds = ctx.input.timeoutSeconds ?? 300;
          const intervalSeconds = ctx.input.intervalSeconds ?? 2;
          assertValid(
            checkDnsLabel(name, 'name'),
            revision === undefined ||
              (REVISION.test(revision) && !revision.includes('..'))
              ? undefined
              : `revision must be a git commit, branch or tag (got '${revision}')`,
            timeoutSeconds >= 1 && timeoutSeconds <= 3600
              ? undefined
              : 'timeoutSeconds must be from 1 to 3600',
            intervalSeconds >= 0.1 && intervalSeconds <= 60
              ? undefined
              : 'intervalSeconds must be from 0.1 to 60',
          );
          const client = instanceOf(instances, ctx.input.instance);

          if (ctx.isDryRun) {
            ctx.logger.info(
              `Dry run: would wait up to ${timeoutSeconds}s for ${name} on ${client.name} to be Synced and Healthy`,
            );
            ctx.output('revision', revision ?? DRY_RUN_SHA);
            ctx.output('health', 'Healthy');
            ctx.output('syncStatus', 'Synced');
            return;
          }

          const want = revision ? ` at ${revision}` : '';
          ctx.logger.info(
            `Waiting up to ${timeoutSeconds}s for ${name} on ${client.name} to be Synced and Healthy${want}`,
          );
          const deadline = Date.now() + timeoutSeconds * 1000;
          let last: ArgoApplication | undefined;
          let lastError: Error | undefined;
          let lastLine = '';
          for (;;) {
            if (ctx.signal?.aborted)
              throw new Error(`Waiting for ${name} was cancelled`);
            try {
              last = await client.getApplication(name);
              lastError = undefined;
            } catch (e) {
              const err = e as Error;
              // A missing app or refused credentials will not heal by waiting.
              if (
                [
                  'NotFoundError',
                  'AuthenticationError',
                  'NotAllowedError',
                  'InputError',
                ].includes(err.name)
              ) {
                throw err;
              }
              lastError = err;
            }
            const sync = last?.status?.sync;
            const health = last?.status?.health?.status;
            if (
              sync?.status === 'Synced' &&
              health === 'Healthy' &&
              (!revision || sync.revision === revision)
            ) {
              ctx.logger.info(
                `${name} is Synced and Healthy at ${sync.revision}`,
              );
              ctx.output('revision', sync.revision ?? '');
              ctx.output('health', health);
              ctx.output('syncStatus', sync.status);
              return;
            }
            const line = `${name}: sync ${sync?.status ?? 'Unknown'} at ${
              sync?.revision ?? '(none)'
            }, health ${health ?? 'Unknown'}`;
            if (line !== lastLine) ctx.logger.info(line);
            lastLine = line;

            const remaining = deadline - Date.now();
            if (remaining <= 0) break;
            await new Promise(resolve =>
              setTimeout(resolve, Math.min(intervalSeconds * 1000, remaining)),
            );
          }
          const s = last?.status;
          const message = last ? messageOf(last) : lastError?.message;
          throw new Error(
            `Timed out after ${timeoutSeconds}s waiting for Argo CD application '${name}' on ${
              client.name
            } to be Synced and Healthy${want}: last sync status ${
              s?.sync?.status ?? 'Unknown'
            } at revision ${s?.sync?.revision ?? '(none)'}, health ${
              s?.health?.status ?? 'Unknown'
            }${message ? ` (${message})` : ''}`,
          );
        },
      );
    },
  });
}
