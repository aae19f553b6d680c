/*
 * charts/backstage, the chart that deploys the portal itself, rendered with
 * Helm's template language (scripts/helm-template) for every values file in
 * the chart, each object checked against Kubernetes' published schemas and
 * against the rest of the release, and against the image it runs
 * (packages/backend/Dockerfile: user, port, working directory, command).
 * Bad values are refused before anything renders, with Helm's messages.
 */

import fs from 'node:fs';
import path from 'node:path';
import {
  checkRelease,
  helmTemplate,
  helmTemplateBinary,
  only,
  renderOrThrow,
  RenderedManifest,
  ROOT,
  validateKubernetes,
} from './__testUtils__/helmTemplate';

const CHART = path.join(ROOT, 'charts/backstage');
const EXAMPLE = path.join(CHART, 'values-example-eks.yaml');
/** What values-example-eks.yaml names outside the chart. */
const EXTERNAL = ['ConfigMap/rds-ca-bundle'];
const DOCKERFILE = fs.readFileSync(
  path.join(ROOT, 'packages/backend/Dockerfile'),
  'utf8',
);

jest.setTimeout(240_000);

beforeAll(() => {
  helmTemplateBinary();
});

const valuesFiles = fs
  .readdirSync(CHART)
  .filter(f => /^values-.+\.ya?ml$/.test(f))
  .sort();

function render(set: Record<string, unknown> = {}): RenderedManifest[] {
  return renderOrThrow(CHART, {
    values: [EXAMPLE],
    set,
    name: 'slipway',
    namespace: 'slipway',
  }).manifests;
}

function expectValidRelease(manifests: RenderedManifest[]) {
  const problems = validateKubernetes(manifests.map(m => m.object));
  expect(
    manifests.flatMap((m, i) =>
      problems[i].map(p => `${m.object.kind}/${m.object.metadata.name}: ${p}`),
    ),
  ).toEqual([]);
  expect(checkRelease(manifests, { external: EXTERNAL })).toEqual([]);
}

/** The last value of a Dockerfile instruction. */
function dockerfile(instruction: string): string {
  const lines = DOCKERFILE.split('\n').filter(l =>
    l.startsWith(`${instruction} `),
  );
  return lines[lines.length - 1].slice(instruction.length + 1).trim();
}

describe('charts/backstage renders', () => {
  it('has an example values file besides values.yaml', () => {
    expect(valuesFiles).toContain('values-example-eks.yaml');
  });

  it.each(valuesFiles)('with %s into objects Kubernetes accepts', file => {
    const { manifests, notes } = renderOrThrow(CHART, {
      values: [path.join(CHART, file)],
      name: 'slipway',
      namespace: 'slipway',
    });
    expectValidRelease(manifests);
    expect(manifests.map(m => m.object.kind).sort()).toEqual(
      expect.arrayContaining([
        'Deployment',
        'HorizontalPodAutoscaler',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ]),
    );
    // Secrets come from an existing Secret: the chart renders none.
    expect(manifests.filter(m => m.object.kind === 'Secret')).toEqual([]);
    expect(notes).toContain('slipway');
  });

  it('refuses values.yaml alone: the image, the Secret and the role are the installation’s', () => {
    const result = helmTemplate(CHART);
    expect(result.ok).toBe(false);
    const error = result.ok ? '' : result.error;
    expect(error).toMatch(
      /^Error: values don't meet the specifications of the schema\(s\) in the following chart\(s\):\nbackstage:\n/,
    );
    for (const key of [
      'image.repository',
      'image.tag',
      'existingSecret',
      'serviceAccount.roleArn',
    ]) {
      expect(error).toContain(`- ${key}: `);
    }
  });
});

describe('the portal as the example deploys it', () => {
  const manifests = () => render();

  it('keeps capacity through a rollout and a drain, on two replicas or more', () => {
    const m = manifests();
    const deployment = only(m, 'Deployment');
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    // The HPA owns the count (from two); the Deployment sets none.
    expect(deployment.spec.replicas).toBeUndefined();
    expect(only(m, 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 2,
      scaleTargetRef: { kind: 'Deployment', name: 'slipway-portal' },
    });
    expect(only(m, 'PodDisruptionBudget').spec.minAvailable).toBe(1);

    const fixed = only(
      render({ autoscaling: { enabled: false } }),
      'Deployment',
    );
    expect(fixed.spec.replicas).toBe(2);
  });

  it("probes Backstage's health endpoints and runs the image's own command", () => {
    const pod = only(manifests(), 'Deployment').spec.template.spec;
    const [container] = pod.containers;
    expect(container.readinessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/readiness',
    );
    expect(container.livenessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/liveness',
    );
    expect(container.startupProbe.httpGet.path).toBe(
      '/.backstage/health/v1/liveness',
    );
    // The Dockerfile's CMD starts the backend: the chart does not replace it.
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
    expect(container.image).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/slipway-portal:1.0.0',
    );
    expect(container.ports).toEqual([
      expect.objectContaining({
        containerPort: Number(dockerfile('EXPOSE')),
      }),
    ]);
    expect(container.resources.requests).toEqual(
      expect.objectContaining({ cpu: expect.any(String) }),
    );
    expect(container.resources.limits.memory).toBeDefined();
  });

  it('runs as the image’s non-root user on a read-only root filesystem, writing only /tmp', () => {
    const pod = only(manifests(), 'Deployment').spec.template.spec;
    const [container] = pod.containers;
    // USER node in the Dockerfile: uid 1000 in the official Node images.
    expect(dockerfile('USER')).toBe('node');
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
    });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const tmp = container.volumeMounts.find((v: any) => v.mountPath === '/tmp');
    expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toEqual(
      expect.any(Object),
    );
    expect(
      container.volumeMounts
        .filter((v: any) => !v.readOnly)
        .map((v: any) => v.mountPath),
    ).toEqual(['/tmp']);
  });

  it("takes every secret from the existing Secret, and the portal's AWS role through IRSA", () => {
    const m = manifests();
    const [container] = only(m, 'Deployment').spec.template.spec.containers;
    expect(container.envFrom).toContainEqual({
      secretRef: { name: 'slipway-portal-secrets' },
    });
    const plain = (container.env ?? []).filter((e: any) => 'value' in e);
    for (const secret of [
      'POSTGRES_PASSWORD',
      'GITHUB_TOKEN',
      'AUTH_GITHUB_CLIENT_SECRET',
      'GITHUB_WEBHOOK_SECRET',
      'ARGOCD_TOKEN',
      'REDIS_URL',
    ]) {
      expect(plain.map((e: any) => e.name)).not.toContain(secret);
    }
    const sa = only(m, 'ServiceAccount');
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::123456789012:role/slipway-portal',
    );
    expect(only(m, 'Deployment').spec.template.spec.serviceAccountName).toBe(
      sa.metadata.name,
    );
  });

  it("mounts app-config.production.yaml from a ConfigMap over the image's, and rolls the pods when it changes", () => {
    const config = (text: string) =>
      render({ appConfig: { production: text } });
    const m = config('app:\n  title: Acme portal\n');
    const cm = only(m, 'ConfigMap');
    expect(Object.values(cm.data)).toEqual(['app:\n  title: Acme portal\n']);
    const pod = only(m, 'Deployment').spec.template;
    const [container] = pod.spec.containers;
    const mount = container.volumeMounts.find(
      (v: any) =>
        v.mountPath === `${dockerfile('WORKDIR')}/app-config.production.yaml`,
    );
    expect(mount).toMatchObject({ readOnly: true });
    const volume = pod.spec.volumes.find((v: any) => v.name === mount.name);
    expect(volume.configMap.name).toBe(cm.metadata.name);

    const checksum = (release: RenderedManifest[]) =>
      only(release, 'Deployment').spec.template.metadata.annotations[
        'checksum/config'
      ];
    expect(checksum(m)).not.toBe(
      checksum(config('app:\n  title: Other portal\n')),
    );
  });
});

describe('charts/backstage refuses bad values before rendering', () => {
  const header =
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nbackstage:\n";

  it.each([
    [
      'no replicas',
      { replicaCount: 0 },
      '- replicaCount: Must be greater than or equal to 1',
    ],
    [
      'no image',
      { image: { repository: '', tag: '1.0.0', pullPolicy: 'IfNotPresent' } },
      '- image.repository: String length must be greater than or equal to 1',
    ],
    [
      'a secret as a plain variable (its value is not echoed)',
      { extraEnv: [{ name: 'GITHUB_TOKEN', value: 'ghp_example' }] },
      '- extraEnv.0: valueFrom is required',
    ],
  ])('%s', (_case, set, line) => {
    const result = helmTemplate(CHART, { values: [EXAMPLE], set });
    expect(result.ok).toBe(false);
    const error = result.ok ? '' : result.error;
    expect(error).toContain(line);
    expect(error).not.toContain('ghp_example');
    // Schema refusals carry Helm's header; others are template failures.
    expect(
      error.startsWith(header) || error.startsWith('Error: execution error at'),
    ).toBe(true);
  });
});
