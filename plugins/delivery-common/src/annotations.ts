/**
 * Entity annotations the delivery cards and the provisioning actions read
 * and write. The first four are the community plugins' own names, so their
 * cards work on the same entities.
 *
 * @public
 */
export const ANNOTATIONS = {
  /** `<owner>/<repo>` of the app repository (GitHub plugins). */
  githubProjectSlug: 'github.com/project-slug',
  /** `<folder>/<job>` of the Jenkins job (community Jenkins plugin). */
  jenkinsJobFullName: 'jenkins.io/job-full-name',
  /** The Argo CD Application's name (Roadie's Argo CD plugin). */
  argocdAppName: 'argocd/app-name',
  /** A label selector for the service's Argo CD Applications, one per environment (Roadie's Argo CD plugin). */
  argocdAppSelector: 'argocd/app-selector',
  /** The ECR repository ARN (awslabs' ECR plugin). */
  ecrRepositoryArn: 'aws.amazon.com/aws-ecr-repository-arn',
  /** The Argo CD instance, when there are several. */
  argocdInstance: 'slipway.io/argocd-instance',
  /** `charts/<name>` in the helm-charts repository. */
  chartPath: 'slipway.io/chart-path',
} as const;

/**
 * The tag (AWS) or label key Slipway puts on everything it creates for a
 * service; its value is the owning entity ref (`component:default/<name>`).
 * Removal actions and adopt-on-rerun touch only resources carrying it.
 *
 * @public
 */
export const OWNER_TAG = 'slipway.io/owner';

/**
 * The tag (AWS) or annotation Slipway adds next to OWNER_TAG on what a
 * wizard run creates: the scaffolder task's id. A Retry of that task adopts
 * what carries its own id; anything else is taken over only on purpose
 * (the `adopt` input, for the entity's owners), never by a new run.
 *
 * @public
 */
export const TASK_TAG = 'slipway.io/task';

/**
 * Label on each Argo CD Application Slipway creates: the environment it
 * deploys (an entry of `slipway.environments`).
 *
 * @public
 */
export const ENVIRONMENT_LABEL = 'slipway.io/environment';

/** The owner tag's value for a service. @public */
export function ownerTagValue(name: string, namespace = 'default'): string {
  return `component:${namespace}/${name}`;
}
