export interface Config {
  slipway?: {
    /**
     * The delivery backend: the status behind the catalog page's build,
     * image and sync cards and the Delivery tab, and rollback/promote.
     * Upstream connections are the ones the scaffolder modules use
     * (`integrations.github`, `slipway.aws`, `argocd`, `jenkins`,
     * `slipway.gitops.helmCharts`); environments, in promotion order, are
     * `slipway.gitops.environments`.
     */
    delivery?: {
      /**
       * How long an upstream's answer for one entity is served from the
       * cache before the upstream is asked again. Default 15.
       */
      cacheTtlSeconds?: number;
      /**
       * The same, while a change is in motion for the entity (a build
       * running, an application syncing or progressing, the newest commit
       * built but not yet healthy), so its page follows the change closely.
       * Default 3.
       */
      activeCacheTtlSeconds?: number;
      /**
       * How long an upstream failure is remembered before the upstream is
       * asked again. Default 10.
       */
      failureTtlSeconds?: number;
      /**
       * How long the last good answer is served, marked stale, while its
       * upstream fails. Default 86400 (one day).
       */
      staleMaxSeconds?: number;
      /** An upstream call taking longer than this fails its section. Default 10. */
      upstreamTimeoutSeconds?: number;
      /** Builds, images and commits shown per entity. Default 10. */
      listLimit?: number;
      /** Argo CD sync history entries kept per application. Default 10. */
      historyLimit?: number;
      /**
       * The deployment history: every deployment DORA counts, kept in the
       * plugin's database (shared by every replica) so the 30- and 90-day
       * figures outlive Argo CD's bounded history.
       */
      history?: {
        /** Days a deployment, health change, app commit, build or image is kept; older rows are deleted hourly by one replica. Default 400. */
        retentionDays?: number;
        /**
         * How often one replica (the scheduler's global scope) lists every
         * Argo CD application bound to a service, one call per instance,
         * and records health changes (how DORA sees a failure that was
         * fixed instead of rolled back, and when it began) and, when an
         * application's revision or health moved, each chart's new
         * deployments from helm-charts' newest commits (one GitHub call).
         * A helm-charts push webhook runs it at once. Default 60.
         */
        pollIntervalSeconds?: number;
      };
      /**
       * Entities a push webhook's notes remember, and whose sections are
       * cached at once when there is no shared store (backend.cache). With
       * one, its own memory and TTLs bound the cache. Default 2000.
       */
      cacheMaxEntities?: number;
      /**
       * What an entity's annotations may point the status at. A value
       * outside these lists is reported ("outside ...") and never read, so
       * an entity cannot make the portal read another organisation's
       * repository, Jenkins folder, AWS account or Argo CD instance with the
       * portal's credentials. `'*'` allows any.
       */
      allowed?: {
        /** GitHub organisations (github.com/project-slug). Default: the helm-charts repository's owner. */
        githubOrgs?: string[];
        /** Top-level Jenkins folders (jenkins.io/job-full-name). Default: the helm-charts repository's owner. */
        jenkinsFolders?: string[];
        /** AWS accounts of ECR repositories (aws.amazon.com/aws-ecr-repository-arn). Default: slipway.aws.accountId. */
        awsAccounts?: string[];
        /** Argo CD instances (slipway.io/argocd-instance). Default: every configured instance. */
        argocdInstances?: string[];
      };
      /**
       * Whether a resource must carry the entity's binding to be shown: the
       * `slipway.io/owner` tag or label (ECR, Argo CD), the entity declared
       * in the repository's catalog-info.yaml (GitHub). A resource without it is reported as "not proven to
       * belong to this service". Set false for an upstream whose resources
       * predate Slipway. Defaults true.
       */
      requireBinding?: {
        /** The repository's catalog-info.yaml must declare the entity. */
        github?: boolean;
        ecr?: boolean;
        argocd?: boolean;
      };
    };
  };
}
