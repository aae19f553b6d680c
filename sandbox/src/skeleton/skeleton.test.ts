/*
 * templates/service/skeleton: the app repo the "Create component" wizard
 * renders. Rendered here with Backstage's own fetch:template action (the
 * template runs it twice: common/, then the runtime's folder) for both
 * runtimes x both CI choices, then:
 *
 * - every YAML and JSON file parses, nothing is left unrendered, GitHub's own
 *   ${{ ... }} expressions survive in ci.yaml;
 * - catalog-info.yaml carries exactly the annotations the delivery plugins
 *   read (the Jenkins one only with Jenkins);
 * - Jenkinsfile and ci.yaml build <sha7>-<build>, push to ECR and bump
 *   image.tag in helm-charts with yq through ci/bump-image-tag.sh.
 *
 * skeleton.bumpScript.test.ts runs that script against a real git remote;
 * skeleton.apps.test.ts runs each rendered app's own linter and tests.
 */

import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments, parseDocument } from 'yaml';
import {
  BASE_VALUES,
  CIS,
  listFiles,
  read,
  removeTmpRoot,
  render,
  RUNTIMES,
  Values,
} from './__testUtils__/skeleton';

afterAll(removeTmpRoot);

describe.each(
  RUNTIMES.flatMap(runtime => CIS.map(ci => [runtime, ci] as const)),
)('skeleton %s + %s', (runtime, ci) => {
  const values: Values = { ...BASE_VALUES, runtime, ci };
  let dir: string;
  let files: string[];

  beforeAll(async () => {
    dir = await render(values);
    files = listFiles(dir);
  });

  it('renders the common files and the runtime files', () => {
    const common = [
      '.dockerignore',
      '.github/workflows/ci.yaml',
      'Jenkinsfile',
      'README.md',
      'catalog-info.yaml',
      'ci/bump-image-tag.sh',
      'Dockerfile',
      '.gitignore',
    ];
    const own =
      runtime === 'python'
        ? [
            'manage.py',
            'gunicorn.conf.py',
            'pyproject.toml',
            'requirements.txt',
            'requirements-dev.txt',
            '.flake8',
            'order_svc/settings.py',
            'order_svc/urls.py',
            'order_svc/views.py',
            'tests/test_health.py',
          ]
        : [
            'package.json',
            'package-lock.json',
            '.npmrc',
            'tsconfig.json',
            'eslint.config.js',
            'src/server.ts',
            'src/server.test.ts',
          ];
    expect(files).toEqual(expect.arrayContaining([...common, ...own]));
    expect(
      files.some(f =>
        f.startsWith(runtime === 'python' ? 'src/' : 'order_svc/'),
      ),
    ).toBe(false);
    // Modes survive rendering.
    expect(
      fs.statSync(path.join(dir, 'ci/bump-image-tag.sh')).mode & 0o111,
    ).not.toBe(0);
  });

  it('leaves nothing unrendered', () => {
    for (const file of files) {
      expect(file).not.toMatch(/\$\{\{|\{%/);
      const text = read(dir, file);
      expect({
        file,
        leftover: text.match(/\$\{\{\s*values\.|\{%|%\}|\{#/)?.[0],
      }).toEqual({
        file,
        leftover: undefined,
      });
    }
  });

  it('has parseable YAML and JSON', () => {
    for (const file of files.filter(f => /\.ya?ml$/.test(f))) {
      for (const doc of parseAllDocuments(read(dir, file))) {
        expect({ file, errors: doc.errors.map(e => e.message) }).toEqual({
          file,
          errors: [],
        });
      }
    }
    const rendered = dir;
    for (const file of files.filter(f => f.endsWith('.json'))) {
      expect(() => JSON.parse(read(rendered, file))).not.toThrow();
    }
  });

  it('registers the component with exactly the delivery annotations', () => {
    const entity = parse(read(dir, 'catalog-info.yaml'));
    expect(entity.kind).toBe('Component');
    expect(entity.metadata.name).toBe('order-svc');
    expect(entity.metadata.description).toBe(BASE_VALUES.description);
    const expected: Record<string, string> = {
      'github.com/project-slug': 'slipway-demo/order-svc',
      // One Argo CD Application per environment, found by its owner label.
      'argocd/app-selector': 'slipway.io/owner=component.default.order-svc',
      'aws.amazon.com/aws-ecr-repository-arn': BASE_VALUES.ecrRepositoryArn,
      'slipway.io/chart-path': 'charts/order-svc',
    };
    if (ci === 'jenkins')
      expected['jenkins.io/job-full-name'] = 'slipway-demo/order-svc';
    expect(entity.metadata.annotations).toEqual(expected);
    expect(entity.spec).toEqual({
      type: 'service',
      lifecycle: 'experimental',
      owner: 'group:default/payments-team',
      system: 'system:default/shop',
    });
  });

  it('has a multi-stage, tag-pinned, non-root Dockerfile', () => {
    const dockerfile = read(dir, 'Dockerfile');
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map(m => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const base =
      runtime === 'python'
        ? 'python:3.12-slim-bookworm'
        : 'node:22-bookworm-slim';
    expect(froms.every(image => image === base)).toBe(true);
    expect(dockerfile).toMatch(/Renovate/);
    expect(dockerfile).not.toMatch(/sha256:[0-9a-f]{64}/); // digests come from Renovate
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER 10001:10001$/m);
    expect(finalStage).toMatch(/^EXPOSE 8081$/m);
    expect(finalStage).not.toMatch(/requirements-dev|npm ci\b|pytest|eslint/);
    expect(read(dir, '.dockerignore')).toMatch(/^\.git$/m);
  });

  it('Jenkinsfile: test, Kaniko build as <sha7>-<build>, yq tag bump', () => {
    const jenkinsfile = read(dir, 'Jenkinsfile');
    const podYaml = jenkinsfile.match(/yaml '''\n([\s\S]*?)'''/)?.[1];
    expect(podYaml).toBeDefined();
    const pod = parse(podYaml!);
    expect(pod.spec.serviceAccountName).toBe('jenkins-ci');
    const images = Object.fromEntries(
      pod.spec.containers.map((c: any) => [c.name, c.image as string]),
    );
    expect(images).toEqual({
      [runtime]:
        runtime === 'python'
          ? 'python:3.12-slim-bookworm'
          : 'node:22-bookworm-slim',
      kaniko: 'gcr.io/kaniko-project/executor:debug',
      git: expect.stringMatching(/^alpine\/git:v\d/),
      yq: expect.stringMatching(/^mikefarah\/yq:4\./),
    });
    expect(jenkinsfile).toContain(`defaultContainer '${runtime}'`);
    expect(jenkinsfile).toContain(
      'env.TAG = "${env.GIT_COMMIT.take(7)}-${env.BUILD_NUMBER}"',
    );
    expect(jenkinsfile).toContain(
      "IMAGE_REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/order-svc'",
    );
    expect(jenkinsfile).toContain('--destination "$IMAGE_REPOSITORY:$TAG"');
    expect(jenkinsfile).toContain("credentialsId: 'helm-charts-push'");
    expect(jenkinsfile).toContain(
      "HELM_CHARTS_URL = 'https://github.com/slipway-demo/helm-charts.git'",
    );
    expect(jenkinsfile).toContain(
      'sh ci/bump-image-tag.sh helm-charts "$SERVICE_NAME" "$TAG"',
    );
    expect(jenkinsfile).toMatch(
      /when \{ expression \{ env\.BRANCH_NAME == env\.DEFAULT_BRANCH/,
    );
    expect(jenkinsfile).toContain(
      runtime === 'python' ? 'pytest -q' : 'npm run lint',
    );
    expect(jenkinsfile).not.toMatch(/--force|push -f/);
  });

  it('ci.yaml: lint+test, buildx, Trivy, OIDC to ECR, yq tag bump', () => {
    const text = read(dir, '.github/workflows/ci.yaml');
    const workflow = parseDocument(text).toJS();
    expect(Object.keys(workflow.on)).toEqual(['push', 'pull_request']);
    expect(workflow.env).toEqual({
      SERVICE_NAME: 'order-svc',
      AWS_REGION: 'eu-west-1',
      ECR_REGISTRY: BASE_VALUES.ecrRegistry,
      HELM_CHARTS_REPO: 'slipway-demo/helm-charts',
      HELM_CHARTS_BRANCH: 'main',
    });
    // GitHub's own expressions come through untouched.
    for (const expr of [
      '${{ github.sha }}',
      '${{ github.run_number }}',
      '${{ vars.AWS_CI_ROLE_ARN }}',
      '${{ secrets.HELM_CHARTS_TOKEN }}',
      '${{ steps.meta.outputs.tag }}',
      '${{ needs.image.outputs.tag }}',
    ]) {
      expect(text).toContain(expr);
    }
    expect(text).toContain('tag="${SHA::7}-${RUN_NUMBER}"');

    const steps = (job: string) => workflow.jobs[job].steps as any[];
    const uses = Object.values(workflow.jobs).flatMap((job: any) =>
      job.steps.filter((s: any) => s.uses).map((s: any) => s.uses as string),
    );
    for (const ref of uses) {
      expect(ref).toMatch(/@(v\d+|[0-9a-f]{40})$/);
    }
    const setup =
      runtime === 'python' ? 'actions/setup-python@' : 'actions/setup-node@';
    const setupStep = steps('test').find(s => s.uses?.startsWith(setup));
    expect(setupStep?.with?.cache).toBe(runtime === 'python' ? 'pip' : 'npm');

    expect(workflow.jobs.image.needs).toBe('test');
    expect(workflow.jobs.image.permissions['id-token']).toBe('write');
    const image = steps('image');
    expect(
      image.find(s => s.uses === 'docker/setup-buildx-action@v3'),
    ).toBeDefined();
    const trivy = image.find(s =>
      s.uses?.startsWith('aquasecurity/trivy-action@'),
    );
    expect(trivy.with).toMatchObject({
      severity: 'CRITICAL',
      'exit-code': '1',
    });
    const aws = image.find(s =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(aws.with).toEqual({
      'role-to-assume': '${{ vars.AWS_CI_ROLE_ARN }}',
      'aws-region': '${{ env.AWS_REGION }}',
    });
    expect(
      image.find(s => s.uses?.startsWith('aws-actions/amazon-ecr-login@')),
    ).toBeDefined();
    // Build and scan on every run; log in and push only from the default branch.
    const idx = (pred: (s: any) => boolean) => image.findIndex(pred);
    expect(idx(s => s === trivy)).toBeLessThan(idx(s => s.id === 'push'));
    expect(image.find(s => s.id === 'push').if).toContain('default_branch');

    const deploy = workflow.jobs.deploy;
    expect(deploy.needs).toBe('image');
    const helmCheckout = deploy.steps.find(
      (s: any) => s.with?.repository === '${{ env.HELM_CHARTS_REPO }}',
    );
    expect(helmCheckout.with.token).toBe('${{ secrets.HELM_CHARTS_TOKEN }}');
    expect(deploy.steps.at(-1).run).toContain(
      'sh app/ci/bump-image-tag.sh helm-charts "$SERVICE_NAME" "$TAG" "$HELM_CHARTS_BRANCH"',
    );
    expect(text).not.toMatch(/--force|push -f/);
  });

  it('bump script edits image.tag with yq and retries with pull --rebase', () => {
    const script = read(dir, 'ci/bump-image-tag.sh');
    expect(script).toContain(`yq -i '.image.tag = strenv(TAG)' "$values"`);
    expect(script).toContain('git pull --quiet --rebase origin "$branch"');
    expect(script).toContain('max_attempts=5');
    expect(script).toContain('ci($service): deploy $tag');
    expect(script).not.toMatch(/--force|push -f|\+HEAD/);
  });
});

it('omits spec.system when the wizard leaves it empty', async () => {
  const dir = await render({
    ...BASE_VALUES,
    system: '',
    runtime: 'node',
    ci: 'github-actions',
  });
  const entity = parse(read(dir, 'catalog-info.yaml'));
  expect(entity.spec).not.toHaveProperty('system');
  expect(entity.metadata.annotations).not.toHaveProperty(
    'jenkins.io/job-full-name',
  );
});
