/*
 * Configuration read by Slipway's provisioning actions and delivery
 * backend (through the clients in this package). app-config.yaml points
 * every upstream at the local sandbox; app-config.production.yaml at the
 * real ones.
 */
export interface Config {
  slipway?: {
    /**
     * The environments a service is deployed to, in promotion order: CI's
     * builds deploy the first, Promote moves an image to the next. The
     * wizard creates one Argo CD Application per chosen environment
     * (`<service>-<env>`, `values.yaml` + `values-<env>.yaml`) and one IAM
     * role whose trust covers each chosen environment's cluster. The
     * template's environment choices come from this list. A list the portal
     * cannot deploy (no environment, a repeated name, two environments in
     * the same namespace of the same cluster, an unknown Argo CD instance)
     * stops the backend at start-up with a message naming each problem.
     * Default: the names in the older `slipway.gitops.environments`, all
     * on `slipway.argocd.destinationServer` and `slipway.aws.eks.clusterName`.
     */
    environments?: Array<{
      /** Lowercase DNS label, e.g. 'dev'; the chart's values-<name>.yaml. */
      name: string;
      argocd?: {
        /**
         * Argo CD instance (by name, from argocd.appLocatorMethods) that
         * holds this environment's Applications. Default:
         * slipway.argocd.defaultInstance, else the first instance.
         */
        instance?: string;
        /**
         * The Application's destination: an Argo CD cluster by `server`
         * URL or by `name` (exactly one). Default: server
         * slipway.argocd.destinationServer (https://kubernetes.default.svc).
         */
        destination?: { server?: string; name?: string };
        /**
         * Namespace pattern: `{namespace}` is the namespace chosen in the
         * wizard, `{env}` this environment's name, e.g. '{namespace}-{env}'
         * for environments sharing a cluster. Default '{namespace}'.
         */
        namespace?: string;
      };
      /**
       * The EKS cluster the environment runs on. The service's IAM role
       * trusts its OIDC provider, registered in slipway.aws.accountId, for
       * the service account in this environment's namespace. Default:
       * slipway.aws.eks.clusterName.
       */
      cluster?: {
        name: string;
        /**
         * The cluster's OIDC issuer URL, for a cluster Slipway's AWS
         * credentials cannot describe (another account); its issuer must
         * be registered as an IAM OIDC provider in slipway.aws.accountId.
         * Default: read with eks:DescribeCluster.
         */
        oidcIssuer?: string;
      };
      /**
       * How a promotion into this environment reaches helm-charts: 'commit'
       * (default), or 'pull-request' for an approval: the promotion opens a
       * pull request and the environment moves when it is merged. Rollback
       * always commits (an incident does not wait for a review). Not
       * allowed on the first environment, which nothing is promoted into.
       */
      changes?: 'commit' | 'pull-request';
    }>;
    /** Who may change which service, beyond each service's owners. */
    permissions?: {
      /**
       * Group refs (e.g. group:default/platform-team) whose members may roll
       * back, promote, adopt into and decommission every service, and are
       * the only users who register catalog Locations.
       */
      platformGroups?: string[];
    };
    /**
     * Namespaces no service may deploy into, besides `kube-*`, `default` and
     * `argocd` (always reserved). Exact names, or a prefix ending in `*`
     * (e.g. `platform-*`). The wizard's preflight and the actions refuse them.
     */
    reservedNamespaces?: string[];
    aws?: {
      /** AWS account that holds the ECR repositories and IAM roles. */
      accountId: string;
      /** Region of ECR and the EKS cluster. */
      region: string;
      /**
       * Endpoint for every AWS client. Only for the local sandbox; leave
       * unset in production so the SDK uses AWS's own endpoints. Credentials
       * come from Backstage's AWS integration (`aws.mainAccount` /
       * `aws.accounts`, @backstage/integration-aws-node), or the SDK's
       * default chain (IRSA) when that is not configured.
       */
      endpoint?: string;
      /**
       * Most attempts of one AWS call. The clients use the SDK's adaptive
       * retry mode (exponential backoff with jitter, client-side rate
       * limiting while throttled); each retry is a line in the task log.
       * Default 8, at most 20.
       */
      maxAttempts?: number;
      ecr?: {
        /** Tag mutability of new repositories. Default 'IMMUTABLE'. */
        imageTagMutability?: 'IMMUTABLE' | 'MUTABLE';
        /** Encryption of new repositories. Default AES256. */
        encryption?: {
          type: 'AES256' | 'KMS';
          /** KMS key ARN when type is KMS; AWS's managed key when unset. */
          kmsKey?: string;
        };
        /** Lifecycle policy of new repositories. */
        lifecycle?: {
          /** Tagged images kept. Default 30. */
          keepTaggedImages?: number;
          /** Untagged images expire after this many days. Default 7. */
          expireUntaggedAfterDays?: number;
        };
        /**
         * IAM principal ARNs allowed to pull from every new repository (the
         * cluster's node role). Default: none (no repository policy).
         */
        pullPrincipals?: string[];
      };
      iam?: {
        /** Permissions boundary policy ARN put on every role Slipway creates. */
        permissionsBoundaryArn: string;
        /** Path of the roles Slipway creates. Default '/slipway/'. */
        rolePath?: string;
        /**
         * The AWS permissions a template may ask for, by name. A role gets
         * only these; a statement with '*' as action on '*' as resource is
         * refused at start-up.
         */
        allowedPolicies?: Array<{
          /** Name a template refers to, e.g. 's3-read-reports'. */
          name: string;
          /** What the policy allows, shown in the wizard. */
          description?: string;
          statements: Array<{
            actions: string[];
            resources: string[];
          }>;
        }>;
      };
      eks?: {
        /**
         * The EKS cluster of environments that name none
         * (slipway.environments[].cluster), and of the older
         * slipway.gitops.environments.
         */
        clusterName: string;
      };
    };
    gitops?: {
      helmCharts: {
        /**
         * Web URL of the helm-charts GitOps repository on a host configured
         * under integrations.github (its token is used), e.g.
         * https://github.com/acme/helm-charts. Changes are written through
         * the host's Git Data REST API (github.com or GitHub Enterprise
         * Server, at the integration's apiBaseUrl); nothing is cloned.
         */
        repoUrl: string;
        /** Branch Argo CD deploys from. Default 'main'. */
        branch?: string;
        /**
         * 'push' commits straight to the branch (fast-forward only);
         * 'pull-request' opens a pull request instead. Default 'push'.
         */
        mode?: 'push' | 'pull-request';
      };
      /**
       * Folder of the base chart copied to charts/<name>/ for each service,
       * relative to the backend's working directory. Default
       * '../../charts/service' (this repo's charts/service).
       */
      baseChartDir?: string;
      /**
       * Environment names, one values-<env>.yaml each, all on one cluster.
       * Default [dev, staging, prod].
       * @deprecated Use slipway.environments, which also says where each
       * environment deploys and how promotions reach it.
       */
      environments?: string[];
    };
    argocd?: {
      /**
       * Instance (by name, from argocd.appLocatorMethods) used when a
       * template names none. Default: the first configured instance.
       */
      defaultInstance?: string;
      /** Argo CD project of every Application Slipway creates. */
      project: string;
      /** Destination cluster of every Application. Default https://kubernetes.default.svc. */
      destinationServer?: string;
      /** Namespace of the Application objects. Default 'argocd'. */
      namespace?: string;
      /**
       * How long an Argo CD session token that is not a JWT is reused before
       * signing in again (a JWT is reused until its `exp`). Default 600.
       */
      sessionTtlSeconds?: number;
    };
  };

  /**
   * Jenkins instances, in the format the community Jenkins plugin reads, so
   * both share it. The delivery backend reads builds with the instance's
   * user and API token (Basic auth).
   */
  jenkins?: {
    /**
     * Single-instance form: the instance named 'default'. Default: unset
     * (use `instances`).
     */
    baseUrl?: string;
    username?: string;
    /** @visibility secret */
    apiKey?: string;
    /** Default: none (no Jenkins builds are read). */
    instances?: Array<{
      /** Name of the instance; the one named 'default' is used when none is named. */
      name: string;
      /** Base URL of the Jenkins server, e.g. https://jenkins.example.com. */
      baseUrl: string;
      /** The Jenkins user the API token belongs to. */
      username: string;
      /**
       * The user's API token.
       * @visibility secret
       */
      apiKey: string;
    }>;
  };

  /** Argo CD instances, in the format Roadie's Argo CD plugin reads, so both share it. */
  argocd?: {
    appLocatorMethods?: Array<{
      type: 'config';
      instances: Array<{
        name: string;
        url: string;
        /**
         * An Argo CD API token. Either this or username and password.
         * @visibility secret
         */
        token?: string;
        username?: string;
        /** @visibility secret */
        password?: string;
      }>;
    }>;
  };
}
