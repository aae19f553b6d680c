/*
 * The commit messages of the helm-charts repository, both ways. CI writes
 * `ci(<name>): deploy <tag>` (templates/service/skeleton/common/ci/
 * bump-image-tag.sh, and the sandbox's pipeline); Slipway's promote and
 * rollback write a conventional subject plus git trailers, which the
 * delivery backend reads back to show what each commit did. Every field is
 * validated before it is written: a newline in any of them could forge a
 * trailer.
 */

import {
  chartPathOf,
  ChartChangeKind,
  ownerTagValue,
  NameProblem,
  assertValid,
  checkDnsLabel,
  checkServiceName,
} from '@internal/backstage-plugin-delivery-common';

/**
 * ECR's image tag rule: a letter, digit or '_' then up to 127 of letters,
 * digits, '.', '_' and '-'.
 *
 * @public
 */
export const IMAGE_TAG_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$';

/** The trailers Slipway writes on promote and rollback commits. @public */
export const CHART_COMMIT_TRAILERS = {
  action: 'Slipway-Action',
  service: 'Slipway-Service',
  environment: 'Slipway-Environment',
  imageTag: 'Slipway-Image-Tag',
  reverts: 'Slipway-Reverts',
  requestedBy: 'Requested-by',
} as const;

/** A helm-charts commit Slipway (or CI) writes. @public */
export interface ChartCommit {
  kind: 'deploy' | 'promote' | 'rollback';
  /** The service: `charts/<name>/`. */
  name: string;
  /** The image tag the commit sets. */
  tag: string;
  /** The environment whose values file changes; absent for CI's values.yaml bump. */
  environment?: string;
  /** promote: the environment the tag is copied from; rollback: the tag rolled back from. */
  from?: string;
  /** rollback: the commit reverted (its full SHA and its subject). */
  reverts?: { sha: string; subject: string };
  /** The entity ref of the user who asked, e.g. `user:default/dana`. */
  requestedBy?: string;
}

/** What a helm-charts commit message says it did to one service. @public */
export interface ParsedChartCommit {
  kind: ChartChangeKind;
  /** The image tag it set, when the message says. */
  tag?: string;
  /** The environment it changed; absent for the shared values.yaml (CI's deploy). */
  environment?: string;
  /** For a rollback, the SHA of the commit it reverts. */
  reverts?: string;
  /** Who asked, from the `Requested-by` trailer. */
  requestedBy?: string;
  /** For a promote, the environment the tag came from (the subject says). */
  from?: string;
}

const TAG = new RegExp(IMAGE_TAG_PATTERN);
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A full entity ref: `kind:namespace/name`, no whitespace. */
const ENTITY_REF = /^[A-Za-z0-9][\w.-]*:[\w.@+-]+\/[\w.@+-]+$/;
/** Control characters, including newlines, carriage returns and tabs. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

/** Checks an image tag against ECR's rule. @public */
export function checkImageTag(value: unknown, field = 'tag'): NameProblem {
  if (typeof value !== 'string' || value.length === 0) {
    return `${field} is required`;
  }
  return TAG.test(value)
    ? undefined
    : `${field} must be an image tag: a letter, digit or '_' then up to 127 of letters, digits, '.', '_' and '-' (got '${printable(
        value,
      )}')`;
}

/** Checks a full commit SHA (SHA-1 or SHA-256, lowercase hex). @public */
export function checkCommitSha(value: unknown, field = 'sha'): NameProblem {
  return typeof value === 'string' && SHA.test(value)
    ? undefined
    : `${field} must be a full commit SHA (40 or 64 lowercase hex digits)`;
}

/** Checks a user's entity ref (`user:default/dana`). @public */
export function checkEntityRef(
  value: unknown,
  field = 'requestedBy',
): NameProblem {
  if (typeof value !== 'string' || value.length === 0) {
    return `${field} is required`;
  }
  return value.length <= 255 && ENTITY_REF.test(value)
    ? undefined
    : `${field} must be an entity ref like 'user:default/name' (got '${printable(
        value,
      )}')`;
}

/** Checks one line of free text (a reverted commit's subject). */
function checkLine(value: unknown, field: string): NameProblem {
  if (typeof value !== 'string' || value.trim().length === 0) {
    return `${field} is required`;
  }
  if (CONTROL.test(value)) {
    return `${field} must be one line without control characters`;
  }
  return value.length <= 500
    ? undefined
    : `${field} must be at most 500 characters (got ${value.length})`;
}

/** Echoes a rejected value without its control characters. */
function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '?').slice(0, 140);
}

/**
 * The message of a helm-charts commit:
 *
 * - deploy: `ci(<name>): deploy <tag>`, CI's wording (with trailers only
 *   when `environment` or `requestedBy` is given);
 * - promote: `promote(<name>): <tag> from <from> to <environment>`;
 * - rollback: `Revert "<reverted subject>"` and `This reverts commit <sha>.`,
 *   git's own wording;
 *
 * then, on promote and rollback, the trailers of
 * {@link CHART_COMMIT_TRAILERS}. Throws InputError when a field is missing
 * or malformed; no field can hold a newline.
 *
 * @public
 */
export function formatChartCommit(c: ChartCommit): string {
  const kind = c.kind as string;
  assertValid(
    ['deploy', 'promote', 'rollback'].includes(kind)
      ? undefined
      : `kind must be deploy, promote or rollback (got '${printable(
          String(kind),
        )}')`,
    checkServiceName(c.name, 'name'),
    checkImageTag(c.tag, 'tag'),
    c.environment !== undefined || kind !== 'deploy'
      ? checkDnsLabel(c.environment, 'environment')
      : undefined,
    c.requestedBy !== undefined
      ? checkEntityRef(c.requestedBy, 'requestedBy')
      : undefined,
    ...(kind === 'promote'
      ? [
          checkDnsLabel(c.from, 'from'),
          c.from !== undefined && c.from === c.environment
            ? `from and environment must differ (both '${c.from}')`
            : undefined,
        ]
      : []),
    ...(kind === 'rollback'
      ? [
          c.from !== undefined ? checkImageTag(c.from, 'from') : undefined,
          c.reverts
            ? checkCommitSha(c.reverts.sha, 'reverts.sha')
            : 'reverts is required for a rollback',
          c.reverts
            ? checkLine(c.reverts.subject, 'reverts.subject')
            : undefined,
        ]
      : []),
    kind === 'deploy' && (c.from !== undefined || c.reverts !== undefined)
      ? 'a deploy has no from or reverts'
      : undefined,
  );

  const T = CHART_COMMIT_TRAILERS;
  const trailers = (extra: Array<[string, string | undefined]> = []) =>
    [
      [T.action, c.kind],
      [T.service, c.name],
      [T.environment, c.environment],
      [T.imageTag, c.tag],
      ...extra,
      [T.requestedBy, c.requestedBy],
    ]
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');

  switch (c.kind) {
    case 'deploy': {
      const subject = `ci(${c.name}): deploy ${c.tag}`;
      return c.environment || c.requestedBy
        ? `${subject}\n\n${trailers()}\n`
        : subject;
    }
    case 'promote':
      return [
        `promote(${c.name}): ${c.tag} from ${c.from} to ${c.environment}`,
        `Sets image.tag in charts/${c.name}/values-${c.environment}.yaml to the tag ${c.from} runs.`,
        trailers(),
      ].join('\n\n');
    default:
      return [
        `Revert "${c.reverts!.subject}"`,
        `This reverts commit ${c.reverts!.sha}.`,
        ...(c.from
          ? [`Rolls ${c.environment} back from ${c.from} to ${c.tag}.`]
          : []),
        trailers([[T.reverts, c.reverts!.sha]]),
      ].join('\n\n');
  }
}

const TRAILER_KEY = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const LEADING_BLANKS = /^[ \t]+/;

/**
 * The trailers of a message: its last paragraph when every line of it is a
 * `Key: value` line, keys lowercased. A key written twice makes the block
 * untrustworthy (undefined), as does a message of one paragraph.
 */
function readTrailers(paragraphs: string[]): Map<string, string> | undefined {
  if (paragraphs.length < 2) return undefined;
  const lines = paragraphs[paragraphs.length - 1].split('\n');
  const out = new Map<string, string>();
  for (const line of lines) {
    // Split at the first ':' and trim, rather than one regex with a lazy
    // group before trailing whitespace: that backtracks quadratically on a
    // long run of spaces. Every step here is linear in the line.
    const colon = line.indexOf(':');
    if (colon < 1 || !TRAILER_KEY.test(line.slice(0, colon))) return undefined;
    const key = line.slice(0, colon).toLowerCase();
    if (out.has(key)) return undefined;
    out.set(
      key,
      line
        .slice(colon + 1)
        .replace(LEADING_BLANKS, '')
        .trimEnd(),
    );
  }
  return out;
}

const valid = (v: string | undefined, check: (v: string) => NameProblem) =>
  v !== undefined && !check(v) ? v : undefined;

const validEnv = (v: string | undefined) =>
  valid(v, x => checkDnsLabel(x, 'environment'));

/** A commit message's paragraphs (trimmed) and its subject line. */
function messageParts(message: string) {
  const text = String(message ?? '')
    .replace(/\r\n?/g, '\n')
    .trim();
  const paragraphs = text.split(/\n[ \t]*\n+/).map(p => p.trim());
  return { paragraphs, subject: paragraphs[0].split('\n')[0] };
}

/**
 * Whether a helm-charts commit names the service `name`: Slipway's
 * `Slipway-Service` trailer, or a subject scoped to it (`ci(<name>): …`,
 * `promote(<name>): …`). {@link parseChartCommit} trusts the commit's path
 * for the rest (a git revert, trailers without a service); a reader of the
 * whole branch, which does not see paths, keeps only the commits this
 * names (and reverts of them).
 *
 * @public
 */
export function chartCommitNames(message: string, name: string): boolean {
  const { paragraphs, subject } = messageParts(message);
  const service = readTrailers(paragraphs)?.get(
    CHART_COMMIT_TRAILERS.service.toLowerCase(),
  );
  if (service !== undefined) return service === name;
  return /^[a-z]+\(([^()\s]+)\):/.exec(subject)?.[1] === name;
}

/**
 * Reads what a helm-charts commit did to the service `name`: the trailers
 * when Slipway wrote them, else the subject (CI's `ci(<name>): deploy
 * <tag>`, a promote subject, or git's `Revert "…"` with `This reverts
 * commit <sha>.`). Values that break the name, tag or SHA rules are left
 * out; a commit naming another service, or anything else, is `other`.
 *
 * @public
 */
export function parseChartCommit(
  message: string,
  name: string,
): ParsedChartCommit {
  const { paragraphs, subject } = messageParts(message);
  const revertedSha =
    /^This reverts commit ([0-9a-f]{40}|[0-9a-f]{64})\b/m.exec(
      paragraphs.slice(1).join('\n'),
    )?.[1];

  const T = CHART_COMMIT_TRAILERS;
  const trailers = readTrailers(paragraphs);
  const action = trailers?.get(T.action.toLowerCase());
  if (
    trailers &&
    (action === 'deploy' || action === 'promote' || action === 'rollback')
  ) {
    const service = trailers.get(T.service.toLowerCase());
    if (service !== undefined && service !== name) return { kind: 'other' };
    return strip({
      kind: action,
      tag: valid(trailers.get(T.imageTag.toLowerCase()), checkImageTag),
      environment: validEnv(trailers.get(T.environment.toLowerCase())),
      reverts:
        action === 'rollback'
          ? valid(trailers.get(T.reverts.toLowerCase()), checkCommitSha) ??
            revertedSha
          : undefined,
      requestedBy: valid(
        trailers.get(T.requestedBy.toLowerCase()),
        checkEntityRef,
      ),
      from:
        action === 'promote'
          ? validEnv(/ from (\S+) to \S+$/.exec(subject)?.[1])
          : undefined,
    });
  }

  const deploy = /^ci\(([^()\s]+)\): deploy (\S+)$/.exec(subject);
  if (deploy) {
    return deploy[1] === name && !checkImageTag(deploy[2])
      ? { kind: 'deploy', tag: deploy[2] }
      : { kind: 'other' };
  }
  const promote = /^promote\(([^()\s]+)\): (\S+) from (\S+) to (\S+)$/.exec(
    subject,
  );
  if (promote) {
    return promote[1] === name && !checkImageTag(promote[2])
      ? strip({
          kind: 'promote',
          tag: promote[2],
          environment: validEnv(promote[4]),
          from: validEnv(promote[3]),
        })
      : { kind: 'other' };
  }
  if (/^(?:Revert|Reapply) ".*"$/.test(subject)) {
    return strip({ kind: 'rollback', reverts: revertedSha });
  }
  return { kind: 'other' };
}

function strip(p: ParsedChartCommit): ParsedChartCommit {
  return Object.fromEntries(
    Object.entries(p).filter(([, v]) => v !== undefined),
  ) as ParsedChartCommit;
}

/**
 * The message of the commit that adds a service's chart
 * (`gitops:chart:register`): `feat(<name>): register chart` and what the
 * chart was rendered with.
 *
 * @public
 */
export function formatChartRegisterCommit(c: {
  name: string;
  imageRepository: string;
  imageTag: string;
  namespace: string;
  roleArn?: string;
  environments: string[];
}): string {
  return [
    `feat(${c.name}): register chart`,
    '',
    `Adds ${chartPathOf(c.name)}/ for ${ownerTagValue(
      c.name,
    )}, from the base chart.`,
    '',
    `Image:           ${c.imageRepository}:${c.imageTag}`,
    `Service account: ${c.namespace}/${c.name}`,
    `IAM role:        ${c.roleArn ?? '(none)'}`,
    `Environments:    ${c.environments
      .map(e => `values-${e}.yaml`)
      .join(', ')}`,
    '',
    'Committed by the Slipway portal (gitops:chart:register).',
  ].join('\n');
}

/**
 * The message of the commit that removes a service's chart
 * (`gitops:chart:unregister`).
 *
 * @public
 */
export function formatChartUnregisterCommit(c: {
  name: string;
  entityRef: string;
}): string {
  return `chore(${c.name}): unregister chart\n\nRemoves ${chartPathOf(
    c.name,
  )}/ (${
    c.entityRef
  }).\n\nCommitted by the Slipway portal (gitops:chart:unregister).`;
}
