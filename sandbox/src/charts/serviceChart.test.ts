/*
 * charts/service, the base chart every service gets: its files' structure
 * and comments (serviceChartRender.test.ts renders it with Helm's template
 * language and checks the objects against Kubernetes' schemas):
 *
 * - values.yaml layered with each values-<env>.yaml validates against
 *   values.schema.json, the schema Helm itself enforces, and the schema
 *   rejects the mistakes it exists to catch;
 * - every values file and Chart.yaml parses, every template's actions are
 *   balanced and every include names a template that _helpers.tpl defines;
 * - values.yaml keeps its comments, in particular the one telling people that
 *   CI changes image.tag, and a CI-style tag bump keeps it.
 */

import Ajv, { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  Node as YamlNode,
  parseDocument,
} from 'yaml';

const CHART = path.resolve(__dirname, '../../../charts/service');
const TEMPLATES = path.join(CHART, 'templates');
const ENVS = ['dev', 'staging', 'prod'] as const;

type Values = Record<string, unknown>;

function isObject(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function read(file: string): string {
  return fs.readFileSync(path.join(CHART, file), 'utf8');
}

function readDocument(file: string): Document {
  const doc = parseDocument(read(file), { prettyErrors: true });
  if (doc.errors.length) {
    throw new Error(`${file}: ${doc.errors.map(e => e.message).join('; ')}`);
  }
  return doc;
}

function readValues(file: string): Values {
  const values = readDocument(file).toJS();
  if (!isObject(values)) throw new Error(`${file} is not a mapping`);
  return values;
}

/**
 * Layers values the way Helm does: maps merge key by key, anything else
 * (lists included) is replaced whole, and null in the later file removes
 * the key.
 */
function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key]))
      out[key] = mergeValues(out[key] as Values, value);
    else out[key] = value;
  }
  return out;
}

/** Sets a value at a key path; list items are addressed by their index. */
function setIn(values: Values, keys: string[], value: unknown): void {
  let cur: Values = values;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(cur[key]) && !Array.isArray(cur[key])) cur[key] = {};
    cur = cur[key] as Values;
  }
  cur[keys[keys.length - 1]] = value;
}

function deleteIn(values: Values, keys: string[]): void {
  let cur: unknown = values;
  for (const key of keys.slice(0, -1)) cur = (cur as Values)[key];
  delete (cur as Values)[keys[keys.length - 1]];
}

const schema = JSON.parse(read('values.schema.json'));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile<Values>(schema);

function check(values: Values): ErrorObject[] {
  return validate(values) ? [] : [...(validate.errors ?? [])];
}

function describeErrors(errors: ErrorObject[]): string {
  return ajv.errorsText(errors, { separator: '\n' });
}

const base = readValues('values.yaml');
const clone = () => structuredClone(base);

describe('charts/service values.schema.json', () => {
  it('is a valid draft-07 schema that closes the top level', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(schema.additionalProperties).toBe(false);
    // Every top-level key of values.yaml is declared and required.
    expect(Object.keys(schema.properties).sort()).toEqual(
      [...Object.keys(base), 'global'].sort(),
    );
    expect([...schema.required].sort()).toEqual(Object.keys(base).sort());
  });

  it('accepts values.yaml on its own', () => {
    expect(describeErrors(check(base))).toBe('No errors');
  });

  it.each(ENVS)('accepts values.yaml layered with values-%s.yaml', env => {
    const merged = mergeValues(base, readValues(`values-${env}.yaml`));
    expect(describeErrors(check(merged))).toBe('No errors');
  });

  it.each(ENVS)(
    'values-%s.yaml keeps autoscaling.minReplicas <= maxReplicas (hpa.yaml fails otherwise)',
    env => {
      const merged = mergeValues(base, readValues(`values-${env}.yaml`));
      const as = merged.autoscaling as Values;
      expect(as.minReplicas as number).toBeLessThanOrEqual(
        as.maxReplicas as number,
      );
    },
  );

  it.each(ENVS)(
    'accepts a canary (rollout.strategy canary) layered with values-%s.yaml',
    env => {
      const merged = mergeValues(base, readValues(`values-${env}.yaml`));
      setIn(merged, ['rollout', 'strategy'], 'canary');
      expect(describeErrors(check(merged))).toBe('No errors');
    },
  );

  it('accepts every step shape Argo Rollouts documents', () => {
    const v = clone();
    setIn(v, ['rollout', 'strategy'], 'canary');
    setIn(
      v,
      ['rollout', 'canary', 'steps'],
      [
        { setWeight: 0 },
        { pause: {} },
        { setWeight: 100 },
        { pause: { duration: 45 } },
        { pause: { duration: '1h30m' } },
        { pause: { duration: '90' } },
      ],
    );
    expect(describeErrors(check(v))).toBe('No errors');
  });

  it('enables a PodDisruptionBudget and autoscaling in prod', () => {
    const prod = mergeValues(base, readValues('values-prod.yaml'));
    expect(prod.podDisruptionBudget).toMatchObject({ enabled: true });
    expect(prod.autoscaling).toMatchObject({ enabled: true });
    expect(
      (prod.autoscaling as Values).minReplicas as number,
    ).toBeGreaterThanOrEqual(2);
  });

  it('sets requests and limits by default', () => {
    expect(base.resources).toMatchObject({
      requests: { cpu: expect.anything(), memory: expect.anything() },
      limits: { cpu: expect.anything(), memory: expect.anything() },
    });
  });

  it('accepts what the scaffolder and CI write', () => {
    const v = clone();
    setIn(
      v,
      ['image', 'repository'],
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders',
    );
    setIn(v, ['image', 'tag'], 'a1b2c3d-42');
    setIn(v, ['serviceAccount', 'name'], 'orders');
    setIn(
      v,
      ['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'],
      'arn:aws:iam::123456789012:role/slipway/orders-dev',
    );
    setIn(v, ['nameOverride'], 'orders');
    setIn(v, ['fullnameOverride'], 'orders');
    setIn(v, ['env'], {
      LOG_LEVEL: 'info',
      PORT: 8080,
      DB_PASSWORD: {
        valueFrom: { secretKeyRef: { name: 'orders-db', key: 'password' } },
      },
    });
    setIn(v, ['podDisruptionBudget'], {
      enabled: true,
      minAvailable: '50%',
      maxUnavailable: null,
    });
    expect(describeErrors(check(v))).toBe('No errors');
  });

  // Each case: a name, the change, and the value path the error must name.
  const rejected: Array<[string, (v: Values) => void, string]> = [
    ['empty image.tag', v => setIn(v, ['image', 'tag'], ''), '/image/tag'],
    [
      'image.tag with a space',
      v => setIn(v, ['image', 'tag'], 'v1 .2'),
      '/image/tag',
    ],
    [
      'image.tag that YAML read as a number',
      v => setIn(v, ['image', 'tag'], 1.1),
      '/image/tag',
    ],
    [
      'image.repository with a tag in it',
      v => setIn(v, ['image', 'repository'], 'registry.example/app:1.0'),
      '/image/repository',
    ],
    [
      'image.repository with upper-case path',
      v => setIn(v, ['image', 'repository'], 'registry.example/MyApp'),
      '/image/repository',
    ],
    ['service.port 0', v => setIn(v, ['service', 'port'], 0), '/service/port'],
    [
      'service.port 70000',
      v => setIn(v, ['service', 'port'], 70000),
      '/service/port',
    ],
    ['containerPort 0', v => setIn(v, ['containerPort'], 0), '/containerPort'],
    [
      'containerPort 70000',
      v => setIn(v, ['containerPort'], 70000),
      '/containerPort',
    ],
    [
      'negative replicaCount',
      v => setIn(v, ['replicaCount'], -1),
      '/replicaCount',
    ],
    [
      'unknown top-level key (typo replicaCont)',
      v => setIn(v, ['replicaCont'], 3),
      '',
    ],
    [
      'unknown key inside image (typo tags)',
      v => setIn(v, ['image', 'tags'], 'x'),
      '/image',
    ],
    [
      'securityContext.runAsNonRoot false',
      v => setIn(v, ['securityContext', 'runAsNonRoot'], false),
      '/securityContext/runAsNonRoot',
    ],
    [
      'securityContext.runAsNonRoot missing',
      v => deleteIn(v, ['securityContext', 'runAsNonRoot']),
      '/securityContext',
    ],
    [
      'securityContext.readOnlyRootFilesystem false',
      v => setIn(v, ['securityContext', 'readOnlyRootFilesystem'], false),
      '/securityContext/readOnlyRootFilesystem',
    ],
    [
      'securityContext.allowPrivilegeEscalation true',
      v => setIn(v, ['securityContext', 'allowPrivilegeEscalation'], true),
      '/securityContext/allowPrivilegeEscalation',
    ],
    [
      'securityContext.capabilities.drop without ALL',
      v => setIn(v, ['securityContext', 'capabilities', 'drop'], ['NET_RAW']),
      '/securityContext/capabilities/drop',
    ],
    [
      'securityContext.capabilities.add SYS_ADMIN',
      v => setIn(v, ['securityContext', 'capabilities', 'add'], ['SYS_ADMIN']),
      '/securityContext/capabilities/add',
    ],
    [
      'securityContext.privileged true',
      v => setIn(v, ['securityContext', 'privileged'], true),
      '/securityContext/privileged',
    ],
    [
      'podSecurityContext.runAsUser 0 (root)',
      v => setIn(v, ['podSecurityContext', 'runAsUser'], 0),
      '/podSecurityContext/runAsUser',
    ],
    [
      'podSecurityContext.seccompProfile Unconfined',
      v =>
        setIn(
          v,
          ['podSecurityContext', 'seccompProfile', 'type'],
          'Unconfined',
        ),
      '/podSecurityContext/seccompProfile/type',
    ],
    [
      'service.type Foo',
      v => setIn(v, ['service', 'type'], 'Foo'),
      '/service/type',
    ],
    [
      'autoscaling.minReplicas 0',
      v => setIn(v, ['autoscaling', 'minReplicas'], 0),
      '/autoscaling/minReplicas',
    ],
    [
      'resources without a memory limit',
      v => deleteIn(v, ['resources', 'limits', 'memory']),
      '/resources/limits',
    ],
    [
      'a malformed IRSA role ARN',
      v =>
        setIn(
          v,
          ['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'],
          'arn:aws:iam::*:role/orders',
        ),
      '/serviceAccount/annotations/eks.amazonaws.com~1role-arn',
    ],
    [
      'podDisruptionBudget with both minAvailable and maxUnavailable',
      v => setIn(v, ['podDisruptionBudget', 'minAvailable'], 1),
      '/podDisruptionBudget',
    ],
    [
      'podDisruptionBudget enabled with neither bound',
      v =>
        setIn(v, ['podDisruptionBudget'], {
          enabled: true,
          minAvailable: null,
          maxUnavailable: null,
        }),
      '/podDisruptionBudget',
    ],
    [
      'an enabled probe with two handlers',
      v =>
        setIn(v, ['probes', 'liveness', 'tcpSocket'], {
          port: 'http',
        }),
      '/probes/liveness',
    ],
    [
      'rollout.strategy blue (not offered)',
      v => setIn(v, ['rollout', 'strategy'], 'blue'),
      '/rollout/strategy',
    ],
    [
      'a canary step setWeight 120',
      v => setIn(v, ['rollout', 'canary', 'steps', '0', 'setWeight'], 120),
      '/rollout/canary/steps/0/setWeight',
    ],
    [
      'a canary step with two keys',
      v =>
        setIn(v, ['rollout', 'canary', 'steps', '0'], {
          setWeight: 20,
          pause: {},
        }),
      '/rollout/canary/steps/0',
    ],
    [
      'a canary step Argo Rollouts does not know',
      v => setIn(v, ['rollout', 'canary', 'steps', '0'], { setCanaryScale: 1 }),
      '/rollout/canary/steps/0',
    ],
    [
      'a pause duration that is not a duration',
      v =>
        setIn(v, ['rollout', 'canary', 'steps', '3'], {
          pause: { duration: '10 minutes' },
        }),
      '/rollout/canary/steps/3/pause/duration',
    ],
    [
      'a canary without steps',
      v => {
        setIn(v, ['rollout', 'strategy'], 'canary');
        deleteIn(v, ['rollout', 'canary', 'steps']);
      },
      '/rollout/canary',
    ],
    [
      'a canary with an empty step list',
      v => {
        setIn(v, ['rollout', 'strategy'], 'canary');
        setIn(v, ['rollout', 'canary', 'steps'], []);
      },
      '/rollout/canary/steps',
    ],
    [
      'a canary without a setWeight step',
      v => {
        setIn(v, ['rollout', 'strategy'], 'canary');
        setIn(v, ['rollout', 'canary', 'steps'], [{ pause: {} }]);
      },
      '/rollout/canary/steps',
    ],
    [
      'an analysis interval that is not a duration',
      v => setIn(v, ['rollout', 'canary', 'analysis', 'interval'], 'often'),
      '/rollout/canary/analysis/interval',
    ],
    [
      'an analysis count of 0',
      v => setIn(v, ['rollout', 'canary', 'analysis', 'count'], 0),
      '/rollout/canary/analysis/count',
    ],
    [
      'an analysis path without a leading /',
      v => setIn(v, ['rollout', 'canary', 'analysis', 'path'], 'readyz'),
      '/rollout/canary/analysis/path',
    ],
    [
      'an unknown key inside rollout.canary (typo step)',
      v => setIn(v, ['rollout', 'canary', 'step'], []),
      '/rollout/canary',
    ],
    [
      'a NetworkPolicy CIDR that is not one',
      v =>
        setIn(
          v,
          ['networkPolicy', 'egress', 'allowedCIDRs'],
          [{ cidr: '10.0.0.0' }],
        ),
      '/networkPolicy/egress/allowedCIDRs/0/cidr',
    ],
  ];

  describe('rejects', () => {
    it.each(rejected)('%s', (_name, change, at) => {
      const v = clone();
      change(v);
      const errors = check(v);
      expect(errors.length).toBeGreaterThan(0);
      const paths = errors.map(e => e.instancePath);
      expect(paths.some(p => p === at || p.startsWith(`${at}/`))).toBe(true);
    });

    it('an unknown top-level key, naming it', () => {
      const v = clone();
      v.replicaCont = 3;
      expect(check(v)).toContainEqual(
        expect.objectContaining({
          keyword: 'additionalProperties',
          params: { additionalProperty: 'replicaCont' },
        }),
      );
    });
  });
});

/**
 * Where the action whose body starts at `from` closes: the first "}}"
 * outside a string literal ("...", `...` or '.'), as Go's template lexer
 * reads it, so `{{ "{{args.x}}" }}` (a literal Argo Rollouts placeholder) is
 * one action. -1 when it never closes.
 */
function actionEnd(src: string, from: number): number {
  for (let j = from; j < src.length; j++) {
    const c = src[j];
    if (c === '"' || c === '`' || c === "'") {
      let k = j + 1;
      while (k < src.length && src[k] !== c) k += src[k] === '\\' ? 2 : 1;
      if (k >= src.length) return -1;
      j = k;
    } else if (src.startsWith('}}', j)) {
      return j;
    } else if (src.startsWith('{{', j)) {
      throw new Error(
        `"{{" at offset ${from - 2} is not closed before the next "{{"`,
      );
    }
  }
  return -1;
}

/** The actions ({{ ... }}) of a template, or an error for unbalanced braces. */
function actionsOf(src: string): string[] {
  const actions: string[] = [];
  let i = 0;
  for (;;) {
    const open = src.indexOf('{{', i);
    const strayClose = src.indexOf('}}', i);
    if (open === -1) {
      if (strayClose !== -1)
        throw new Error(`"}}" without "{{" at offset ${strayClose}`);
      return actions;
    }
    if (strayClose !== -1 && strayClose < open)
      throw new Error(`"}}" without "{{" at offset ${strayClose}`);
    const body = src.slice(open + 2);
    const isComment = /^-?\s*\/\*/.test(body);
    const close = isComment
      ? src.indexOf('}}', src.indexOf('*/', open) + 2)
      : actionEnd(src, open + 2);
    if (close === -1) throw new Error(`"{{" at offset ${open} is never closed`);
    if (!isComment) {
      actions.push(
        src
          .slice(open + 2, close)
          .replace(/^-\s/, '')
          .replace(/\s-$/, '')
          .trim(),
      );
    }
    i = close + 2;
  }
}

const BLOCK_OPENERS = new Set(['if', 'range', 'with', 'define', 'block']);

/** Checks that block actions nest; returns the names of the defines. */
function checkBlocks(actions: string[]): string[] {
  const stack: string[] = [];
  const defines: string[] = [];
  for (const action of actions) {
    const word = action.split(/\s+/)[0];
    if (BLOCK_OPENERS.has(word)) {
      stack.push(word);
      if (word === 'define') {
        const name = /^define\s+"([^"]+)"$/.exec(action)?.[1];
        if (!name) throw new Error(`malformed define: ${action}`);
        defines.push(name);
      }
    } else if (word === 'end') {
      if (!stack.pop()) throw new Error('"end" without an open block');
    } else if (word === 'else' && !stack.length) {
      throw new Error('"else" outside a block');
    }
  }
  if (stack.length) throw new Error(`unclosed blocks: ${stack.join(', ')}`);
  return defines;
}

describe('the template checks themselves', () => {
  it('catch an unclosed, a stray and a nested action', () => {
    expect(() => actionsOf('a: {{ .Values.x }')).toThrow(/never closed/);
    expect(() => actionsOf('a: .Values.x }}')).toThrow(/without/);
    expect(() => actionsOf('{{ if {{ .x }} }}')).toThrow(/before the next/);
    expect(actionsOf('{{- /* a {{ comment */}}{{- .x -}}')).toEqual(['.x']);
    // Braces inside a string literal belong to the string.
    expect(actionsOf('- {{ "{{args.canary-url}}" | quote }}')).toEqual([
      '"{{args.canary-url}}" | quote',
    ]);
    expect(() => actionsOf('{{ "}}" ')).toThrow(/never closed/);
  });

  it('catch unbalanced blocks', () => {
    expect(() => checkBlocks(actionsOf('{{ if .a }}x'))).toThrow(/unclosed/);
    expect(() => checkBlocks(actionsOf('x{{ end }}'))).toThrow(/without/);
    expect(
      checkBlocks(
        actionsOf('{{- define "a.b" -}}{{ with .c }}{{ end }}{{ end }}'),
      ),
    ).toEqual(['a.b']);
  });

  it('find a key without a comment', () => {
    const d = parseDocument('# header\na: 1\n# b\nb:\n  c: 2\n');
    expect(uncommentedKeys(d.contents)).toEqual(['b.c']);
  });
});

const templateFiles = fs.readdirSync(TEMPLATES).sort();

describe('charts/service files', () => {
  it('has every template the chart promises', () => {
    expect(templateFiles).toEqual(
      expect.arrayContaining([
        '_helpers.tpl',
        'deployment.yaml',
        'service.yaml',
        'serviceaccount.yaml',
        'hpa.yaml',
        'pdb.yaml',
        'ingress.yaml',
        'configmap.yaml',
        'networkpolicy.yaml',
        'rollout.yaml',
        'service-canary.yaml',
        'analysistemplate.yaml',
        'NOTES.txt',
      ]),
    );
  });

  it.each([
    'Chart.yaml',
    'values.yaml',
    ...ENVS.map(env => `values-${env}.yaml`),
  ])('%s parses as YAML without warnings', file => {
    const doc = readDocument(file);
    expect(doc.warnings).toEqual([]);
    expect(isObject(doc.toJS())).toBe(true);
  });

  it('Chart.yaml is an apiVersion v2 application chart', () => {
    expect(readValues('Chart.yaml')).toMatchObject({
      apiVersion: 'v2',
      name: 'service',
      type: 'application',
      version: '0.2.0',
      appVersion: expect.any(String),
    });
  });

  it.each(templateFiles)('templates/%s has balanced {{ }} and blocks', file => {
    const src = fs.readFileSync(path.join(TEMPLATES, file), 'utf8');
    const actions = actionsOf(src);
    expect(() => checkBlocks(actions)).not.toThrow();
  });

  const helpers = checkBlocks(
    actionsOf(fs.readFileSync(path.join(TEMPLATES, '_helpers.tpl'), 'utf8')),
  );

  it('_helpers.tpl defines the conventional helpers, each once', () => {
    expect(helpers).toEqual(
      expect.arrayContaining([
        'service.name',
        'service.fullname',
        'service.chart',
        'service.labels',
        'service.selectorLabels',
        'service.serviceAccountName',
        'service.podTemplate',
      ]),
    );
    expect(new Set(helpers).size).toBe(helpers.length);
  });

  it.each(templateFiles)(
    'templates/%s includes only templates _helpers.tpl defines',
    file => {
      const src = fs.readFileSync(path.join(TEMPLATES, file), 'utf8');
      const named = [...src.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)];
      for (const [, name] of named) expect(helpers).toContain(name);
    },
  );

  it('labels carry app.kubernetes.io/* and helm.sh/chart', () => {
    const src = fs.readFileSync(path.join(TEMPLATES, '_helpers.tpl'), 'utf8');
    for (const label of [
      'helm.sh/chart',
      'app.kubernetes.io/name',
      'app.kubernetes.io/instance',
      'app.kubernetes.io/version',
      'app.kubernetes.io/managed-by',
    ])
      expect(src).toContain(`${label}:`);
  });
});

/** All the comment text that belongs to one key of a block map. */
function commentOf(map: YamlNode, index: number): string {
  if (!isMap(map)) return '';
  const pair = map.items[index];
  const key = pair.key as YamlNode | null;
  const value = pair.value as YamlNode | null;
  return [
    index === 0 ? map.commentBefore : undefined,
    key?.commentBefore,
    key?.comment,
    value?.commentBefore,
    isScalar(value) ? value.comment : undefined,
  ]
    .filter(Boolean)
    .join('\n');
}

// Maps whose keys are Kubernetes fields passed through verbatim, or free-form
// data: their keys need no comment of their own.
const VERBATIM = new Set([
  'httpGet',
  'namespaceSelector',
  'podSelector',
  'seccompProfile',
  'capabilities',
]);

/** Dotted paths of map keys (outside lists and verbatim maps) without a comment. */
function uncommentedKeys(node: unknown, prefix: string[] = []): string[] {
  if (!isMap(node)) return [];
  const out: string[] = [];
  node.items.forEach((pair, index) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    const keyPath = [...prefix, key];
    // The document's first key shares the header comment with the document.
    if (!commentOf(node, index) && !(prefix.length === 0 && index === 0))
      out.push(keyPath.join('.'));
    if (!VERBATIM.has(key) && !isSeq(pair.value))
      out.push(...uncommentedKeys(pair.value, keyPath));
  });
  return out;
}

describe('charts/service values.yaml comments', () => {
  const doc = readDocument('values.yaml');

  function tagComment(d: Document): string {
    const image = d.get('image', true) as YamlNode;
    if (!isMap(image)) throw new Error('image is not a map');
    const index = image.items.findIndex(
      p => isScalar(p.key) && p.key.value === 'tag',
    );
    expect(index).toBeGreaterThanOrEqual(0);
    return commentOf(image, index);
  }

  it('says on image.tag that CI changes it', () => {
    expect(tagComment(doc)).toMatch(/\bCI changes\b/);
  });

  it('keeps that comment through a CI-style tag bump', () => {
    const bumped = parseDocument(doc.toString());
    bumped.setIn(['image', 'tag'], 'a1b2c3d-43');
    const after = parseDocument(bumped.toString());
    expect(after.getIn(['image', 'tag'])).toBe('a1b2c3d-43');
    expect(tagComment(after)).toBe(tagComment(doc));
    expect(describeErrors(check(after.toJS()))).toBe('No errors');
  });

  it.each(['values.yaml', ...ENVS.map(env => `values-${env}.yaml`)])(
    '%s has a comment on every key',
    file => {
      const d = readDocument(file);
      expect(uncommentedKeys(d.contents)).toEqual([]);
    },
  );
});
