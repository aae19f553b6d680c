/*
 * The shapes of GitHub's Git Data API: refs, git commits, trees and blobs.
 */

import { GitCommitObject, GitTreeEntry } from '../../git';
import { RepoRecord } from '../records';
import { Links, nodeId } from './links';

export function gitShapes({ api, web }: Links) {
  /** The git-ref shape (GET git/ref, POST git/refs, PATCH git/refs). */
  function ref(r: RepoRecord, name: string, sha: string) {
    const base = `${api()}/repos/${r.owner}/${r.name}/git`;
    return {
      ref: name,
      node_id: nodeId('Ref', `${r.id}:${name}`),
      url: `${base}/${name}`,
      object: { type: 'commit', sha, url: `${base}/commits/${sha}` },
    };
  }

  /** The git-commit shape of GitHub's Git Data API (GET/POST git/commits). */
  function gitCommit(r: RepoRecord, c: GitCommitObject) {
    const base = `${api()}/repos/${r.owner}/${r.name}/git`;
    const html = `${web()}/${r.owner}/${r.name}/commit`;
    return {
      sha: c.sha,
      node_id: nodeId('Commit', c.sha),
      url: `${base}/commits/${c.sha}`,
      html_url: `${html}/${c.sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message,
      tree: { sha: c.tree, url: `${base}/trees/${c.tree}` },
      parents: c.parents.map(p => ({
        sha: p,
        url: `${base}/commits/${p}`,
        html_url: `${html}/${p}`,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  /** The git-tree shape (GET/POST git/trees). */
  function gitTree(
    r: RepoRecord,
    sha: string,
    entries: GitTreeEntry[],
    truncated = false,
  ) {
    const base = `${api()}/repos/${r.owner}/${r.name}/git`;
    return {
      sha,
      url: `${base}/trees/${sha}`,
      tree: entries.map(e => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.size !== undefined ? { size: e.size } : {}),
        ...(e.type === 'commit'
          ? {}
          : {
              url: `${base}/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
            }),
      })),
      truncated,
    };
  }

  /** The short-blob shape of POST git/blobs. */
  function shortBlob(r: RepoRecord, sha: string) {
    return {
      url: `${api()}/repos/${r.owner}/${r.name}/git/blobs/${sha}`,
      sha,
    };
  }

  /** The blob shape of GET git/blobs/{sha}: base64 in 60-character lines, as GitHub sends it. */
  function blob(r: RepoRecord, sha: string, content: Buffer) {
    return {
      sha,
      node_id: nodeId('Blob', sha),
      url: `${api()}/repos/${r.owner}/${r.name}/git/blobs/${sha}`,
      size: content.length,
      content: (content.toString('base64').match(/.{1,60}/g) ?? []).join('\n'),
      encoding: 'base64',
    };
  }

  return { ref, gitCommit, gitTree, shortBlob, blob };
}
