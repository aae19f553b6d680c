/*
 * charts/service rendered with Helm's template language (helmTemplate.ts:
 * text/template + sprig + Helm's functions, values checked against
 * values.schema.json as Helm checks them), then every object checked
 * against Kubernetes' published schemas and against the rest of its
 * release (selectors, ports, HPA target, ServiceAccount, volumes):
 *
 * - values.yaml alone and layered with each values-<env>.yaml;
 * - with rollout.strategy canary: the Rollout, the canary Service and the
 *   AnalysisTemplate instead of the Deployment, the Argo Rollouts objects
 *   checked against the Argo Rollouts CRDs (validateCrd.ts, specs/);
 * - the chart exactly as the wizard registers it in helm-charts
 *   (readBaseChart + renderChart, the code gitops:chart:register runs), for
 *   every environment, rolling and canary;
 * - bad values refused before anything renders, with Helm's messages.
 */

import {
  editYaml,
  readBaseChart,
  renderChart,
} from '@internal/backstage-plugin-delivery-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  checkRelease,
  helmTemplate,
  helmTemplateBinary,
  only,
  renderOrThrow,
  ROOT,
  RenderedManifest,
  validateKubernetes,
} from './__testUtils__/helmTemplate';
import { validateCustomResources } from './__testUtils__/validateCrd';

const CHART = path.join(ROOT, 'charts/service');
const ENVS = ['dev', 'staging', 'prod'];

jest.setTimeout(240_000);

beforeAll(() => {
  // Go builds the renderer once per source version (tens of seconds cold).
  helmTemplateBinary();
});

const isArgo = (o: Record<string, any>) =>
  String(o.apiVersion).startsWith('argoproj.io/');

/**
 * Every object valid (core kinds against Kubernetes' schemas, Argo
 * Rollouts kinds against their CRDs) and the release consistent.
 */
function expectValidRelease(manifests: RenderedManifest[]) {
  const objects = manifests.map(m => m.object);
  const core = objects.filter(o => !isArgo(o));
  const argo = objects.filter(isArgo);
  const problems = [
    ...validateKubernetes(core).map((p, i) => [core[i], p] as const),
    ...validateCustomResources(argo).map((p, i) => [argo[i], p] as const),
  ];
  expect(
    problems
      .filter(([, p]) => p.length)
      .map(([o, p]) => `${o.kind}: ${p.join('; ')}`),
  ).toEqual([]);
  expect(checkRelease(manifests)).toEqual([]);
}

const kindsOf = (manifests: RenderedManifest[]) =>
  manifests.map(m => m.object.kind).sort();

/** The objects of one kind, by name. */
const named = (
  manifests: RenderedManifest[],
  kind: string,
): Record<string, Record<string, any>> =>
  Object.fromEntries(
    manifests
      .filter(m => m.object.kind === kind)
      .map(m => [m.object.metadata.name, m.object]),
  );

function subset(selector: Record<string, string>, labels: object) {
  return Object.entries(selector).every(
    ([k, v]) => (labels as Record<string, string>)[k] === v,
  );
}

const CANARY = { 'rollout.strategy': 'canary' };
const baseValues = parse(
  fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8'),
);

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

describe('charts/service with rollout.strategy canary', () => {
  it.each([
    ['values.yaml', []],
    ...ENVS.map(env => [`values-${env}.yaml`, [`values-${env}.yaml`]]),
  ])(
    'with %s: a Rollout, a canary Service and an AnalysisTemplate instead of the Deployment, all valid (Argo Rollouts CRDs)',
    (_label, files) => {
      const { manifests } = renderOrThrow(CHART, {
        values: (files as string[]).map(f => path.join(CHART, f)),
        set: CANARY,
        name: 'orders',
        namespace: 'payments',
      });
      expectValidRelease(manifests);
      const kinds = kindsOf(manifests);
      expect(kinds).not.toContain('Deployment');
      expect(kinds.filter(k => k === 'Rollout')).toHaveLength(1);
      expect(kinds.filter(k => k === 'AnalysisTemplate')).toHaveLength(1);
      expect(Object.keys(named(manifests, 'Service')).sort()).toEqual([
        'orders-service',
        'orders-service-canary',
      ]);
    },
  );

  it("runs the Deployment's pods with the agreed canary strategy", () => {
    const options = { name: 'orders', namespace: 'payments' };
    const deployment = only(
      renderOrThrow(CHART, options).manifests,
      'Deployment',
    );
    const { manifests, notes } = renderOrThrow(CHART, {
      ...options,
      set: CANARY,
    });
    const rollout = only(manifests, 'Rollout');
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.metadata).toEqual(deployment.metadata);
    expect(rollout.spec.selector).toEqual(deployment.spec.selector);
    expect(rollout.spec.template).toEqual(deployment.spec.template);
    expect(rollout.spec.replicas).toBe(2);
    expect(rollout.spec.strategy).toEqual({
      canary: {
        canaryService: 'orders-service-canary',
        stableService: 'orders-service',
        // values.yaml's steps, verbatim.
        steps: baseValues.rollout.canary.steps,
        analysis: {
          templates: [{ templateName: 'orders-service-readiness' }],
          startingStep: 1,
          args: [
            {
              name: 'canary-url',
              value:
                'http://orders-service-canary.payments.svc.cluster.local:80/readyz',
            },
          ],
        },
      },
    });
    expect(baseValues.rollout.canary.steps).toEqual([
      { setWeight: 20 },
      { pause: {} },
      { setWeight: 50 },
      { pause: { duration: '30s' } },
    ]);
    expect(notes).toContain('Argo Rollouts canary');
  });

  it("gives the canary Service the main one's ports and selector, as a ClusterIP, and aims the analysis at it", () => {
    const { manifests } = renderOrThrow(CHART, {
      set: {
        ...CANARY,
        service: {
          type: 'LoadBalancer',
          port: 8081,
          annotations: {
            'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
          },
        },
        'rollout.canary.analysis.path': '/health/ready',
      },
      name: 'orders',
      namespace: 'shop',
    });
    expectValidRelease(manifests);
    const services = named(manifests, 'Service');
    const main = services['orders-service'];
    const canary = services['orders-service-canary'];
    expect(main.spec.type).toBe('LoadBalancer');
    expect(canary.spec).toEqual({
      type: 'ClusterIP',
      selector: main.spec.selector,
      ports: main.spec.ports,
    });
    expect(canary.metadata.annotations).toBeUndefined();
    expect(
      only(manifests, 'Rollout').spec.strategy.canary.analysis.args,
    ).toEqual([
      {
        name: 'canary-url',
        value:
          'http://orders-service-canary.shop.svc.cluster.local:8081/health/ready',
      },
    ]);
  });

  it('checks the canary with one readiness metric: a Job against {{args.canary-url}}, let in by the NetworkPolicy, selected by no Service', () => {
    const { manifests } = renderOrThrow(CHART, {
      set: {
        ...CANARY,
        'rollout.canary.analysis': {
          enabled: true,
          startingStep: 2,
          path: '/readyz',
          interval: '30s',
          count: 5,
          failureLimit: 2,
        },
      },
      name: 'orders',
    });
    expectValidRelease(manifests);
    const template = only(manifests, 'AnalysisTemplate');
    expect(template.metadata.name).toBe('orders-service-readiness');
    expect(template.spec.args).toEqual([{ name: 'canary-url' }]);
    expect(template.spec.metrics).toHaveLength(1);
    const [metric] = template.spec.metrics;
    expect(metric).toMatchObject({
      name: 'readiness',
      interval: '30s',
      count: 5,
      failureLimit: 2,
    });
    const pod = metric.provider.job.spec.template;
    expect(pod.spec.containers).toHaveLength(1);
    expect(pod.spec.containers[0].args).toContain('{{args.canary-url}}');
    expect(pod.spec.containers[0].args).toContain('--fail');
    expect(pod.spec.restartPolicy).toBe('Never');
    // The Job's pods pass the namespace's restricted Pod Security Standard.
    expect(pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(
      only(manifests, 'Rollout').spec.strategy.canary.analysis.startingStep,
    ).toBe(2);

    const labels = pod.metadata.labels;
    for (const service of Object.values(named(manifests, 'Service'))) {
      expect(subset(service.spec.selector, labels)).toBe(false);
    }
    const policy = only(manifests, 'NetworkPolicy');
    expect(
      policy.spec.ingress[0].from.some(
        (peer: any) =>
          !peer.namespaceSelector &&
          peer.podSelector?.matchLabels &&
          Object.keys(peer.podSelector.matchLabels).length > 0 &&
          subset(peer.podSelector.matchLabels, labels),
      ),
    ).toBe(true);
  });

  it('lets only the analysis Job in besides the configured sources when sameNamespace is off', () => {
    const ingressOf = (set: Record<string, unknown>) =>
      only(
        renderOrThrow(CHART, {
          set: {
            // null removes the default controller rule, as in Helm.
            'networkPolicy.ingress': {
              sameNamespace: false,
              controller: { namespaceSelector: null },
            },
            ...set,
          },
        }).manifests,
        'NetworkPolicy',
      ).spec.ingress;
    expect(ingressOf({})).toEqual([]);
    expect(ingressOf(CANARY)).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/component': 'canary-analysis',
                'app.kubernetes.io/instance': 'release-name',
                'app.kubernetes.io/part-of': 'slipway',
              },
            },
          },
        ],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('has the HPA scale the Rollout, which then sets no replicas (prod)', () => {
    const { manifests } = renderOrThrow(CHART, {
      values: [path.join(CHART, 'values-prod.yaml')],
      set: CANARY,
      name: 'orders',
    });
    expectValidRelease(manifests);
    expect(
      only(manifests, 'HorizontalPodAutoscaler').spec.scaleTargetRef,
    ).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'orders-service',
    });
    expect(only(manifests, 'Rollout').spec.replicas).toBeUndefined();
  });

  it('without analysis: no AnalysisTemplate, no analysis in the strategy, no NetworkPolicy peer for it', () => {
    const { manifests } = renderOrThrow(CHART, {
      set: { ...CANARY, 'rollout.canary.analysis.enabled': false },
    });
    expectValidRelease(manifests);
    expect(kindsOf(manifests)).not.toContain('AnalysisTemplate');
    expect(
      only(manifests, 'Rollout').spec.strategy.canary.analysis,
    ).toBeUndefined();
    expect(JSON.stringify(only(manifests, 'NetworkPolicy'))).not.toContain(
      'canary-analysis',
    );
  });

  it('rolling (the default) renders none of it: a Deployment, one Service, the HPA on the Deployment', () => {
    const { manifests } = renderOrThrow(CHART, {
      values: [path.join(CHART, 'values-prod.yaml')],
      name: 'orders',
    });
    const kinds = kindsOf(manifests);
    expect(kinds).toContain('Deployment');
    for (const kind of ['Rollout', 'AnalysisTemplate']) {
      expect(kinds).not.toContain(kind);
    }
    expect(Object.keys(named(manifests, 'Service'))).toEqual([
      'orders-service',
    ]);
    expect(
      only(manifests, 'HorizontalPodAutoscaler').spec.scaleTargetRef,
    ).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'orders-service',
    });
  });
});

describe('the Argo Rollouts CRD check', () => {
  // It must be able to fail: each change is one the API server refuses.
  const rendered = () =>
    renderOrThrow(CHART, { set: CANARY, name: 'orders' }).manifests;

  it('passes the rendered objects and refuses broken ones, naming the field', () => {
    const rollout = only(rendered(), 'Rollout');
    const template = only(rendered(), 'AnalysisTemplate');
    expect(validateCustomResources([rollout, template])).toEqual([[], []]);

    const cases: Array<[(o: any) => void, RegExp]> = [
      [
        o => (o.spec.strategy.canary.steps[0].setWeight = '20'),
        /\/spec\/strategy\/canary\/steps\/0\/setWeight: must be integer/,
      ],
      [
        o => (o.spec.strategy.canary.canaryServise = 'x'),
        /\/spec\/strategy\/canary: unknown field "canaryServise"/,
      ],
      [
        o => delete o.spec.template.spec.containers[0].name,
        /\/spec\/template\/spec\/containers\/0: must have required property 'name'/,
      ],
      [
        o => (o.apiVersion = 'argoproj.io/v1beta1'),
        /not served as argoproj.io\/v1beta1/,
      ],
      [
        o => (o.metadata.name = 'Orders'),
        /\/metadata\/name: must match pattern/,
      ],
    ];
    for (const [change, problem] of cases) {
      const broken = structuredClone(rollout);
      change(broken);
      expect(validateCustomResources([broken])[0].join('\n')).toMatch(problem);
    }
    const badTemplate = structuredClone(template);
    delete badTemplate.spec.metrics[0].name;
    expect(validateCustomResources([badTemplate])[0].join('\n')).toMatch(
      /\/spec\/metrics\/0: must have required property 'name'/,
    );
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

describe('charts/service as the wizard registers it with a canary', () => {
  let dir: string;

  beforeAll(async () => {
    const base = await readBaseChart(CHART);
    const files = renderChart(base, {
      name: 'checkout',
      chartPath: 'charts/checkout',
      imageRepository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout',
      imageTag: 'a1b2c3d-7',
      roleArn: 'arn:aws:iam::123456789012:role/slipway/checkout',
      namespace: 'shop',
      environments: ENVS,
      overrides: {},
      service: {
        port: 3000,
        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 },
      },
    });
    // gitops:chart:register's one edit for a canary (rolloutStrategy.ts in
    // scaffolder-backend-module-gitops): rollout.strategy in values.yaml.
    const values = 'charts/checkout/values.yaml';
    files.set(
      values,
      Buffer.from(
        editYaml(files.get(values)!.toString('utf8'), [
          [['rollout', 'strategy'], 'canary'],
        ]),
      ),
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-chart-'));
    for (const [file, content] of files) {
      const at = path.join(dir, file);
      fs.mkdirSync(path.dirname(at), { recursive: true });
      fs.writeFileSync(at, content);
    }
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(ENVS)('renders a valid canary release for %s', env => {
    const chart = path.join(dir, 'charts/checkout');
    const { manifests } = renderOrThrow(chart, {
      values: [path.join(chart, `values-${env}.yaml`)],
      name: `checkout-${env}`,
      namespace: 'shop',
    });
    expectValidRelease(manifests);
    expect(kindsOf(manifests)).not.toContain('Deployment');
    const rollout = only(manifests, 'Rollout');
    expect(rollout.metadata.name).toBe('checkout');
    expect(rollout.spec.template.spec.containers[0]).toMatchObject({
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:a1b2c3d-7',
      ports: [expect.objectContaining({ containerPort: 3000 })],
    });
    expect(rollout.spec.strategy.canary.analysis.args[0].value).toBe(
      'http://checkout-canary.shop.svc.cluster.local:80/readyz',
    );
    expect(only(manifests, 'AnalysisTemplate').metadata.name).toBe(
      'checkout-readiness',
    );
    const hpas = manifests
      .filter(m => m.object.kind === 'HorizontalPodAutoscaler')
      .map(m => m.object.spec.scaleTargetRef);
    expect({ replicas: rollout.spec.replicas, hpas }).toEqual(
      env === 'dev'
        ? { replicas: 1, hpas: [] }
        : {
            replicas: undefined,
            hpas: [
              {
                apiVersion: 'argoproj.io/v1alpha1',
                kind: 'Rollout',
                name: 'checkout',
              },
            ],
          },
    );
  });
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
      'rollout.strategy blue',
      { 'rollout.strategy': 'blue' },
      `${header}- rollout.strategy: rollout.strategy must be one of the following: "rolling", "canary"`,
    ],
    [
      'a canary step setWeight 120',
      { ...CANARY, 'rollout.canary.steps': [{ setWeight: 120 }] },
      `${header}- rollout.canary.steps.0.setWeight: Must be less than or equal to 100`,
    ],
    [
      'a canary step with two keys',
      {
        ...CANARY,
        'rollout.canary.steps': [{ setWeight: 20, pause: {} }],
      },
      `${header}- rollout.canary.steps.0: Must have at most 1 properties`,
    ],
    [
      'a canary without steps (null removes the list)',
      { ...CANARY, 'rollout.canary.steps': null },
      `${header}- rollout: Must validate "then" as "if" was valid\n- rollout.canary: steps is required`,
    ],
    [
      'a canary without a setWeight step',
      { ...CANARY, 'rollout.canary.steps': [{ pause: {} }] },
      '- rollout.canary.steps: At least one of the items must match',
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

  it('an analysis starting after the last step, by the template (fail)', () => {
    const result = helmTemplate(CHART, {
      set: { ...CANARY, 'rollout.canary.analysis.startingStep': 4 },
    });
    expect(!result.ok && result.error).toBe(
      'Error: execution error at (service/templates/rollout.yaml:20:4): rollout.canary.analysis.startingStep (4) must name one of the 4 canary steps (0 to 3)',
    );
    // The last step is a valid start.
    expect(
      helmTemplate(CHART, {
        set: { ...CANARY, 'rollout.canary.analysis.startingStep': 3 },
      }).ok,
    ).toBe(true);
  });

  it('a canary without a setWeight step even when the schema is skipped (helm template --skip-schema-validation), by the template (fail)', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-noschema-'));
    try {
      fs.cpSync(CHART, copy, { recursive: true });
      fs.rmSync(path.join(copy, 'values.schema.json'));
      const result = helmTemplate(copy, {
        set: { ...CANARY, 'rollout.canary.steps': [{ pause: {} }] },
      });
      expect(!result.ok && result.error).toMatch(
        /^Error: execution error at \(service\/templates\/rollout\.yaml:\d+:\d+\): rollout\.strategy is canary: rollout\.canary\.steps needs at least one setWeight step/,
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a cluster older than the chart supports (kubeVersion)', () => {
    const result = helmTemplate(CHART, { kubeVersion: 'v1.26.5' });
    expect(!result.ok && result.error).toBe(
      'Error: chart requires kubeVersion: >=1.27.0-0 which is incompatible with Kubernetes v1.26.5',
    );
  });
});
