/*
 * GitHub's REST answers as the reader receives them, and how each becomes
 * one of the delivery status's wire types.
 */

import type {
  Build,
  SourceCommit,
} from '@internal/backstage-plugin-delivery-common';
import { workflowRunStatus } from './workflowRuns';

/** A commit, as `GET /repos/{owner}/{repo}/commits` lists it. */
export interface CommitJson {
  sha: string;
  html_url: string;
  commit: {
    message: string;
    author?: { name?: string; date?: string } | null;
    committer?: { name?: string; date?: string } | null;
  };
}

/** A run, as `GET /repos/{owner}/{repo}/actions/runs` lists it. */
export interface WorkflowRunJson {
  run_number: number;
  status?: string | null;
  conclusion?: string | null;
  head_sha: string;
  html_url: string;
  created_at: string;
  updated_at: string;
  run_started_at?: string;
}

/** A repository, as `GET /repos/{owner}/{repo}` answers. */
export interface RepoJson {
  default_branch: string;
  html_url: string;
  topics?: string[];
}

/** A commit as the status shows it, with its whole message too. */
export function commitOf(
  c: CommitJson,
): SourceCommit & { fullMessage: string } {
  return {
    sha: c.sha,
    message: (c.commit.message ?? '').split('\n', 1)[0],
    fullMessage: c.commit.message ?? '',
    ...(c.commit.author?.name ? { author: c.commit.author.name } : {}),
    committedAt: c.commit.committer?.date ?? c.commit.author?.date ?? '',
    url: c.html_url,
  };
}

/** An Actions run as a build: its status, commit, start, and (once completed) end and duration. */
export function buildOf(run: WorkflowRunJson): Build {
  const status = workflowRunStatus(run.status, run.conclusion);
  const startedAt = run.run_started_at ?? run.created_at;
  const build: Build = {
    number: Number(run.run_number),
    status,
    commitSha: run.head_sha,
    startedAt,
    url: run.html_url,
  };
  if (run.status === 'completed' && run.updated_at) {
    build.finishedAt = run.updated_at;
    const ms = Date.parse(run.updated_at) - Date.parse(startedAt);
    if (Number.isFinite(ms) && ms >= 0) build.durationMs = ms;
  }
  return build;
}

/** GitHub's pull request, the fields Slipway reads. */
export interface PullJson {
  number: number;
  title?: string;
  body?: string | null;
  html_url: string;
  state?: string;
  created_at?: string;
  user?: { login?: string } | null;
  head?: { ref?: string };
  base?: { ref?: string };
}

/** An open (or closed) pull request as Slipway reads it. @public */
export interface PullRequestSummary {
  number: number;
  title: string;
  /** Title and body: a change's commit message, trailers included. */
  message: string;
  url: string;
  state: 'open' | 'closed';
  createdAt?: string;
  /** GitHub login of who opened it (Slipway's token for promotions). */
  author?: string;
  head?: string;
  base?: string;
}

export function pullOf(p: PullJson): PullRequestSummary {
  const title = p.title ?? '';
  return {
    number: p.number,
    title,
    message: p.body ? `${title}\n\n${p.body}` : title,
    url: p.html_url,
    state: p.state === 'closed' ? 'closed' : 'open',
    createdAt: p.created_at,
    author: p.user?.login,
    head: p.head?.ref,
    base: p.base?.ref,
  };
}
