/*
 * GitHub's `content-file` shape (GET/PUT repos/{owner}/{repo}/contents/{path})
 * and the blob SHA it carries.
 */

import crypto from 'node:crypto';
import { RepoRecord } from '../records';
import { Links } from './links';

/** The blob SHA git gives a file's bytes (what GitHub's contents API returns). */
export function gitBlobSha(content: Buffer): string {
  return crypto
    .createHash('sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex');
}

export function contentShapes({ api, web }: Links) {
  function content(r: RepoRecord, path: string, text: Buffer, ref: string) {
    const base = `${api()}/repos/${r.owner}/${r.name}`;
    const sha = gitBlobSha(text);
    const self = `${base}/contents/${path}?ref=${ref}`;
    const html = `${web()}/${r.owner}/${r.name}/blob/${ref}/${path}`;
    const git = `${base}/git/blobs/${sha}`;
    return {
      type: 'file',
      encoding: 'base64',
      size: text.length,
      name: path.split('/').pop() ?? path,
      path,
      content: text.toString('base64'),
      sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: `${web()}/${r.owner}/${r.name}/raw/${ref}/${path}`,
      _links: { self, git, html },
    };
  }

  return { content };
}
