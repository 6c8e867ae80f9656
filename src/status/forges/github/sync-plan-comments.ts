// Brings a pull request's plan comments to the wanted bodies with as few changes
// as possible: parts no longer needed are deleted, parts that exist are edited in
// place (and left alone when already right), missing parts are created. Running it
// again after a failure half-way is safe: it starts from what the forge shows, and
// deleting before creating means a half-done run never leaves parts out of order.
import { planPartOf } from './plan-comment.js';

export interface IssueComment {
  id: number;
  body: string;
}

/** The few comment operations the sync needs. */
export interface CommentsPort {
  list(): Promise<IssueComment[]>;
  create(body: string): Promise<void>;
  update(id: number, body: string): Promise<void>;
  remove(id: number): Promise<void>;
}

export async function syncPlanComments(comments: CommentsPort, bodies: string[]): Promise<void> {
  const existing = new Map<number, IssueComment>();
  const surplus: IssueComment[] = [];
  for (const comment of await comments.list()) {
    const part = planPartOf(comment.body);
    if (part === null) continue;
    // Two comments claiming one part (e.g. a crash between create and retry): keep the oldest.
    if (existing.has(part) || part > bodies.length) surplus.push(comment);
    else existing.set(part, comment);
  }
  // GitHub lists comments in the order they were made. When a part has to be
  // created, later parts that still exist would then read before it: they are
  // deleted and made again after it, so the plan reads in order.
  const firstMissing = bodies.findIndex((_, i) => !existing.has(i + 1)) + 1;
  if (firstMissing > 0) {
    for (const [part, comment] of existing) {
      if (part > firstMissing) {
        surplus.push(comment);
        existing.delete(part);
      }
    }
  }
  for (const comment of surplus) await comments.remove(comment.id);
  for (const [i, body] of bodies.entries()) {
    const comment = existing.get(i + 1);
    if (!comment) await comments.create(body);
    else if (comment.body !== body) await comments.update(comment.id, body);
  }
}
