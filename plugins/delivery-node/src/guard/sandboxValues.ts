/**
 * The local sandbox's well-known users, credentials and secrets: public,
 * meaningless anywhere else, and kept in this one place. The sandbox
 * accepts exactly these; the production guard refuses any of the secrets
 * wherever it shows up in the configuration.
 *
 * @public
 */
export const SANDBOX_WELL_KNOWN = {
  githubToken: 'sandbox-github-token',
  githubUser: 'slipway-bot',
  jenkinsUser: 'slipway',
  jenkinsToken: 'sandbox-jenkins-token',
  argocdUser: 'admin',
  argocdPassword: 'sandbox-argocd-password',
  awsAccessKeyId: 'AKIASLIPWAYSANDBOX01',
  awsSecretAccessKey: 'slipwaySandboxOnlySecretNotForRealAws0000',
  webhookSecret: 'sandbox-webhook-secret',
};

/** The secrets among them, with what each is, for the guard's message. */
export const SANDBOX_SECRETS: ReadonlyArray<[value: string, what: string]> = [
  [SANDBOX_WELL_KNOWN.githubToken, "the sandbox's GitHub token"],
  [SANDBOX_WELL_KNOWN.jenkinsToken, "the sandbox's Jenkins token"],
  [SANDBOX_WELL_KNOWN.argocdPassword, "the sandbox's Argo CD password"],
  [SANDBOX_WELL_KNOWN.awsAccessKeyId, "the sandbox's AWS access key"],
  [SANDBOX_WELL_KNOWN.awsSecretAccessKey, "the sandbox's AWS secret key"],
  [SANDBOX_WELL_KNOWN.webhookSecret, "the sandbox's webhook secret"],
];
