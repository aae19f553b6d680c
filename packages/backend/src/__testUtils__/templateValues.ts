/**
 * The "Create component" wizard's answers for a node service `name` owned
 * by payments-team, with its repository on the sandbox's GitHub
 * (`githubUrl`): what the tests that run the service template submit.
 */
export function serviceTemplateValues(
  name: string,
  githubUrl: string,
  description: string,
): Record<string, unknown> {
  return {
    name,
    description,
    owner: 'group:default/payments-team',
    runtime: 'node',
    ci: 'jenkins',
    namespace: name,
    port: 8080,
    environments: ['dev', 'staging'],
    replicas: 2,
    autoscaling: true,
    minReplicas: 2,
    maxReplicas: 4,
    awsPermissions: [],
    repoUrl: `${new URL(githubUrl).host}?owner=slipway-demo&repo=${name}`,
    adopt: false,
  };
}
