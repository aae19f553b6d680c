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
 *   image.tag in helm-charts with yq through ci/bump-image-tag.sh;
 * - that script lands a bump fast-forward against a real (local) git remote,
 *   including after losing a race and after a conflicting race;
 * - each rendered app runs its own linter and tests: Python with Debian's
 *   python3-django, python3-pytest and python3-flake8 (and python3-gunicorn
 *   to serve it for real and stop it with SIGTERM); Node with npm ci from the
 *   registry, eslint + tsc, and node --test (which also SIGTERMs dist/main.js).
 */

// Backstage's own fetch:template action renders the skeleton, as the wizard does.
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isMap, parse, parseAllDocuments, parseDocument } from 'yaml';

const run = promisify(execFile);

const SKELETON = path.resolve(__dirname, '../../../templates/service/skeleton');
const RUNTIMES = ['python', 'node'] as const;
const CIS = ['jenkins', 'github-actions'] as const;
type Runtime = (typeof RUNTIMES)[number];
type Ci = (typeof CIS)[number];

const BASE_VALUES = {
  name: 'order-svc',
  description: 'Takes "orders": fast, #1 in {checkout}',
  owner: 'group:default/payments-team',
  system: 'system:default/shop',
  port: 8081,
  namespace: 'payments',
  repoHost: 'github.com',
  repoOwner: 'slipway-demo',
  helmChartsRepo: 'slipway-demo/helm-charts',
  helmChartsBranch: 'main',
  awsRegion: 'eu-west-1',
  ecrRepositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/order-svc',
  ecrRegistry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  argocdInstance: 'in-cluster',
  jenkinsFolder: 'slipway-demo',
};
type Values = typeof BASE_VALUES & { runtime: Runtime; ci: Ci };

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-skeleton-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** Renders common/ then <runtime>/ into a fresh workspace, as the template does. */
async function render(values: Values): Promise<string> {
  const workspace = fs.mkdtempSync(
    path.join(tmpRoot, `${values.runtime}-${values.ci}-`),
  );
  const action = createFetchTemplateAction({
    reader: {} as any, // never called: the skeleton is a local file: URL
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  });
  for (const folder of ['common', values.runtime]) {
    await action.handler({
      ...createMockActionContext({
        input: { url: `./${folder}`, values },
        templateInfo: {
          baseUrl: pathToFileURL(path.join(SKELETON, 'template.yaml')).href,
          entityRef: 'template:default/service',
        },
        workspacePath: workspace,
      }),
      createTemporaryDirectory: async () =>
        fs.mkdtempSync(path.join(tmpRoot, 'fetch-')),
    } as any);
  }
  return workspace;
}

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : listFiles(full, base);
    }
    return [path.relative(base, full)];
  });
}

const read = (dir: string, file: string) =>
  fs.readFileSync(path.join(dir, file), 'utf8');

/** Fails with the command's own output, not just its exit code. */
async function sh(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, {
      ...options,
      maxBuffer: 32 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error: any) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${options.cwd}:\n${
        error.stdout ?? ''
      }\n${error.stderr ?? error.message}`,
    );
  }
}

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
      'argocd/app-name': 'order-svc',
      'aws.amazon.com/aws-ecr-repository-arn': BASE_VALUES.ecrRepositoryArn,
      'slipway.io/chart-path': 'charts/order-svc',
      'slipway.io/argocd-instance': 'in-cluster',
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

describe('ci/bump-image-tag.sh against a git remote', () => {
  let dir: string;
  let bin: string;
  const values = `# Base values.
image:
  repository: ${BASE_VALUES.ecrRegistry}/order-svc
  # CI changes this on every build (<sha7>-<build>).
  tag: bootstrap
  pullPolicy: IfNotPresent
`;
  const git = (cwd: string, ...args: string[]) =>
    sh(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
      { cwd },
    );

  beforeAll(async () => {
    const app = await render({
      ...BASE_VALUES,
      runtime: 'node',
      ci: 'jenkins',
    });
    dir = fs.mkdtempSync(path.join(tmpRoot, 'git-'));
    fs.copyFileSync(
      path.join(app, 'ci/bump-image-tag.sh'),
      path.join(dir, 'bump.sh'),
    );
    // The machine's yq may not be mikefarah's yq v4 (Debian ships another
    // tool of that name), so a stand-in does the one edit the script asks for
    // and refuses anything else.
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'yq'),
      `#!/bin/sh
[ "$1" = "-i" ] && [ "$2" = ".image.tag = strenv(TAG)" ] && [ $# -eq 3 ] || { echo "unexpected yq $*" >&2; exit 2; }
sed -i "s/^  tag: .*/  tag: $TAG/" "$3"
`,
      { mode: 0o755 },
    );
  });

  async function setup(name: string) {
    const remote = path.join(dir, `${name}.git`);
    await sh(
      'git',
      ['init', '--quiet', '--bare', '--initial-branch=main', remote],
      { cwd: dir },
    );
    const seed = path.join(dir, `${name}-seed`);
    await sh('git', ['clone', '--quiet', remote, seed], { cwd: dir });
    fs.mkdirSync(path.join(seed, 'charts/order-svc'), { recursive: true });
    fs.mkdirSync(path.join(seed, 'charts/other'), { recursive: true });
    fs.writeFileSync(path.join(seed, 'charts/order-svc/values.yaml'), values);
    fs.writeFileSync(path.join(seed, 'charts/other/values.yaml'), values);
    await git(seed, 'add', '.');
    await git(seed, 'commit', '--quiet', '-m', 'seed');
    await git(seed, 'push', '--quiet', 'origin', 'HEAD:main');
    const ours = path.join(dir, `${name}-ci`);
    await sh('git', ['clone', '--quiet', '--branch', 'main', remote, ours], {
      cwd: dir,
    });
    await git(ours, 'config', 'user.name', 'ci');
    await git(ours, 'config', 'user.email', 'ci@example.com');
    return { remote, seed, ours };
  }

  const bump = (checkout: string, tag: string) =>
    sh('sh', [path.join(dir, 'bump.sh'), checkout, 'order-svc', tag, 'main'], {
      cwd: dir,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });

  const remoteFile = async (remote: string, file: string) =>
    sh('git', ['--git-dir', remote, 'show', `main:${file}`], { cwd: dir });

  it('commits the tag, keeps comments, and is idempotent', async () => {
    const { remote, ours } = await setup('plain');
    await bump(ours, 'abc1234-7');
    const after = parseDocument(
      await remoteFile(remote, 'charts/order-svc/values.yaml'),
    );
    expect(after.getIn(['image', 'tag'])).toBe('abc1234-7');
    expect(after.toString()).toContain('# CI changes this on every build');
    const log = await sh(
      'git',
      ['--git-dir', remote, 'log', '--format=%s', 'main'],
      { cwd: dir },
    );
    expect(log.split('\n')[0]).toBe('ci(order-svc): deploy abc1234-7');
    expect(await bump(ours, 'abc1234-7')).toContain('already at abc1234-7');
  });

  it('rebases onto a concurrent push and lands fast-forward', async () => {
    const { remote, seed, ours } = await setup('race');
    // Another service's pipeline pushes after our clone: our first push is rejected.
    fs.writeFileSync(
      path.join(seed, 'charts/other/values.yaml'),
      values.replace('tag: bootstrap', 'tag: fff0000-1'),
    );
    await git(seed, 'commit', '--quiet', '-am', 'ci(other): deploy fff0000-1');
    await git(seed, 'push', '--quiet', 'origin', 'HEAD:main');

    const output = await bump(ours, 'abc1234-8');
    expect(output).toContain('attempt 2');
    const log = await sh(
      'git',
      ['--git-dir', remote, 'log', '--format=%s', 'main'],
      { cwd: dir },
    );
    expect(log.trim().split('\n')).toEqual([
      'ci(order-svc): deploy abc1234-8',
      'ci(other): deploy fff0000-1',
      'seed',
    ]);
    expect(await remoteFile(remote, 'charts/other/values.yaml')).toContain(
      'tag: fff0000-1',
    );
    expect(await remoteFile(remote, 'charts/order-svc/values.yaml')).toContain(
      'tag: abc1234-8',
    );
  }, 30_000);

  it('starts over from the remote when the rebase conflicts', async () => {
    const { remote, seed, ours } = await setup('conflict');
    fs.writeFileSync(
      path.join(seed, 'charts/order-svc/values.yaml'),
      values.replace('tag: bootstrap', 'tag: eee0000-5'),
    );
    await git(
      seed,
      'commit',
      '--quiet',
      '-am',
      'ci(order-svc): deploy eee0000-5',
    );
    await git(seed, 'push', '--quiet', 'origin', 'HEAD:main');

    await bump(ours, 'abc1234-9');
    const doc = parseDocument(
      await remoteFile(remote, 'charts/order-svc/values.yaml'),
    );
    expect(isMap(doc.contents)).toBe(true);
    expect(doc.getIn(['image', 'tag'])).toBe('abc1234-9');
    const log = await sh(
      'git',
      ['--git-dir', remote, 'log', '--format=%s', 'main'],
      { cwd: dir },
    );
    expect(log.trim().split('\n').slice(0, 2)).toEqual([
      'ci(order-svc): deploy abc1234-9',
      'ci(order-svc): deploy eee0000-5',
    ]);
  }, 30_000);
});

describe('each rendered app passes its own linter and tests', () => {
  it('python: flake8, manage.py check, pytest', async () => {
    const python = await findPython();
    const dir = await render({
      ...BASE_VALUES,
      runtime: 'python',
      ci: 'jenkins',
    });
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    await sh(python, ['-m', 'flake8'], { cwd: dir, env });
    await sh(python, ['manage.py', 'check'], {
      cwd: dir,
      env: { ...env, DJANGO_SECRET_KEY: 'test-only' },
    });
    const out = await sh(
      python,
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
      {
        cwd: dir,
        env,
      },
    );
    expect(out).toMatch(/\b\d+ passed\b/);
    expect(out).not.toMatch(/\bfailed\b/);
  }, 60_000);

  it('python: gunicorn serves JSON logs and exits 0 on SIGTERM', async () => {
    const python = await findPython();
    const dir = await render({
      ...BASE_VALUES,
      runtime: 'python',
      ci: 'jenkins',
    });
    const port = await freePort();
    const child = spawn(
      python,
      ['-m', 'gunicorn', '--config', 'gunicorn.conf.py'],
      {
        cwd: dir,
        env: {
          ...process.env,
          PORT: String(port),
          DJANGO_SECRET_KEY: 'test-only',
          DJANGO_ALLOWED_HOSTS: '127.0.0.1',
          WEB_CONCURRENCY: '1',
          PYTHONDONTWRITEBYTECODE: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    const exited = new Promise<number | null>(resolve =>
      child.once('exit', resolve),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          if ((await fetch(`${base}/readyz`)).status === 200) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline)
          throw new Error(`gunicorn did not start:\n${output}`);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      const res = await fetch(`${base}/api/hello?name=k8s`, {
        headers: { 'x-request-id': 'gunicorn-1' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Hello, k8s!' });
      expect(res.headers.get('x-request-id')).toBe('gunicorn-1');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = output.trim().split('\n');
    const entries = lines.map(line => JSON.parse(line));
    for (const entry of entries) {
      expect(entry).toEqual(
        expect.objectContaining({
          time: expect.any(String),
          level: expect.any(String),
          msg: expect.any(String),
        }),
      );
    }
    expect(entries).toContainEqual(
      expect.objectContaining({
        logger: 'order_svc.access',
        request_id: 'gunicorn-1',
        status: 200,
      }),
    );
    expect(entries.map(e => e.msg)).toContain('Handling signal: term');
  }, 60_000);

  it('node: npm ci, eslint + tsc, node --test', async () => {
    const dir = await render({
      ...BASE_VALUES,
      runtime: 'node',
      ci: 'github-actions',
    });
    // npm runs on this Node (22), and so do the scripts it starts.
    const env = {
      ...process.env,
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${
        process.env.PATH
      }`,
      npm_config_update_notifier: 'false',
    };
    await sh('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env });
    await sh('npm', ['run', 'lint'], { cwd: dir, env });
    const out = await sh('npm', ['test'], { cwd: dir, env });
    expect(out).toMatch(/# fail 0/);
    expect(out).toMatch(/# pass [1-9]/);
  }, 180_000);
});

/**
 * A Python 3 that has Django, pytest, flake8 and gunicorn: Debian's
 * python3-django, python3-pytest, python3-flake8 and python3-gunicorn
 * (installed for /usr/bin/python3).
 */
async function findPython(): Promise<string> {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      await run(candidate, ['-c', 'import django, pytest, flake8, gunicorn']);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'No python3 with Django, pytest, flake8 and gunicorn. Install them: ' +
      'apt-get install -y python3-django python3-pytest python3-flake8 python3-gunicorn',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
