/*
 * What the generated Jenkinsfile and GitHub Actions workflow do after a
 * push, played out inside the sandbox: an image for the commit pushed to
 * ECR as <sha7>-<build> with scan findings, then the tag bump committed to
 * charts/<name>/values.yaml in the helm-charts repo. The bump is a
 * compare-and-swap on the branch (a fast-forward push), retried with
 * jitter when another bump raced it; never a force push.
 */

import crypto from 'node:crypto';
import { parseDocument } from 'yaml';
import { BareRepos } from './git';

/** The part of the sandbox ECR the pipeline uses. */
export interface ImageRegistry {
  putImage(
    repositoryName: string,
    tag: string,
    opts?: { findings?: Partial<Record<string, number>>; sizeBytes?: number },
  ): { digest: string };
}

export interface PipelineOptions {
  repos: BareRepos;
  registry: ImageRegistry;
  helmCharts: { owner: string; repo: string; branch: string };
  /** Called after the bump commit landed (notifies webhooks and Argo CD). */
  onChartsPush: (before: string | undefined, after: string) => Promise<void>;
  /** Simulated build time. */
  buildMs: number;
  /**
   * How long a build waits for its ECR repository and its chart to appear,
   * as a CI system's repository scan would pick up a new repo only after
   * the wizard has provisioned it. Default 0 (fail at once).
   */
  provisioningWaitMs?: number;
  log?: (line: string) => void;
}

export interface PipelineResult {
  result: 'SUCCESS' | 'FAILURE';
  image?: string;
  tag?: string;
  bumpSha?: string;
  log: string[];
}

/** How often a tag bump is retried when another bump moved the branch. */
const MAX_BUMP_ATTEMPTS = 20;

/** Scan findings derived from the commit, so a rebuild gives the same answer. */
export function findingsFor(sha: string) {
  const b = crypto.createHash('sha256').update(sha).digest();
  return {
    CRITICAL: b[0] % 7 === 0 ? 1 : 0,
    HIGH: b[1] % 3,
    MEDIUM: b[2] % 6,
    LOW: b[3] % 9,
  };
}

/** Sets image.tag in a values file, keeping its comments and layout. */
export function setImageTag(valuesYaml: string, tag: string): string {
  const doc = parseDocument(valuesYaml);
  if (doc.errors.length)
    throw new Error(`values.yaml does not parse: ${doc.errors[0].message}`);
  doc.setIn(['image', 'tag'], tag);
  return doc.toString();
}

/** Runs the post-push pipeline for one commit of one service. */
export async function runPipeline(
  o: PipelineOptions,
  service: { owner: string; repo: string; sha: string; buildNumber: number },
): Promise<PipelineResult> {
  const log: string[] = [];
  const say = (line: string) => {
    log.push(line);
    o.log?.(line);
  };
  const tag = `${service.sha.slice(0, 7)}-${service.buildNumber}`;
  say(`Checking out ${service.owner}/${service.repo}@${service.sha}`);
  await new Promise(r => setTimeout(r, o.buildMs));
  say(`Built image for ${service.repo} (tag ${tag})`);

  const deadline = Date.now() + (o.provisioningWaitMs ?? 0);
  const pause = () => new Promise(r => setTimeout(r, 250));
  let image: string;
  for (;;) {
    try {
      o.registry.putImage(service.repo, tag, {
        findings: findingsFor(service.sha),
        sizeBytes:
          40_000_000 + (parseInt(service.sha.slice(0, 6), 16) % 20_000_000),
      });
      image = `${service.repo}:${tag}`;
      say(`Pushed ${image} to ECR; scan complete`);
      break;
    } catch (e) {
      const notYet =
        (e as { code?: string }).code === 'RepositoryNotFoundException';
      if (!notYet || Date.now() >= deadline) {
        say(`ERROR: push to ECR failed: ${(e as Error).message}`);
        return { result: 'FAILURE', tag, log };
      }
      await pause();
    }
  }

  const { owner, repo, branch } = o.helmCharts;
  const file = `charts/${service.repo}/values.yaml`;
  // The chart may still be on its way (the wizard registers it after the
  // first push): wait for it, bounded.
  for (;;) {
    const head = await o.repos.resolveIn(owner, repo, branch);
    if (
      head &&
      (await o.repos.readFileIn(owner, repo, head, file)) !== undefined
    )
      break;
    if (Date.now() >= deadline) break;
    await pause();
  }
  for (let attempt = 1; attempt <= MAX_BUMP_ATTEMPTS; attempt++) {
    const head = await o.repos.resolveIn(owner, repo, branch);
    const current = head && (await o.repos.readFileIn(owner, repo, head, file));
    if (!head || current === undefined) {
      say(
        `ERROR: ${file} not found in ${owner}/${repo}; register the chart first`,
      );
      return { result: 'FAILURE', image, tag, log };
    }
    const next = setImageTag(current, tag);
    try {
      const { sha } = await o.repos.commitFiles(
        owner,
        repo,
        branch,
        { [file]: next },
        `ci(${service.repo}): deploy ${tag}\n\nImage ${image} built from ${service.owner}/${service.repo}@${service.sha}.`,
        { name: 'Slipway CI', email: 'ci@slipway.invalid' },
      );
      say(`Bumped ${file} to ${tag} in ${owner}/${repo} (${sha.slice(0, 7)})`);
      await o.onChartsPush(head, sha);
      return { result: 'SUCCESS', image, tag, bumpSha: sha, log };
    } catch {
      // Another bump moved the branch first: re-read and try again.
      // Exponential backoff with full jitter, capped.
      const wait = Math.floor(
        Math.random() * Math.min(1000, 25 * 2 ** attempt),
      );
      say(
        `helm-charts moved under us; retrying in ${wait} ms (attempt ${attempt})`,
      );
      await new Promise(r => setTimeout(r, wait));
    }
  }
  say(`ERROR: gave up bumping the tag after ${MAX_BUMP_ATTEMPTS} attempts`);
  return { result: 'FAILURE', image, tag, log };
}
