/*
 * charts/service rendered with Helm's template language (helmTemplate.ts:
 * text/template + sprig + Helm's functions, values checked against
 * values.schema.json as Helm checks them), then every object checked
 * against Kubernetes' published schemas and against the rest of its
 * release (selectors, ports, HPA target, ServiceAccount, volumes):
 *
 * - values.yaml alone and layered with each values-<env>.yaml;
 * - the chart exactly as the wizard registers it in helm-charts
 *   (readBaseChart + renderChart, the code gitops:chart:register runs), for
 *   every environment;
 * - bad values refused before anything renders, with Helm's messages.
 */

import {
  readBaseChart,
  renderChart,
} from '@internal/backstage-plugin-delivery-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkRelease,
  helmTemplate,
  helmTemplateBinary,
  only,
  renderOrThrow,
  ROOT,
  validateKubernetes,
} from './__testUtils__/helmTemplate';

const CHART = path.join(ROOT, 'charts/service');
const ENVS = ['dev', 'staging', 'prod'];

jest.setTimeout(240_000);

beforeAll(() => {
  // Go builds the renderer once per source version (tens of seconds cold).
  helmTemplateBinary();
});

function expectValidRelease(manifests: { object: object }[]) {
  const problems = validateKubernetes(manifests.map(m => m.object));
  expect(
    manifests
      .map((m, i) => ({ object: m.object, problems: problems[i] }))
      .filter(r => r.problems.length)
      .map(r => `${(r.object as any).kind}: ${r.problems.join('; ')}`),
  ).toEqual([]);
  expect(checkRelease(manifests as any)).toEqual([]);
}

describe('charts/service renders', () => {
  it.each([
    ['values.yaml', []],
    ...ENVS.map(env => [`values-${env}.yaml`, [`values-${env}.yaml`]]),
  ])('with %s into objects Kubernetes accepts', (_label, files) => {
    const { manifests, notes } = renderOrThrow(CHART, {
      values: (files as string[]).map(f => path.join(CHART, f)),
      name: 'orders',
      namespace: 'payments',
    });
    expectValidRelease(manifests);
    const kinds = manifests.map(m => m.object.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment',
        'Service',
        'ServiceAccount',
        'NetworkPolicy',
      ]),
    );
    expect(notes).toContain('payments');
  });

  it('in prod: autoscaled from three pods, one disruption at a time', () => {
    const { manifests } = renderOrThrow(CHART, {
      values: [path.join(CHART, 'values-prod.yaml')],
      name: 'orders',
    });
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 10,
      scaleTargetRef: { kind: 'Deployment', name: 'orders-service' },
    });
    expect(only(manifests, 'Deployment').spec.replicas).toBeUndefined();
    expect(only(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  it('rolls the pods when the configuration changes (checksum annotation)', () => {
    const checksum = (config: Record<string, string>) =>
      only(renderOrThrow(CHART, { set: { config } }).manifests, 'Deployment')
        .spec.template.metadata.annotations['checksum/config'];
    const a = checksum({ LOG_LEVEL: 'info' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ LOG_LEVEL: 'debug' })).not.toBe(a);
    expect(checksum({ LOG_LEVEL: 'info' })).toBe(a);
  });
});

describe('charts/service as the wizard registers it', () => {
  let dir: string;

  beforeAll(async () => {
    const base = await readBaseChart(CHART);
    const files = renderChart(base, {
      name: 'orders-api',
      chartPath: 'charts/orders-api',
      imageRepository:
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api',
      imageTag: 'a1b2c3d-7',
      roleArn: 'arn:aws:iam::123456789012:role/slipway/orders-api',
      namespace: 'payments',
      environments: ENVS,
      overrides: { prod: { replicas: 4 } },
      service: {
        port: 3000,
        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
      },
      task: 'task-1',
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-chart-'));
    for (const [file, content] of files) {
      const at = path.join(dir, file);
      fs.mkdirSync(path.dirname(at), { recursive: true });
      fs.writeFileSync(at, content);
    }
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(ENVS)(
    'renders for %s with the image, role and port it was given',
    env => {
      const chart = path.join(dir, 'charts/orders-api');
      const namespace = env === 'staging' ? 'payments-staging' : 'payments';
      const { manifests } = renderOrThrow(chart, {
        values: [path.join(chart, `values-${env}.yaml`)],
        name: `orders-api-${env}`,
        namespace,
      });
      expectValidRelease(manifests);

      const deployment = only(manifests, 'Deployment');
      expect(deployment.metadata.name).toBe('orders-api');
      const container = deployment.spec.template.spec.containers[0];
      expect(container.image).toBe(
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:a1b2c3d-7',
      );
      expect(container.ports).toContainEqual(
        expect.objectContaining({ name: 'http', containerPort: 3000 }),
      );
      expect(container.envFrom).toEqual([
        { secretRef: { name: 'orders-api-secrets', optional: true } },
      ]);

      // IRSA: the pods run as the ServiceAccount the role trusts.
      const sa = only(manifests, 'ServiceAccount');
      expect(sa.metadata.name).toBe('orders-api');
      expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(
        'arn:aws:iam::123456789012:role/slipway/orders-api',
      );
      expect(deployment.spec.template.spec.serviceAccountName).toBe(
        'orders-api',
      );

      // dev runs one pod by design (values-dev.yaml turns autoscaling off);
      // staging and prod scale within the wizard's bounds.
      const hpas = manifests
        .filter(m => m.object.kind === 'HorizontalPodAutoscaler')
        .map(m => ({
          target: m.object.spec.scaleTargetRef.name,
          max: m.object.spec.maxReplicas,
        }));
      expect({ replicas: deployment.spec.replicas, hpas }).toEqual(
        env === 'dev'
          ? { replicas: 1, hpas: [] }
          : { replicas: undefined, hpas: [{ target: 'orders-api', max: 5 }] },
      );
    },
  );
});

describe('charts/service refuses bad values before rendering', () => {
  const header =
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nservice:\n";

  it.each([
    [
      'a negative replica count',
      { replicaCount: -1 },
      `${header}- replicaCount: Must be greater than or equal to 0`,
    ],
    [
      'a replica count that is not a number',
      { replicaCount: 'two' },
      `${header}- replicaCount: Invalid type. Expected: integer, given: string`,
    ],
    [
      'no image repository',
      { 'image.repository': '' },
      `${header}- image.repository: Does not match pattern`,
    ],
    [
      'no image tag (null removes the key, as in Helm)',
      { 'image.tag': null },
      `${header}- image: tag is required`,
    ],
    [
      'a disruption budget with both bounds',
      {
        podDisruptionBudget: {
          enabled: true,
          minAvailable: 1,
          maxUnavailable: 1,
        },
      },
      `${header}- podDisruptionBudget: Must not validate the schema (not)`,
    ],
  ])('%s', (_case, set, message) => {
    const result = helmTemplate(CHART, { set });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });

  it('an autoscaler whose minimum exceeds its maximum, by the template (fail)', () => {
    const result = helmTemplate(CHART, {
      set: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } },
    });
    expect(!result.ok && result.error).toBe(
      'Error: execution error at (service/templates/hpa.yaml:4:4): autoscaling.minReplicas (5) must not be greater than autoscaling.maxReplicas (2)',
    );
  });

  it('a cluster older than the chart supports (kubeVersion)', () => {
    const result = helmTemplate(CHART, { kubeVersion: 'v1.26.5' });
    expect(!result.ok && result.error).toBe(
      'Error: chart requires kubeVersion: >=1.27.0-0 which is incompatible with Kubernetes v1.26.5',
    );
  });
});
