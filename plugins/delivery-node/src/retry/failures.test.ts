import {
  ECRServiceException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { IAMServiceException } from '@aws-sdk/client-iam';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ArgoCdClient } from '../argocd/ArgoCdClient';
import { gitDataClient } from '../gitops/gitData';
import { AppRepositories } from '../github/AppRepositories';
import {
  failureDetails,
  markUpstreamCall,
  readableFailure,
  upstreamFailureOf,
} from './failures';
import { runProvisioningStep } from './provisioningStep';

const TOKEN = 'ghs_secretvalue1234567890';
const step = { action: 'aws:ecr:create', taskId: 'task-9' };

/** The one-line form every readable failure has. */
function expectOneLine(error: Error) {
  expect(error.stack).toBe(`${error.name}: ${error.message}`);
  expect(error.message).not.toContain('\n');
  expect(error.message).not.toMatch(/node_modules|\bat\s\S+\s\(/);
}

/** A fetch answering every request with `status`. */
function answering(status: number, body: object = { message: 'boom' }) {
  const seen: string[] = [];
  const f = (async (url: string | URL, init?: RequestInit) => {
    seen.push(`${init?.method ?? 'GET'} ${String(url)}`);
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  return Object.assign(f, { seen });
}

describe('readableFailure', () => {
  describe('AWS SDK errors', () => {
    it('names the service, the operation, the code and the attempts spent on throttling', () => {
      const e = new ECRServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, attempts: 8, requestId: 'r-1' },
        message: 'Rate exceeded',
      });
      // What the AwsClients middleware records on each failed attempt.
      markUpstreamCall(e, {
        upstream: 'AWS ECR',
        operation: 'CreateRepository',
      });

      const out = readableFailure(e, step);
      expect(out.message).toBe(
        'AWS ECR CreateRepository failed: ThrottlingException: Rate exceeded (after 8 attempts). Retry the task: it resumes at this step.',
      );
      expect(out).toBeInstanceOf(ServiceUnavailableError);
      expect(out.name).toBe('ServiceUnavailableError');
      expectOneLine(out);
      expect(failureDetails(e)).toMatchObject({
        upstream: { upstream: 'AWS ECR', operation: 'CreateRepository' },
        errors: [
          {
            name: 'ThrottlingException',
            aws: { httpStatusCode: 400, requestId: 'r-1', attempts: 8 },
          },
        ],
      });
    });

    it('tells access denied apart from transient failures, and a missing resource', () => {
      const denied = markUpstreamCall(
        new IAMServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403, attempts: 1 },
          message:
            'User: arn:aws:sts::123456789012:assumed-role/slipway is not authorized to perform: iam:CreateRole',
        }),
        { upstream: 'AWS IAM', operation: 'CreateRole' },
      );
      const out = readableFailure(denied, step);
      expect(out).toBeInstanceOf(NotAllowedError);
      expect(out.message).toMatch(
        /^AWS IAM CreateRole failed: AccessDenied: User: .* iam:CreateRole\. Slipway's account may not do this: ask the portal's administrators to grant it, then Retry the task\.$/,
      );
      expectOneLine(out);

      const missing = new RepositoryNotFoundException({
        $metadata: { httpStatusCode: 400, attempts: 1 },
        message: "The repository with name 'orders' does not exist",
      });
      const m = readableFailure(missing, step);
      expect(m.message).toMatch(
        /^AWS call failed: RepositoryNotFoundException: The repository .* Check that it exists/,
      );
      expect(m.name).toBe('NotFoundError');
    });
  });

  describe('Octokit RequestError', () => {
    it('names the method and path (no query string, no token) and the attempts', async () => {
      const fetch = answering(503, { message: 'Service Unavailable' });
      const github = gitDataClient({
        token: TOKEN,
        apiBaseUrl: 'https://api.github.test',
        fetch,
        retries: 1,
      });
      const error = await github.rest.git
        .createTree({ owner: 'slipway-demo', repo: 'foo', tree: [] })
        .catch(e => e);
      expect(error.name).toBe('HttpError'); // Octokit's RequestError
      expect(fetch.seen).toHaveLength(2);

      const f = upstreamFailureOf(error)!;
      expect(f).toMatchObject({
        upstream: 'GitHub',
        operation: 'POST /repos/slipway-demo/foo/git/trees',
        status: 503,
        attempts: 2,
      });
      const out = readableFailure(error, step);
      expect(out.message).toBe(
        'GitHub POST /repos/slipway-demo/foo/git/trees failed: HTTP 503: Service Unavailable (after 2 attempts). Retry the task: it resumes at this step.',
      );
      expect(out).toBeInstanceOf(ServiceUnavailableError);
      expectOneLine(out);
      expect(JSON.stringify(failureDetails(error))).not.toContain(TOKEN);
    }, 20_000);

    it('keeps the Slipway error class the client made, and strips query strings', async () => {
      const fetch = answering(404, { message: 'Not Found' });
      const repos = new AppRepositories({
        host: 'github.test',
        apiBaseUrl: 'https://api.github.test',
        credentials: {
          getCredentials: async () => ({ token: TOKEN, type: 'token' }),
        },
        fetch,
      });
      const error = await repos
        .readFile(
          {
            owner: 'slipway-demo',
            repo: 'foo',
            visibility: 'private',
            defaultBranch: 'main',
            deleteBranchOnMerge: true,
            protectDefaultBranch: false,
          },
          'catalog-info.yaml',
        )
        .then(
          () => undefined,
          e => e,
        );
      // readFile answers undefined for 404: try a 403 instead.
      expect(error).toBeUndefined();

      const forbidden = answering(403, {
        message: 'Resource not accessible by integration',
      });
      const denied = await new AppRepositories({
        host: 'github.test',
        apiBaseUrl: 'https://api.github.test',
        credentials: {
          getCredentials: async () => ({ token: TOKEN, type: 'token' }),
        },
        fetch: forbidden,
      })
        .get('slipway-demo', 'foo')
        .catch(e => e);
      expect(denied).toBeInstanceOf(NotAllowedError);
      const out = readableFailure(denied, step);
      expect(out).toBeInstanceOf(NotAllowedError);
      expect(out.message).toBe(
        "GitHub GET /repos/slipway-demo/foo failed: HTTP 403: Resource not accessible by integration. Slipway's account may not do this: ask the portal's administrators to grant it, then Retry the task.",
      );
      expectOneLine(out);
      expect(out.message).not.toContain(TOKEN);
    });
  });

  describe('Argo CD client errors', () => {
    it('names the instance and the API operation, with the sends spent', async () => {
      const fetch = answering(503, { message: 'upstream connect error' });
      const client = new ArgoCdClient({
        instance: {
          name: 'main',
          url: 'https://argocd.test',
          token: 'argo-secret-token',
        },
        fetch,
      });
      const error = await client
        .createApplication({ metadata: { name: 'foo' } } as any)
        .catch(e => e);
      const out = readableFailure(error, {
        action: 'argocd:application:create',
      });
      expect(out.message).toBe(
        "Argo CD 'main' ApplicationService_Create failed: HTTP 503: application 'foo': upstream connect error. Retry the task: it resumes at this step.",
      );
      expect(out).toBeInstanceOf(ServiceUnavailableError);
      expectOneLine(out);

      const get = await client.getApplication('foo').catch(e => e);
      expect(upstreamFailureOf(get)).toMatchObject({
        operation: 'ApplicationService_Get',
        attempts: 4,
      });
      expect(readableFailure(get, step).message).toContain(
        '(after 4 attempts)',
      );
      expect(JSON.stringify(failureDetails(get))).not.toContain(
        'argo-secret-token',
      );
    }, 30_000);
  });

  describe("Slipway's own errors", () => {
    it('keep their class and message, without a stack', () => {
      const refusal = new InputError(
        'The service cannot be created as asked:\n- name: must be 2-40 characters\n- owner: must be a Group',
      );
      const out = readableFailure(refusal, step);
      expect(out).toBeInstanceOf(InputError);
      expect(out.message).toBe(refusal.message);
      expect(out.stack).toBe(`InputError: ${refusal.message}`);

      const conflict = new ConflictError(
        "ECR repository 'foo' belongs to component:default/bar",
      );
      const c = readableFailure(conflict, step);
      expect(c).toBeInstanceOf(ConflictError);
      expectOneLine(c);
      expect(c.message).toBe(conflict.message);
    });

    it('anything else names the step and what to do', () => {
      const out = readableFailure(
        new TypeError("Cannot read properties of undefined (reading 'x')"),
        step,
      );
      expect(out.name).toBe('Error');
      expect(out.message).toBe(
        "aws:ecr:create failed: Cannot read properties of undefined (reading 'x'). Retry the task: it resumes at this step; if it fails again, ask the portal's administrators (the backend log has the details under task task-9).",
      );
      expectOneLine(out);
    });
  });
});

describe('runProvisioningStep', () => {
  it('sends the full error to the backend logger and rethrows one line', async () => {
    const backend = { error: jest.fn() };
    const lines: string[] = [];
    const e = markUpstreamCall(
      new ECRServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, attempts: 8 },
        message: 'Rate exceeded',
      }),
      { upstream: 'AWS ECR', operation: 'CreateRepository' },
    );
    const summary = {
      linesFor: jest.fn(async () => ['So far this run created: x.']),
    };
    const thrown = await runProvisioningStep(
      {
        logger: { info: l => lines.push(l), warn: () => {} },
        task: { id: 'task-9' },
        input: { name: 'foo' },
      },
      {
        action: 'aws:ecr:create',
        logger: backend as any,
        summary,
        creating: true,
      },
      async () => {
        throw e;
      },
    ).catch(x => x);
    expect(thrown.stack).toBe(
      'ServiceUnavailableError: AWS ECR CreateRepository failed: ThrottlingException: Rate exceeded (after 8 attempts). Retry the task: it resumes at this step.',
    );
    expect(backend.error).toHaveBeenCalledWith(
      'Scaffolder step aws:ecr:create failed',
      expect.objectContaining({
        taskId: 'task-9',
        action: 'aws:ecr:create',
        errors: [expect.objectContaining({ stack: e.stack })],
      }),
    );
    expect(summary.linesFor).toHaveBeenCalledWith({
      taskId: 'task-9',
      name: 'foo',
    });
    expect(lines).toEqual(['So far this run created: x.']);
  });
});
