import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';

/** Argo CD application names and instance names: DNS-1123 subdomains. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A label selector as the `argocd/app-selector` annotation holds it. */
const SELECTOR =
  /^[A-Za-z0-9._\/-]+=[A-Za-z0-9._-]*(,[A-Za-z0-9._\/-]+=[A-Za-z0-9._-]*)*$/;
/** A revision: a commit id, or a tag/branch name without path tricks. */
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The routes of Roadie's Argo CD backend the cards read, each with the
 * application it concerns. Anything else (every application of an
 * instance, a repository's source) is refused.
 */
const READS: Array<{
  pattern: string[];
  kind: 'name' | 'selector';
}> = [
  { pattern: ['find', 'name', ':app'], kind: 'name' },
  { pattern: ['find', 'selector', ':app'], kind: 'selector' },
  {
    pattern: ['argoInstance', ':instance', 'applications', 'name', ':app'],
    kind: 'name',
  },
  {
    pattern: [
      'argoInstance',
      ':instance',
      'applications',
      'name',
      ':app',
      'revisions',
      ':revision',
      'metadata',
    ],
    kind: 'name',
  },
  {
    pattern: ['argoInstance', ':instance', 'applications', 'selector', ':app'],
    kind: 'selector',
  },
];

/**
 * Matches a request path against the cards' routes. Each segment is
 * decoded once and checked, so an encoded `/` or `..` cannot leave the
 * application path. Returns what the request reads, or throws.
 */
export function readOf(path: string): {
  kind: 'name' | 'selector';
  app: string;
} {
  const raw = path.replace(/^\/+/, '').split('/');
  let segments: string[];
  try {
    segments = raw.map(s => decodeURIComponent(s));
  } catch {
    throw new InputError('The request path is not valid URL encoding');
  }
  for (const { pattern, kind } of READS) {
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((p, i) => {
      if (!p.startsWith(':')) return p === segments[i];
      params[p.slice(1)] = segments[i];
      return true;
    });
    if (!matches) continue;
    const bad =
      (params.instance !== undefined && !NAME.test(params.instance)) ||
      (params.revision !== undefined && !REVISION.test(params.revision)) ||
      !(kind === 'name' ? NAME : SELECTOR).test(params.app);
    if (bad) {
      throw new InputError(
        'Argo CD application, instance and revision names hold only letters, digits, . and -',
      );
    }
    return { kind, app: params.app };
  }
  throw new NotAllowedError(
    "Slipway's Argo CD cards read one service's application at a time; this route is not served",
  );
}

/**
 * Roadie's Argo CD backend serves its cards, but also lists every
 * application, creates, updates, syncs and deletes them, for any signed-in
 * user with the platform's Argo CD credentials and no permission check. This
 * module runs before the plugin's own routes (a plugin's modules are
 * initialised first) and lets through only the reads the cards make, for an
 * application that a catalog entity the caller may see names
 * (`argocd/app-name` or `argocd/app-selector`). Writes are refused: in
 * Slipway, applications are created by the wizard and deployments are
 * helm-charts commits.
 */
export default createBackendModule({
  pluginId: 'argocd',
  moduleId: 'slipway-read-only',
  register(reg) {
    reg.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        catalog: catalogServiceRef,
      },
      async init({ httpRouter, httpAuth, catalog }) {
        httpRouter.use(async (req, _res, next) => {
          try {
            if (req.method !== 'GET' && req.method !== 'HEAD') {
              throw new NotAllowedError(
                'The Argo CD plugin is read-only in Slipway: deploy, roll back and promote through helm-charts (the Delivery tab)',
              );
            }
            const { kind, app } = readOf(req.path);
            const credentials = await httpAuth.credentials(req, {
              allow: ['user', 'service'],
            });
            const annotation =
              kind === 'name' ? 'argocd/app-name' : 'argocd/app-selector';
            // Read with the caller's credentials: the catalog's own read
            // permission decides which entities they may see.
            const { items } = await catalog.getEntities(
              {
                filter: { [`metadata.annotations.${annotation}`]: app },
                fields: ['kind', 'metadata.name'],
              },
              { credentials },
            );
            if (items.length === 0) {
              throw new NotFoundError(
                `No catalog entity you may see deploys the Argo CD application ${app}`,
              );
            }
            next();
          } catch (e) {
            next(e);
          }
        });
      },
    });
  },
});
