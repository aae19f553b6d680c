import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  hasControlChar,
  type Build,
  type BuildSection,
  type BuildStatus,
} from '@internal/backstage-plugin-delivery-common';

/**
 * One Jenkins instance, as configured under `jenkins.instances` (the
 * community Jenkins plugin's format).
 *
 * @public
 */
export interface JenkinsInstanceConfig {
  name: string;
  /** Base URL of the Jenkins server, e.g. https://jenkins.example.com. */
  baseUrl: string;
  username: string;
  /** The user's API token. */
  apiKey: string;
}

/** How to build a {@link JenkinsClient}. @public */
export interface JenkinsClientOptions {
  instance: JenkinsInstanceConfig;
  fetch?: typeof fetch;
  /** A request taking longer than this fails. Default 10000 ms. */
  timeoutMs?: number;
}

/** Options of {@link JenkinsClient.getBuilds}. @public */
export interface JenkinsGetBuildsOptions {
  /** Newest builds returned, 1 to 100. */
  limit: number;
}

/** The part of a build the `tree=` query asks for. */
interface JenkinsBuildJson {
  number?: number;
  url?: string;
  result?: string | null;
  building?: boolean;
  timestamp?: number;
  duration?: number;
  actions?: Array<{ lastBuiltRevision?: { SHA1?: string } } | null>;
}

interface JenkinsJobJson {
  url?: string;
  builds?: JenkinsBuildJson[];
}

const BUILD_FIELDS =
  'number,url,result,building,timestamp,duration,actions[lastBuiltRevision[SHA1]]';

/** A job or folder name as Jenkins allows it in a full name segment. */
function problemOfSegment(segment: string): string | undefined {
  if (!segment.trim()) return 'has an empty segment';
  if (segment === '.' || segment === '..' || segment.includes('..'))
    return `has the segment '${segment}', which is not a job name`;
  if (/[\\?#%]/.test(segment) || hasControlChar(segment))
    return `has the segment '${segment}' with a character Jenkins does not allow in job names`;
  return undefined;
}

/**
 * Maps a Jenkins build's `result` and `building` to a {@link BuildStatus}:
 * building is running, SUCCESS succeeded, FAILURE and UNSTABLE failed,
 * ABORTED aborted, no result yet (and not building) queued.
 *
 * @public
 */
export function jenkinsBuildStatus(
  result: string | null | undefined,
  building: boolean | undefined,
): BuildStatus {
  if (building) return 'running';
  switch (result) {
    case 'SUCCESS':
      return 'succeeded';
    case 'FAILURE':
    case 'UNSTABLE':
      return 'failed';
    case 'ABORTED':
      return 'aborted';
    case null:
    case undefined:
      return 'queued';
    default:
      return 'unknown'; // NOT_BUILT, or a result newer than this code
  }
}

/**
 * Reads one Jenkins instance's JSON API with Basic auth (user and API
 * token). Each call is one request, narrowed by `tree=` to the fields the
 * delivery status shows. Errors name the instance and the job, never the
 * credentials.
 *
 * @public
 */
export class JenkinsClient {
  readonly name: string;
  readonly baseUrl: string;
  readonly #authorization: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: JenkinsClientOptions) {
    const { instance } = options;
    if (!instance.username || !instance.apiKey) {
      throw new InputError(
        `Jenkins instance '${instance.name}' needs a username and an apiKey`,
      );
    }
    let parsed: URL;
    try {
      parsed = new URL(instance.baseUrl);
    } catch {
      throw new InputError(
        `Jenkins instance '${instance.name}' has a baseUrl that is not a URL`,
      );
    }
    if (!['http:', 'https:'].includes(parsed.protocol)) {
      throw new InputError(
        `Jenkins instance '${instance.name}' needs an http(s) baseUrl`,
      );
    }
    this.name = instance.name;
    this.baseUrl = instance.baseUrl.replace(/\/+$/, '');
    this.#authorization = `Basic ${Buffer.from(
      `${instance.username}:${instance.apiKey}`,
    ).toString('base64')}`;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * The URL path of a job from its full name (`folder/job`): each segment
   * checked and URL-encoded under `/job/`. Throws InputError for an empty
   * segment, `..`, or a character Jenkins does not allow.
   */
  static jobPath(jobFullName: string): string {
    if (typeof jobFullName !== 'string' || !jobFullName) {
      throw new InputError('A Jenkins job full name is required');
    }
    const segments = jobFullName.split('/');
    for (const s of segments) {
      const problem = problemOfSegment(s);
      if (problem) {
        throw new InputError(
          `Jenkins job full name '${jobFullName}' ${problem}`,
        );
      }
    }
    return segments.map(s => `/job/${encodeURIComponent(s)}`).join('');
  }

  /** The job's page on Jenkins. */
  jobUrl(jobFullName: string): string {
    return `${this.baseUrl}${JenkinsClient.jobPath(jobFullName)}/`;
  }

  /**
   * The job's newest builds, newest first: exactly one GET of the job's JSON
   * API, its `tree=` asking for `limit` builds. NotFoundError when Jenkins
   * has no such job; ServiceUnavailableError for any other failure.
   */
  async getBuilds(
    jobFullName: string,
    options: JenkinsGetBuildsOptions,
  ): Promise<BuildSection> {
    const path = JenkinsClient.jobPath(jobFullName);
    const limit = options.limit;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new InputError(
        `limit must be an integer from 1 to 100 (got ${limit})`,
      );
    }
    const tree = `url,builds[${BUILD_FIELDS}]{0,${limit}}`;
    const url = `${this.baseUrl}${path}/api/json?tree=${encodeURIComponent(
      tree,
    )}`;
    const job = await this.#get<JenkinsJobJson>(url, jobFullName);
    const builds = (job.builds ?? [])
      .filter(b => typeof b.number === 'number')
      .map(b => this.#build(b, jobFullName))
      .sort((a, b) => b.number - a.number)
      .slice(0, limit);
    return {
      provider: 'jenkins',
      url: job.url ?? this.jobUrl(jobFullName),
      builds,
    };
  }

  #build(b: JenkinsBuildJson, jobFullName: string): Build {
    const status = jenkinsBuildStatus(b.result, b.building);
    const started =
      typeof b.timestamp === 'number' ? new Date(b.timestamp) : undefined;
    const finished = !b.building && status !== 'queued';
    const commitSha = b.actions?.find(a => a?.lastBuiltRevision?.SHA1)
      ?.lastBuiltRevision?.SHA1;
    const build: Build = {
      number: b.number!,
      status,
      startedAt: started ? started.toISOString() : '',
      url: b.url ?? `${this.jobUrl(jobFullName)}${b.number}/`,
    };
    if (commitSha) build.commitSha = commitSha;
    if (finished && started && typeof b.duration === 'number') {
      build.durationMs = b.duration;
      build.finishedAt = new Date(started.getTime() + b.duration).toISOString();
    }
    return build;
  }

  async #get<T>(url: string, jobFullName: string): Promise<T> {
    const what = `Jenkins job '${jobFullName}' on instance '${this.name}'`;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method: 'GET',
        headers: {
          authorization: this.#authorization,
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      const reason =
        (e as Error)?.name === 'TimeoutError'
          ? `no answer within ${this.#timeoutMs} ms`
          : 'the request failed';
      throw new ServiceUnavailableError(`Could not read ${what}: ${reason}`);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw new NotFoundError(`${what} was not found`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      const hint =
        res.status === 401 || res.status === 403
          ? ' (check the instance username and apiKey)'
          : '';
      throw new ServiceUnavailableError(
        `Could not read ${what}: HTTP ${res.status}${hint}`,
      );
    }
    try {
      return (await res.json()) as T;
    } catch {
      throw new ServiceUnavailableError(
        `Could not read ${what}: the answer is not JSON`,
      );
    }
  }
}
