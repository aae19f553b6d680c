/*
 * Merging two commits on trees, without a work tree, as the GitHub stand-in
 * merges pull requests: the files the head changed since the merge base are
 * applied onto the base's tree, when the base did not change those same
 * files (or a folder or file in their place) since; otherwise the two
 * conflict. There is no line-level merge: two changes to one file conflict
 * unless they are the same change. BareRepos exposes it as a method.
 */

import { changedPaths, mergeBase, RepoDirs, TreeChange } from './gitObjects';

/** What merging a head into a base would do. */
export interface TreeMerge {
  /** The merge base of the two commits. */
  mergeBase: string;
  /** The head's changes since the merge base, to apply onto the base's tree. */
  changes: Map<string, TreeChange>;
  /** Files the head changed that the base changed too (differently); non-empty: no merge. */
  conflicts: string[];
}

/** The folders a path is in: 'a/b/c' → ['a', 'a/b']. */
function foldersOf(p: string): string[] {
  const parts = p.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

const sameChange = (a: TreeChange, b: TreeChange) =>
  a === b || (!!a && !!b && a.mode === b.mode && a.sha === b.sha);

/**
 * Plans merging commit `head` into commit `base`; undefined when they share
 * no history.
 */
export async function planMerge(
  repos: RepoDirs,
  owner: string,
  repo: string,
  base: string,
  head: string,
): Promise<TreeMerge | undefined> {
  const from = await mergeBase(repos, owner, repo, base, head);
  if (!from) return undefined;
  const [ours, theirs] = await Promise.all([
    changedPaths(repos, owner, repo, from, base),
    changedPaths(repos, owner, repo, from, head),
  ]);
  // A file the base changed where the head has a folder, or the reverse.
  const oursFolders = new Set([...ours.keys()].flatMap(foldersOf));
  const conflicts = [...theirs].flatMap(([p, change]) => {
    const clash =
      (ours.has(p) && !sameChange(ours.get(p)!, change)) ||
      oursFolders.has(p) ||
      foldersOf(p).some(f => ours.has(f));
    return clash ? [p] : [];
  });
  return { mergeBase: from, changes: theirs, conflicts };
}
