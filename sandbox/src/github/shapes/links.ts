/*
 * What every shape module shares: where the GitHub stand-in's API and web
 * pages are (known once it listens), and GitHub's node IDs.
 */

/** The stand-in's base URLs. */
export interface Links {
  /** The REST API root, e.g. http://localhost:7071/api/v3. */
  api: () => string;
  /** The web root (HTML pages, clone URLs), e.g. http://localhost:7071. */
  web: () => string;
}

/** A GitHub-style global node ID for an object of `kind`. */
export const nodeId = (kind: string, id: number | string) =>
  Buffer.from(`${kind}:${id}`).toString('base64').replace(/=+$/, '');
