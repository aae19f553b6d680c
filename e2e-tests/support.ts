import { ECRClient } from '@aws-sdk/client-ecr';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APIRequestContext, expect, Page } from '@playwright/test';

/** The sandbox's upstreams on their default ports (app-config.yaml). */
export const SANDBOX = {
  github: 'http://127.0.0.1:7071',
  jenkins: 'http://127.0.0.1:7074',
  argocd: 'http://127.0.0.1:7073',
  control: 'http://127.0.0.1:7070',
  /** GitHub's REST API, with the sandbox-only token. */
  githubHeaders: { authorization: 'token sandbox-github-token' },
};

/** ECR in the sandbox, with its own, sandbox-only keys (app-config.yaml). */
export const sandboxEcr = new ECRClient({
  endpoint: 'http://127.0.0.1:7072',
  region: 'eu-west-1',
  credentials: {
    accessKeyId: 'AKIASLIPWAYSANDBOX01',
    secretAccessKey: 'slipwaySandboxOnlySecretNotForRealAws0000',
  },
});

/** Signs in through the development sign-in page as one of the example users. */
export async function signInAs(page: Page, user = 'guest') {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await expect(
    page.getByRole('heading', { name: 'Slipway Catalog' }),
  ).toBeVisible();
}

/** A clone of a service's app repository in the sandbox, pushed to with git as a developer would. */
export function cloneService(service: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-push-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git(
    'clone',
    '--quiet',
    `http://x-access-token:sandbox-github-token@127.0.0.1:7071/slipway-demo/${service}.git`,
    '.',
  );
  return {
    /** Commits a README line with `message` and pushes it; returns the commit's SHA. */
    push(message: string): string {
      fs.appendFileSync(path.join(dir, 'README.md'), `\n${message}\n`);
      git('add', 'README.md');
      git(
        '-c',
        'user.name=E2E Developer',
        '-c',
        'user.email=e2e@example.com',
        'commit',
        '--quiet',
        '-m',
        message,
      );
      git('push', '--quiet', 'origin', 'HEAD');
      return git('rev-parse', 'HEAD');
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `templateRef` with `values` through the scaffolder's API (as the
 * wizard's Create button does), with the caller's `auth` header, and waits
 * until the task ends; returns its id and final status.
 */
export async function runTemplate(
  request: APIRequestContext,
  auth: Record<string, string>,
  templateRef: string,
  values: Record<string, unknown>,
  timeout = 120_000,
): Promise<{ id: string; status: string }> {
  const backend = 'http://127.0.0.1:7007';
  const task = await (
    await request.post(`${backend}/api/scaffolder/v2/tasks`, {
      headers: auth,
      data: { templateRef, values },
    })
  ).json();
  let status = '';
  await expect
    .poll(
      async () => {
        status = (
          await (
            await request.get(`${backend}/api/scaffolder/v2/tasks/${task.id}`, {
              headers: auth,
            })
          ).json()
        ).status;
        return status === 'completed' || status === 'failed';
      },
      { timeout, intervals: [1_000, 2_000] },
    )
    .toBe(true);
  return { id: task.id, status };
}
