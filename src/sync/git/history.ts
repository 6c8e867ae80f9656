// Did history move forward? A new head that does not descend from the commit the
// caller last accepted means history was rewritten (force-push, amend, reset).
import git from 'isomorphic-git';
import type { GitObjects } from './git-objects.js';
import { hasCommit } from './git-objects.js';
import type { HeadRelation } from '../revision.js';

export async function relationToBaseline(objects: GitObjects, baseline: string | null | undefined, head: string): Promise<HeadRelation> {
  if (!baseline) return 'initial';
  if (baseline === head) return 'unchanged';
  // The clone keeps full history, so a baseline we do not have is not reachable from
  // the head: it was on history that no longer exists (or was never on this branch).
  if (!(await hasCommit(objects, baseline))) return 'rewritten';
  const descends = await git.isDescendent({ fs: objects.fs, gitdir: objects.gitdir, oid: head, ancestor: baseline, depth: -1, cache: objects.cache });
  return descends ? 'fast-forward' : 'rewritten';
}
