/*
 * What a fresh sandbox holds: the slipway-demo org, a helm-charts repo, two
 * EKS clusters (non-prod and prod) with their OIDC issuers, registered with
 * Argo CD as destinations, an Argo CD project, and the three example
 * services of examples/services.yaml, each with a short history of commits,
 * builds, images and syncs, so their catalog pages are not empty.
 */

import type { Sandbox } from './server';

/** The seeded EKS clusters: non-prod runs dev and staging, prod runs prod. */
const CLUSTERS = { nonprod: 'slipway-nonprod', prod: 'slipway-prod' };

export const SEED = {
  org: 'slipway-demo',
  clusters: CLUSTERS,
  /** The non-prod cluster, for callers that know a single cluster. */
  cluster: CLUSTERS.nonprod,
  argocdProject: 'slipway',
  accountId: '123456789012',
  region: 'eu-west-1',
  services: [
    { name: 'payments-api', ci: 'jenkins', runtime: 'python' },
    { name: 'ledger-worker', ci: 'jenkins', runtime: 'node' },
    { name: 'docs-portal', ci: 'github-actions', runtime: 'node' },
  ] as const,
};

const CHANGES = [
  'feat: first version of the service',
  'fix: return 503 from /readyz until the database answers',
  'chore: log request ids',
];

function appFiles(
  name: string,
  ci: string,
  runtime: string,
  step: number,
): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': `# ${name}\n\nAn example service in the Slipway sandbox.\n`,
    'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:payments-team\n`,
    Dockerfile: `FROM ${
      runtime === 'python' ? 'python:3.12-slim' : 'node:22-slim'
    }\nUSER 10001\n`,
    [runtime === 'python'
      ? 'app/main.py'
      : 'src/index.ts']: `// ${name}, revision ${step}\n`,
  };
  if (ci === 'jenkins')
    files.Jenkinsfile = `// Kaniko build, push <ecr>/${name}:<sha7>-<build>, bump helm-charts\n`;
  else files['.github/workflows/ci.yaml'] = `name: ci\non: push\njobs: {}\n`;
  return files;
}

function chartFiles(
  name: string,
  repositoryUri: string,
  roleArn: string,
): Record<string, string> {
  return {
    // Bound to its entity, as gitops:chart:register writes it.
    [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\nannotations:\n  slipway.io/owner: component:default/${name}\n`,
    [`charts/${name}/values.yaml`]: [
      `# ${name}: values every environment shares.`,
      '# CI changes image.tag; everything else is reviewed by people.',
      'image:',
      `  repository: ${repositoryUri}`,
      '  tag: bootstrap # replaced by the first build',
      'serviceAccount:',
      `  name: ${name}`,
      '  annotations:',
      `    eks.amazonaws.com/role-arn: ${roleArn}`,
      'autoscaling:',
      '  enabled: true',
      '  minReplicas: 2',
      '  maxReplicas: 5',
      '',
    ].join('\n'),
    [`charts/${name}/values-dev.yaml`]: '# dev overrides\nreplicaCount: 1\n',
    // Promoted environments pin image.tag here (the delivery page's Promote).
    [`charts/${name}/values-staging.yaml`]:
      '# staging overrides\nreplicaCount: 2\n',
    [`charts/${name}/values-prod.yaml`]: '# prod overrides\nreplicaCount: 3\n',
  };
}

/**
 * The sandbox's clusters and Argo CD project: each EKS cluster (with its
 * OIDC issuer) an Argo CD destination at the API server endpoint EKS gives
 * for it, and the project allowing them. Idempotent: run by the seed, and
 * on every start of an existing sandbox, so a data folder from before a
 * cluster was added gets it.
 */
export function ensureTopology(sb: Sandbox) {
  const clusters = Object.values(SEED.clusters).map(name => {
    const { issuer, endpoint } = sb.aws.ensureCluster(name);
    sb.argocd.ensureCluster(name, endpoint);
    return { name, issuer, endpoint };
  });
  const hc = sb.helmCharts;
  sb.argocd.ensureProject(SEED.argocdProject, {
    description: 'Services created by Slipway',
    sourceRepos: [sb.repos.cloneUrl(hc.owner, hc.repo)],
    destinations: [
      { server: 'https://kubernetes.default.svc', namespace: '*' },
      ...clusters.flatMap(c => [
        { name: c.name, namespace: '*' },
        { server: c.endpoint, namespace: '*' },
      ]),
    ],
    clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
  });
  return clusters;
}

export async function seedSandbox(sb: Sandbox, log: (line: string) => void) {
  const started = Date.now();
  const { org } = SEED;
  const hc = sb.helmCharts;
  sb.github.ensureUser(org, 'Organization');
  sb.github.ensureUser('slipway-bot');
  const clusters = ensureTopology(sb);

  await sb.github.createRepo(hc.owner, hc.repo, {
    description: 'GitOps: one chart per service',
    defaultBranch: hc.branch,
  });
  await sb.repos.commitFiles(
    hc.owner,
    hc.repo,
    hc.branch,
    {
      'README.md':
        '# helm-charts\n\nOne chart per service under charts/<name>/. Argo CD deploys from here.\n',
      '.github/workflows/charts.yaml':
        'name: charts\non: [push, pull_request]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: for c in charts/*/; do helm lint "$c" && helm template "$c" | kubeconform -strict -summary; done\n',
    },
    'chore: bootstrap helm-charts',
  );

  const chartsUrl = sb.repos.cloneUrl(hc.owner, hc.repo);
  for (const s of SEED.services) {
    sb.aws.ensureRepository(s.name, {
      'slipway.io/owner': `component:default/${s.name}`,
    });
    const roleArn = `arn:aws:iam::${SEED.accountId}:role/slipway/${s.name}`;
    await sb.repos.commitFiles(
      hc.owner,
      hc.repo,
      hc.branch,
      chartFiles(s.name, sb.aws.repositoryUri(s.name), roleArn),
      `feat(${s.name}): register chart`,
    );
    await sb.github.createRepo(org, s.name, {
      description: `Example service ${s.name}`,
    });
    await sb.argocd.upsertApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: s.name,
        namespace: 'argocd',
        // The ownership marks the wizard writes (delivery-node's
        // ownershipMetadata), so the delivery backend accepts these apps.
        labels: {
          'backstage-name': s.name,
          'app.kubernetes.io/managed-by': 'slipway',
          'slipway.io/owner': `component.default.${s.name}`,
        },
        annotations: { 'slipway.io/owner': `component:default/${s.name}` },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: SEED.argocdProject,
        source: {
          repoURL: chartsUrl,
          path: `charts/${s.name}`,
          targetRevision: hc.branch,
          helm: { valueFiles: ['values-dev.yaml'] },
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: s.name,
        },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=true'],
          retry: {
            limit: 5,
            backoff: { duration: '5s', factor: 2, maxDuration: '3m' },
          },
        },
        ignoreDifferences: [
          {
            group: 'apps',
            kind: 'Deployment',
            jsonPointers: ['/spec/replicas'],
          },
        ],
      },
    });
  }

  // History: each service gets a few pushes, each built, imaged, bumped and synced.
  const restoreBuildMs = sb.setBuildMs(0);
  try {
    for (let step = 0; step < CHANGES.length; step++) {
      for (const s of SEED.services) {
        // A few minutes apart: the builds, images and syncs happen now, so
        // older dates would show hours-long builds on the delivery page.
        const date = new Date(
          Date.now() - (CHANGES.length - step) * 3 * 60_000,
        ).toISOString();
        const { sha, parent } = await sb.repos.commitFiles(
          org,
          s.name,
          'main',
          appFiles(s.name, s.ci, s.runtime, step),
          CHANGES[step],
          { name: 'Dana Developer', email: 'dana@example.com', date },
        );
        await sb.github.notifyPush(org, s.name, [
          {
            ref: 'refs/heads/main',
            before: parent ?? '0'.repeat(40),
            after: sha,
          },
        ]);
      }
      await sb.idle();
      await sb.argocd.reconcileNow();
    }
  } finally {
    restoreBuildMs();
  }
  log(
    `[sandbox] seeded org ${org}, ${
      SEED.services.length
    } services, clusters ${clusters
      .map(c => `${c.name} (${c.endpoint}, issuer ${c.issuer})`)
      .join(', ')} in ${Date.now() - started} ms`,
  );
}
