/** A repository URL reduced for comparison: lower case, no trailing slash or `.git`. */
export function normalizeRepoUrl(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
}
