import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  assertValid,
  checkServiceName,
  serviceCreatePermission,
  serviceNameInput,
} from '@internal/backstage-plugin-delivery-common';
import {
  jitteredDelay,
  noteRetry,
  runProvisioningStep,
  ServiceAccess,
  StepReporting,
} from '@internal/backstage-plugin-delivery-node';
import { examples } from './catalogRegister.examples';

const MANAGED_BY = 'backstage.io/managed-by-location';

/** Most attempts of one registration call when the catalog's read of the file fails in passing. */
const READ_ATTEMPTS = 5;

/**
 * Why the catalog refused a Location for a reason that passes: its read of
 * the file met GitHub's 5xx or 429, or a dropped connection (the catalog
 * answers 400 "Unable to read url, ..." and does not retry). Undefined for
 * anything else, which a retry would not change.
 */
export function transientReadFailure(e: unknown): string | undefined {
  const body = (e as { body?: { error?: { message?: unknown } } })?.body;
  const message = String(body?.error?.message ?? (e as Error)?.message ?? '');
  if (!/Unable to read url/i.test(message)) return undefined;
  return message.match(
    /\b(429|50[0-4])\b|Service Unavailable|Bad Gateway|Internal Server Error|Too Many Requests|ECONNRESET|socket hang up/i,
  )?.[0];
}

/** `fn`, again (with jitter, a progress line each) while the catalog's read fails in passing. */
async function withReadRetries<T>(target: string, fn: () => Promise<T>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const why = transientReadFailure(e);
      if (!why || attempt >= READ_ATTEMPTS) throw e;
      noteRetry(
        `The catalog could not read ${target} (${why}), retrying ${attempt}/${
          READ_ATTEMPTS - 1
        }`,
      );
      await new Promise(r =>
        setTimeout(r, jitteredDelay(attempt, { baseMs: 500, capMs: 4000 })),
      );
    }
  }
}

/**
 * `slipway:catalog:register`: registers a new service's catalog-info.yaml.
 * Users do not register Locations under Slipway's policy (only platform
 * groups do), so this action checks what the Location would bring in
 * first (the catalog's own dry run): exactly one Component, named `name`
 * in the default namespace, owned by `owner`, where the task's initiator
 * may create services for `owner`, and no other Location already holds
 * that entity. Then it registers the Location with the scaffolder's own
 * credentials. A re-run finds its Location registered and succeeds.
 *
 * @public
 */
export function createCatalogRegisterAction(options: {
  /** The module's backend logger and failure summary (module.ts passes them; runProvisioningStep). */
  reporting?: StepReporting;
  catalog: CatalogService;
  access: ServiceAccess;
  auth: AuthService;
  integrations: ScmIntegrationRegistry;
}) {
  const { catalog, access, auth, integrations } = options;
  return createTemplateAction({
    id: 'slipway:catalog:register',
    description:
      "Registers a new service's catalog-info.yaml after checking that it holds exactly the Component the wizard created (name, owner) and that the initiator may create services for that owner.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoContentsUrl: z =>
          z.string({
            description:
              "The app repository's contents URL (publish:github's repoContentsUrl output).",
          }),
        catalogInfoPath: z =>
          z
            .string({
              description:
                'Path of the catalog file. Default /catalog-info.yaml',
            })
            .optional(),
        name: z =>
          serviceNameInput(z, 'The service (Component) name expected.'),
        owner: z =>
          z.string({
            description:
              'The owning group expected in spec.owner, e.g. group:default/payments-team.',
          }),
      },
      output: {
        entityRef: z => z.string({ description: 'The registered Component.' }),
      },
    },
    async handler(ctx) {
      // Retries show in the task log; a failure there is one readable line.
      return runProvisioningStep(
        ctx,
        {
          ...options.reporting,
          action: 'slipway:catalog:register',
          creating: true,
        },
        async () => {
          const { repoContentsUrl, name } = ctx.input;
          assertValid(checkServiceName(name));
          let owner: string;
          try {
            owner = stringifyEntityRef(
              parseEntityRef(ctx.input.owner, { defaultKind: 'group' }),
            );
          } catch (e) {
            throw new InputError(`owner: ${(e as Error).message}`);
          }
          const path = (
            ctx.input.catalogInfoPath ?? '/catalog-info.yaml'
          ).replace(/^\/*/, '');
          if (path.split('/').some(s => s === '..')) {
            throw new InputError(
              `catalogInfoPath must stay inside the repository`,
            );
          }
          const entityRef = `component:default/${name}`;

          await access.authorize({
            action: 'create',
            entityRef: owner,
            permission: serviceCreatePermission,
            credentials: await ctx.getInitiatorCredentials(),
            meta: { service: entityRef, step: 'slipway:catalog:register' },
          });
          if (ctx.isDryRun) {
            // A dry run's repoContentsUrl is publish:github's example output,
            // not a real repository: nothing to resolve or read.
            ctx.logger.info(
              `Dry run: would register ${repoContentsUrl} /${path} for ${entityRef}`,
            );
            ctx.output('entityRef', entityRef);
            return;
          }

          // The URL the catalog will name in the entity's managed-by-location,
          // resolved as the SCM integration does (GitHub: .../tree/<branch>/...).
          const integration = integrations.byUrl(repoContentsUrl);
          if (!integration) {
            throw new InputError(
              `repoContentsUrl: no integration is configured for ${repoContentsUrl}`,
            );
          }
          const target = integration.resolveUrl({
            base: repoContentsUrl,
            url: `/${path}`,
          });

          const credentials = await auth.getOwnServiceCredentials();
          const preview = await withReadRetries(target, () =>
            catalog.addLocation(
              { type: 'url', target, dryRun: true },
              { credentials },
            ),
          );
          const problems: string[] = [];
          for (const e of preview.entities) {
            // The catalog's own Location entity for the target itself.
            if (e.kind === 'Location' && e.spec?.target === target) continue;
            const ref = stringifyEntityRef(e);
            if (ref !== entityRef) {
              problems.push(
                `${target} holds ${ref}; only ${entityRef} may be registered`,
              );
              continue;
            }
            const declared = e.spec?.owner;
            const declaredRef =
              typeof declared === 'string'
                ? stringifyEntityRef(
                    parseEntityRef(declared, { defaultKind: 'group' }),
                  )
                : undefined;
            if (declaredRef !== owner) {
              problems.push(
                `${entityRef} declares owner ${String(declared)}, not ${owner}`,
              );
            }
          }
          if (
            !preview.entities.some(e => stringifyEntityRef(e) === entityRef)
          ) {
            problems.push(`${target} does not define ${entityRef}`);
          }
          if (problems.length) throw new InputError(problems.join('; '));

          const existing = await catalog.getEntityByRef(entityRef, {
            credentials,
          });
          const managedBy = existing?.metadata.annotations?.[MANAGED_BY];
          if (existing && managedBy !== `url:${target}`) {
            throw new ConflictError(
              `${entityRef} already exists in the catalog (from ${managedBy}); refusing to register a second definition`,
            );
          }
          if (!preview.exists) {
            await withReadRetries(target, () =>
              catalog.addLocation({ type: 'url', target }, { credentials }),
            );
            ctx.logger.info(`Registered ${target} (${entityRef})`);
          } else {
            ctx.logger.info(`${target} was already registered (${entityRef})`);
          }
          ctx.output('entityRef', entityRef);
        },
      );
    },
  });
}
