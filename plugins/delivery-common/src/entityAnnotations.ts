/*
 * The delivery annotations of an entity, read and checked in one place: the
 * status sections, the release actions and the page all ask this module
 * what an annotation says, instead of parsing it each on its own.
 */

import { ANNOTATIONS } from './annotations';

/** An annotation's reading: its value, or why it cannot be used. @public */
export type AnnotationReading<T> =
  | { ok: true; value: T }
  | { ok: false; problem: string };

/** The part of a catalog entity the annotations are read from. @public */
export interface AnnotatedEntity {
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
}

/**
 * What an entity's delivery annotations say. A field is undefined when its
 * annotation is not set; `chart` is always there (it defaults to
 * `charts/<entity name>`).
 *
 * @public
 */
export interface DeliveryAnnotations {
  /** `github.com/project-slug`. */
  githubRepository?: AnnotationReading<{
    owner: string;
    repo: string;
    slug: string;
  }>;
  /** `jenkins.io/job-full-name`, optionally `<instance>:<folder>/<job>`. */
  jenkinsJob?: AnnotationReading<{
    instance?: string;
    job: string;
    folder: string;
  }>;
  /** `aws.amazon.com/aws-ecr-repository-arn`. */
  ecrRepository?: AnnotationReading<{ arn: string; accountId: string }>;
  /** `argocd/app-name` or `argocd/app-selector`, with `slipway.io/argocd-instance`. */
  argocdApplications?: AnnotationReading<{
    instance?: string;
    appName?: string;
    selector?: string;
  }>;
  /** `slipway.io/chart-path`, else `charts/<entity name>`. */
  chart: AnnotationReading<{ path: string; name: string }>;
}

const SLUG = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const ECR_ARN = /^arn:aws[a-z-]*:ecr:[a-z0-9-]+:(\d{12}):repository\//;
const APP_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SELECTOR =
  /^[A-Za-z0-9_./-]+(!=|==|=)[A-Za-z0-9_.-]*(,[A-Za-z0-9_./-]+(!=|==|=)[A-Za-z0-9_.-]*)*$/;
const CHART_PATH = /^charts\/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$/;

const ok = <T>(value: T): AnnotationReading<T> => ({ ok: true, value });
const bad = (problem: string): AnnotationReading<never> => ({
  ok: false,
  problem,
});

/**
 * The folder of a service's chart in the helm-charts repository.
 *
 * @public
 */
export function chartPathOf(name: string): string {
  return `charts/${name}`;
}

/** Reads every delivery annotation of `entity`. @public */
export function readDeliveryAnnotations(
  entity: AnnotatedEntity,
): DeliveryAnnotations {
  const a = entity.metadata.annotations ?? {};
  const result: DeliveryAnnotations = { chart: readChart(entity) };

  const slug = a[ANNOTATIONS.githubProjectSlug];
  if (slug !== undefined) {
    const [owner, repo] = slug.split('/');
    result.githubRepository =
      SLUG.test(slug) && !slug.includes('..')
        ? ok({ owner, repo, slug })
        : bad(
            `${ANNOTATIONS.githubProjectSlug} must be <owner>/<repo> (got '${slug}')`,
          );
  }

  const job = a[ANNOTATIONS.jenkinsJobFullName];
  if (job) {
    // The community plugin's `<instance>:<job>` form names the instance.
    const [instance, name] = job.includes(':')
      ? job.split(':', 2)
      : [undefined, job];
    result.jenkinsJob = ok({
      instance,
      job: name,
      folder: name.split('/')[0],
    });
  }

  const arn = a[ANNOTATIONS.ecrRepositoryArn];
  if (arn !== undefined) {
    const accountId = ECR_ARN.exec(arn)?.[1];
    result.ecrRepository = accountId
      ? ok({ arn, accountId })
      : bad(`${ANNOTATIONS.ecrRepositoryArn} is not an ECR repository ARN`);
  }

  const instance = a[ANNOTATIONS.argocdInstance];
  const appName = a[ANNOTATIONS.argocdAppName];
  const selector = a[ANNOTATIONS.argocdAppSelector];
  if (appName) {
    result.argocdApplications = APP_NAME.test(appName)
      ? ok({ instance, appName })
      : bad(`${ANNOTATIONS.argocdAppName} is not an application name`);
  } else if (selector) {
    result.argocdApplications = SELECTOR.test(selector)
      ? ok({ instance, selector })
      : bad(`${ANNOTATIONS.argocdAppSelector} is not a label selector`);
  }
  return result;
}

function readChart(entity: AnnotatedEntity): DeliveryAnnotations['chart'] {
  const path =
    entity.metadata.annotations?.[ANNOTATIONS.chartPath] ??
    chartPathOf(entity.metadata.name);
  const name = CHART_PATH.exec(path)?.[1];
  return name
    ? ok({ path, name })
    : bad(`${ANNOTATIONS.chartPath} must be charts/<name> (got '${path}')`);
}
