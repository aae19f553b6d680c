/*
 * GitHub's `commit` shape (of GET repos/{owner}/{repo}/commits and the
 * commits embedded in branches and contents writes).
 */

import { CommitInfo } from '../../git';
import { RepoRecord } from '../records';
import { Links, nodeId } from './links';

export type CommitShapes = ReturnType<typeof commitShapes>;

export function commitShapes({ api, web }: Links) {
  function gitUser(c: CommitInfo) {
    return { name: c.author, email: c.email, date: c.date };
  }

  function commit(r: RepoRecord, c: CommitInfo) {
    const base = `${api()}/repos/${r.owner}/${r.name}`;
    return {
      url: `${base}/commits/${c.sha}`,
      sha: c.sha,
      node_id: nodeId('Commit', c.sha),
      html_url: `${web()}/${r.owner}/${r.name}/commit/${c.sha}`,
      comments_url: `${base}/commits/${c.sha}/comments`,
      commit: {
        url: `${base}/git/commits/${c.sha}`,
        author: gitUser(c),
        committer: gitUser(c),
        message: c.message,
        comment_count: 0,
        tree: { sha: c.sha, url: `${base}/git/trees/${c.sha}` },
      },
      author: null,
      committer: null,
      parents: c.parents.map(p => ({
        sha: p,
        url: `${base}/commits/${p}`,
        html_url: `${web()}/${r.owner}/${r.name}/commit/${p}`,
      })),
    };
  }

  return { commit };
}
