/*
 * Checks Argo CD's API server applies before an Application or AppProject is
 * stored, with the messages Argo CD uses, plus label selectors for list
 * queries.
 */

import { destinationCluster } from './clusters';
import { grpcError, GrpcCode } from './errors';
import { primarySource } from './render';
import { normalizeRepoUrl } from './repoUrl';
import { ClusterRecord } from './store';
import { Application, ApplicationSource, AppProject } from './types';

const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws Kubernetes' own message when `name` is not a DNS-1123 subdomain. */
export function checkObjectName(
  kind: 'Application' | 'AppProject',
  name: unknown,
) {
  if (typeof name !== 'string' || name === '') {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `${kind}.argoproj.io "" is invalid: metadata.name: Required value: name or generateName is required`,
    );
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `${kind}.argoproj.io "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  }
}

/** Argo CD's glob match (`*` any run of characters, `!` prefix negates a list entry). */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`).test(value);
}

function permittedBy(list: string[] | undefined, value: string): boolean {
  const entries = list ?? [];
  if (entries.some(p => p.startsWith('!') && globMatch(p.slice(1), value)))
    return false;
  return entries.some(p => !p.startsWith('!') && globMatch(p, value));
}

function sourcePermitted(
  project: AppProject,
  source: ApplicationSource,
): boolean {
  const repo = source.repoURL ?? '';
  const list = project.spec.sourceRepos ?? [];
  if (permittedBy(list, repo)) return true;
  return permittedBy(list.map(normalizeRepoUrl), normalizeRepoUrl(repo));
}

/**
 * Whether the project lets applications deploy into `namespace` of the
 * destination cluster: an entry matching the cluster's server URL or its
 * name (however the application named it), as Argo CD v3 matches them.
 */
function destinationPermitted(
  project: AppProject,
  cluster: ClusterRecord,
  namespace: string,
): boolean {
  return (project.spec.destinations ?? []).some(d => {
    const nsOk =
      globMatch(d.namespace ?? '', namespace) ||
      (d.namespace === '*' && namespace === '');
    if (!nsOk) return false;
    return (
      (!!d.server && globMatch(d.server, cluster.server)) ||
      (!!d.name && globMatch(d.name, cluster.name))
    );
  });
}

/** The sources of an application, one or many. */
export function sourcesOf(app: Application): ApplicationSource[] {
  if (app.spec.sources?.length) return app.spec.sources;
  return app.spec.source ? [app.spec.source] : [];
}

/**
 * Validates an application's spec against itself, its project and the known
 * clusters; throws InvalidArgument with Argo CD's messages. `project`
 * undefined means the project does not exist.
 */
export function validateApplication(
  app: Application,
  project: AppProject | undefined,
  clusters: ClusterRecord[],
) {
  checkObjectName('Application', app.metadata?.name);
  const name = app.metadata.name as string;
  const projectName = app.spec?.project || 'default';
  if (!project) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `app is not allowed in project "${projectName}", or the project does not exist`,
    );
  }
  const dest = app.spec.destination ?? {};
  if (dest.server && dest.name) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `application destination spec for ${name} is invalid: application destination can't have both name and server defined: ${dest.name} ${dest.server}`,
    );
  }
  let cluster: ClusterRecord | undefined;
  try {
    cluster = destinationCluster(clusters, dest);
  } catch (e) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `application destination spec for ${name} is invalid: ${
        (e as Error).message
      }`,
    );
  }
  const problems: string[] = [];
  const sources = sourcesOf(app);
  if (sources.length === 0) {
    problems.push(
      'spec.source.repoURL and either spec.source.path or spec.source.chart are required',
    );
  }
  sources.forEach((s, i) => {
    const field = app.spec.sources?.length
      ? `spec.sources[${i}]`
      : 'spec.source';
    if (!s.repoURL || (!s.path && !s.chart && !s.ref)) {
      problems.push(
        `${field}.repoURL and either ${field}.path or ${field}.chart are required`,
      );
    } else if (s.chart && s.path) {
      problems.push(`${field}: either path or chart may be set, not both`);
    } else if (!sourcePermitted(project, s)) {
      problems.push(
        `application repo ${s.repoURL} is not permitted in project '${projectName}'`,
      );
    }
  });
  if (!cluster) {
    problems.push('Destination server missing from app spec');
  } else if (!destinationPermitted(project, cluster, dest.namespace ?? '')) {
    problems.push(
      dest.server
        ? `application destination server '${dest.server}' and namespace '${
            dest.namespace ?? ''
          }' do not match any of the allowed destinations in project '${projectName}'`
        : `application destination with name '${dest.name}' and namespace '${
            dest.namespace ?? ''
          }' do not match any of the allowed destinations in project '${projectName}'`,
    );
  }
  if (problems.length) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `application spec for ${name} is invalid: ${problems
        .map(p => `InvalidSpecError: ${p}`)
        .join(';')}`,
    );
  }
  if (!primarySource(app)) {
    throw grpcError(
      GrpcCode.InvalidArgument,
      `application spec for ${name} is invalid: no source`,
    );
  }
}

type Requirement = (labels: Record<string, string>) => boolean;

const has = (labels: Record<string, string>, key: string) =>
  Object.prototype.hasOwnProperty.call(labels, key);

function parseRequirement(raw: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(raw);
  if (set) {
    const [, key, op, list] = set;
    const values = list.split(',').map(v => v.trim());
    return l =>
      op === 'in'
        ? has(l, key) && values.includes(l[key])
        : !has(l, key) || !values.includes(l[key]);
  }
  const notEqual = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(raw);
  if (notEqual) {
    const [, key, value] = notEqual;
    return l => l[key] !== value;
  }
  const equal = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(raw);
  if (equal) {
    const [, key, value] = equal;
    return l => l[key] === value;
  }
  const absent = /^!\s*(\S+)$/.exec(raw);
  if (absent) {
    const key = absent[1];
    return l => !has(l, key);
  }
  if (/^\S+$/.test(raw)) return l => has(l, raw);
  throw grpcError(
    GrpcCode.InvalidArgument,
    `error parsing selector: unable to parse requirement: ${raw}`,
  );
}

/** Parses a Kubernetes label selector (`a=b,c!=d,e,!f,g in (h,i),j notin (k)`). */
export function parseLabelSelector(selector: string): Requirement {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  terms.push(cur);
  const reqs: Requirement[] = [];
  for (const raw of terms.map(t => t.trim()).filter(Boolean)) {
    reqs.push(parseRequirement(raw));
  }
  return labels => reqs.every(r => r(labels));
}
