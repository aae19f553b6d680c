import type { GitHubReader } from './GitHubReader';

/**
 * What a caller that only looks at repositories and files needs of a
 * GitHub host (the preflight, the delivery status's binding checks).
 *
 * @public
 */
export type GitHubFiles = Pick<
  GitHubReader,
  'getRepository' | 'getFileContent'
>;
