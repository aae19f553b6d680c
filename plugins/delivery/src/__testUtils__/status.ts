import type { Entity } from '@backstage/catalog-model';
import type {
  DeliveryStatus,
  Hop,
  HopName,
  RuntimeSection,
  Section,
} from '@internal/backstage-plugin-delivery-common';

/** A service as the "Create component" wizard leaves it. */
export const sampleEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: {
      'github.com/project-slug': 'slipway-demo/payments-api',
      'jenkins.io/job-full-name': 'slipway-demo/payments-api',
      'argocd/app-name': 'payments-api',
      'aws.amazon.com/aws-ecr-repository-arn':
        'arn:aws:ecr:eu-west-1:123456789012:repository/payments-api',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
};

export const sampleEntityRef = 'component:default/payments-api';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api';
const SHA_NEW = '3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3';
const SHA_OLD = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';

function iso(now: number, minutesAgo: number): string {
  return new Date(now - minutesAgo * 60_000).toISOString();
}

function hops(
  now: number,
  states: Record<HopName, Hop['state']>,
): Record<HopName, Hop> {
  return {
    pushed: { state: states.pushed, at: iso(now, 30), detail: 'main' },
    built: {
      state: states.built,
      at: iso(now, 26),
      durationMs: 240_000,
      detail: 'build #42',
      url: 'http://127.0.0.1:7074/job/slipway-demo/job/payments-api/42/',
    },
    imagePushed: {
      state: states.imagePushed,
      at: iso(now, 25),
      durationMs: 45_000,
      detail: '3f2a1bc-42 (2 critical, 1 high)',
    },
    tagBumped: {
      state: states.tagBumped,
      at: iso(now, 24),
      durationMs: 30_000,
      detail: 'helm-charts a1b2c3d',
      url: 'http://127.0.0.1:7071/slipway-demo/helm-charts/commit/a1b2c3d',
    },
    synced: {
      state: states.synced,
      ...(states.synced === 'done' && {
        at: iso(now, 22),
        durationMs: 125_000,
      }),
    },
    healthy: {
      state: states.healthy,
      ...(states.healthy === 'done' && {
        at: iso(now, 21),
        durationMs: 61_000,
      }),
    },
  };
}

/** A full status: every section fresh, one change running, one done. */
export function sampleStatus(now: number = Date.now()): DeliveryStatus {
  return {
    entityRef: sampleEntityRef,
    generatedAt: iso(now, 0),
    environments: ['dev', 'staging', 'prod'],
    source: {
      state: 'ok',
      fetchedAt: iso(now, 0),
      data: {
        repository: 'slipway-demo/payments-api',
        commits: [],
      },
    },
    build: {
      state: 'ok',
      fetchedAt: iso(now, 0),
      data: {
        provider: 'jenkins',
        url: 'http://127.0.0.1:7074/job/slipway-demo/job/payments-api/',
        builds: [
          {
            number: 42,
            status: 'succeeded',
            commitSha: SHA_NEW,
            startedAt: iso(now, 30),
            finishedAt: iso(now, 26),
            durationMs: 240_000,
            url: 'http://127.0.0.1:7074/job/slipway-demo/job/payments-api/42/',
          },
          {
            number: 41,
            status: 'failed',
            commitSha: SHA_OLD,
            startedAt: iso(now, 90),
            finishedAt: iso(now, 88),
            durationMs: 95_000,
            url: 'http://127.0.0.1:7074/job/slipway-demo/job/payments-api/41/',
          },
        ],
      },
    },
    image: {
      state: 'ok',
      fetchedAt: iso(now, 0),
      data: {
        repositoryName: 'payments-api',
        repositoryUri: REPO,
        url: 'https://eu-west-1.console.aws.amazon.com/ecr/repositories/private/123456789012/payments-api',
        images: [
          {
            digest: 'sha256:0123456789abcdef0123456789abcdef',
            tags: ['3f2a1bc-42'],
            pushedAt: iso(now, 25),
            sizeBytes: 52_428_800,
            scan: {
              status: 'COMPLETE',
              findings: { CRITICAL: 2, HIGH: 1, MEDIUM: 4 },
            },
            environments: ['dev'],
          },
          {
            digest: 'sha256:fedcba9876543210fedcba9876543210',
            tags: ['9e8d7c6-40'],
            pushedAt: iso(now, 600),
            sizeBytes: 51_000_000,
            scan: { status: 'COMPLETE', findings: {} },
            environments: ['staging', 'prod'],
          },
        ],
      },
    },
    sync: {
      state: 'ok',
      fetchedAt: iso(now, 0),
      data: {
        environments: ['dev', 'staging', 'prod'].map(environment => ({
          environment,
          instance: 'sandbox',
          appName: `payments-api-${environment}`,
          appUrl: `http://127.0.0.1:7073/applications/payments-api-${environment}`,
          syncStatus: 'Synced' as const,
          healthStatus: 'Healthy' as const,
          healthSince: iso(now, environment === 'dev' ? 21 : 600),
          revision: environment === 'dev' ? 'a1b2c3d4e5f6' : 'b2c3d4e5f6a7',
          images: [
            `${REPO}:${environment === 'dev' ? '3f2a1bc-42' : '9e8d7c6-40'}`,
          ],
          operation: {
            phase: 'Succeeded',
            message: 'successfully synced (all tasks run)',
            startedAt: iso(now, 23),
            finishedAt: iso(now, 22),
          },
          history: [],
        })),
      },
    },
    gitops: {
      state: 'ok',
      fetchedAt: iso(now, 0),
      data: {
        repository: 'slipway-demo/helm-charts',
        path: 'charts/payments-api',
        changes: [
          {
            sha: 'a1b2c3d4e5f6',
            message: 'ci(payments-api): deploy 3f2a1bc-42',
            committedAt: iso(now, 24),
            url: 'http://127.0.0.1:7071/slipway-demo/helm-charts/commit/a1b2c3d4e5f6',
            kind: 'deploy',
            tag: '3f2a1bc-42',
          },
          {
            sha: 'b2c3d4e5f6a7',
            message: 'ci(payments-api): deploy 9e8d7c6-40',
            committedAt: iso(now, 600),
            url: 'http://127.0.0.1:7071/slipway-demo/helm-charts/commit/b2c3d4e5f6a7',
            kind: 'deploy',
            tag: '9e8d7c6-40',
          },
        ],
      },
    },
    releases: [
      {
        environment: 'dev',
        runningTag: '3f2a1bc-42',
        deployed: true,
        pinned: false,
        rollback: {
          possible: true,
          fromTag: '3f2a1bc-42',
          toTag: '9e8d7c6-40',
        },
        promoteTo: 'staging',
      },
      {
        environment: 'staging',
        runningTag: '9e8d7c6-40',
        deployed: true,
        pinned: false,
        rollback: {
          possible: false,
          reason:
            'staging follows the tag CI sets in charts/payments-api/values.yaml for dev; roll back dev, or promote a tag into staging first',
        },
        promoteTo: 'prod',
      },
      {
        environment: 'prod',
        runningTag: '9e8d7c6-40',
        deployed: true,
        pinned: false,
        rollback: {
          possible: false,
          reason:
            'prod follows the tag CI sets in charts/payments-api/values.yaml for dev; roll back dev, or promote a tag into prod first',
        },
      },
    ],
    timeline: [
      {
        commit: {
          sha: SHA_NEW,
          message: 'Accept SEPA transfers',
          author: 'Ada',
          committedAt: iso(now, 31),
          url: `http://127.0.0.1:7071/slipway-demo/payments-api/commit/${SHA_NEW}`,
        },
        environment: 'dev',
        imageTag: '3f2a1bc-42',
        findings: { CRITICAL: 2, HIGH: 1 },
        hops: hops(now, {
          pushed: 'done',
          built: 'done',
          imagePushed: 'done',
          tagBumped: 'done',
          synced: 'running',
          healthy: 'pending',
        }),
      },
      {
        commit: {
          sha: SHA_OLD,
          message: 'Retry card captures',
          author: 'Grace',
          committedAt: iso(now, 620),
          url: `http://127.0.0.1:7071/slipway-demo/payments-api/commit/${SHA_OLD}`,
        },
        environment: 'dev',
        imageTag: '9e8d7c6-40',
        findings: {},
        hops: hops(now, {
          pushed: 'done',
          built: 'done',
          imagePushed: 'done',
          tagBumped: 'done',
          synced: 'done',
          healthy: 'done',
        }),
        totalMs: 541_000,
      },
    ],
    dora: {
      environment: 'prod',
      basis:
        'Argo CD sync history of payments-api-prod and helm-charts commits to charts/payments-api',
      windows: [
        {
          days: 7,
          deployments: 0,
          deploymentsPerDay: 0,
          failedDeployments: 0,
          rollbacks: 0,
        },
        {
          days: 30,
          deployments: 5,
          deploymentsPerDay: 5 / 30,
          leadTimeMedianMs: 5_400_000,
          changeFailureRate: 1 / 5,
          failedDeployments: 1,
          rollbacks: 1,
          reworkRate: 1 / 6,
          timeToRestoreMedianMs: 1_800_000,
        },
        {
          days: 90,
          deployments: 18,
          deploymentsPerDay: 18 / 90,
          leadTimeMedianMs: 7_200_000,
          changeFailureRate: 2 / 18,
          failedDeployments: 2,
          rollbacks: 2,
          reworkRate: 0.1,
          timeToRestoreMedianMs: 2_700_000,
        },
      ],
    },
  };
}

/**
 * The runtime section of {@link sampleStatus}'s three environments: dev's
 * Deployment crash-looping (restarts, a warning event, its HPA above the
 * CPU target), a canary paused at step 2 of 4 in staging, and prod
 * running a healthy rolling update. Older backends send no runtime, so
 * `sampleStatus` leaves it out; tests add this.
 */
export function sampleRuntime(
  now: number = Date.now(),
): Section<RuntimeSection> {
  const canaryImage = `${REPO}:3f2a1bc-42`;
  const stableImage = `${REPO}:9e8d7c6-40`;
  return {
    state: 'ok',
    fetchedAt: iso(now, 0),
    data: {
      environments: [
        {
          environment: 'dev',
          appName: 'payments-api-dev',
          workload: {
            kind: 'Deployment',
            name: 'payments-api',
            namespace: 'payments-api',
            health: 'Degraded',
            healthMessage:
              'Deployment "payments-api" exceeded its progress deadline',
          },
          readyPods: 1,
          desiredPods: 2,
          pods: [
            {
              name: 'payments-api-7d9f8b6c5-abcde',
              reason: 'Running',
              containers: '1/1',
              ready: true,
              restarts: 0,
              health: 'Healthy',
              images: [canaryImage],
            },
            {
              name: 'payments-api-7d9f8b6c5-fghij',
              reason: 'CrashLoopBackOff',
              containers: '0/1',
              ready: false,
              restarts: 7,
              health: 'Degraded',
              images: [canaryImage],
              lastTermination: {
                reason: 'Error',
                exitCode: 1,
                at: iso(now, 2),
              },
            },
          ],
          restarts: 7,
          restartsLastHour: { restarts: 3 },
          lastTermination: {
            pod: 'payments-api-7d9f8b6c5-fghij',
            reason: 'Error',
            exitCode: 1,
            at: iso(now, 2),
          },
          hpa: {
            name: 'payments-api',
            minReplicas: 2,
            maxReplicas: 5,
            currentReplicas: 2,
            desiredReplicas: 3,
            targetCpuPercent: 70,
            currentCpuPercent: 85,
            lastScaleTime: iso(now, 15),
          },
          selfHeals: [
            { at: iso(now, 45), attempts: 2, revision: 'a1b2c3d4e5f6' },
          ],
          warnings: [
            {
              type: 'Warning',
              reason: 'BackOff',
              message: 'Back-off restarting failed container payments-api',
              object: 'Pod/payments-api-7d9f8b6c5-fghij',
              count: 23,
              lastSeen: iso(now, 1),
            },
          ],
        },
        {
          environment: 'staging',
          appName: 'payments-api-staging',
          workload: {
            kind: 'Rollout',
            name: 'payments-api',
            namespace: 'payments-api',
            health: 'Suspended',
            healthMessage: 'Rollout is paused',
          },
          readyPods: 4,
          desiredPods: 4,
          pods: [
            ...['k1l2m', 'n3o4p', 'q5r6s'].map(suffix => ({
              name: `payments-api-5c4b3a291-${suffix}`,
              reason: 'Running',
              containers: '1/1',
              ready: true,
              restarts: 0,
              health: 'Healthy' as const,
              images: [stableImage],
              role: 'stable' as const,
            })),
            {
              name: 'payments-api-7d9f8b6c5-t7u8v',
              reason: 'Running',
              containers: '1/1',
              ready: true,
              restarts: 0,
              health: 'Healthy',
              images: [canaryImage],
              role: 'canary',
            },
          ],
          restarts: 0,
          rollout: {
            name: 'payments-api',
            namespace: 'payments-api',
            strategy: 'canary',
            phase: 'Paused',
            message: 'CanaryPauseStep',
            steps: [
              'set weight 20%',
              'pause until promoted',
              'set weight 50%',
              'pause 5m',
            ],
            currentStep: 1,
            canaryWeight: 20,
            paused: true,
            pausedSince: iso(now, 12),
            pauseReason: 'CanaryPauseStep',
            aborted: false,
            stableImage,
            canaryImage,
            analysisRuns: [
              {
                name: 'payments-api-7d9f8b6c5-3-1',
                phase: 'Running',
                startedAt: iso(now, 12),
              },
            ],
            actions: ['resume', 'promote-full', 'abort'],
          },
          selfHeals: [],
          warnings: [],
        },
        {
          environment: 'prod',
          appName: 'payments-api-prod',
          workload: {
            kind: 'Deployment',
            name: 'payments-api',
            namespace: 'payments-api',
            health: 'Healthy',
          },
          readyPods: 3,
          desiredPods: 3,
          pods: ['w9x0y', 'z1a2b', 'c3d4e'].map(suffix => ({
            name: `payments-api-5c4b3a291-${suffix}`,
            reason: 'Running',
            containers: '1/1',
            ready: true,
            restarts: 0,
            health: 'Healthy' as const,
            images: [stableImage],
          })),
          restarts: 0,
          hpa: {
            name: 'payments-api',
            minReplicas: 3,
            maxReplicas: 10,
            currentReplicas: 3,
            desiredReplicas: 3,
            targetCpuPercent: 70,
            currentCpuPercent: 30,
          },
          selfHeals: [],
          warnings: [],
        },
      ],
    },
  };
}
