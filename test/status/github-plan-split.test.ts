// The plan comment's pieces, without a server: how markdown is cut to fit, how a
// comment is recognised as a part of the plan, and how parts are brought up to date.
import { PLAN_MARKER, planCommentBodies, planPartOf } from '../../src/status/forges/github/plan-comment.js';
import { splitMarkdown } from '../../src/status/forges/github/split-markdown.js';
import { syncPlanComments } from '../../src/status/forges/github/sync-plan-comments.js';
import type { CommentsPort, IssueComment } from '../../src/status/forges/github/sync-plan-comments.js';

const characters = (text: string) => [...text].length;
const head = 'f'.repeat(40);

/** One job's plan with a file diff of `lines` lines, laid out as formatPlansMarkdown() does. */
function planWithLongDiff(lines: number): string {
  const diff = Array.from({ length: lines }, (_, i) => `+        image = "registry.example.com/team/service-${i}:1.2.${i}"`);
  return [':pencil2: `web` (`jobs/web.nomad`): 6 create/destroy update in 3 batches', '', '<details><summary>Plan</summary>', '', '```diff', ...diff, '```', '', '</details>', ''].join('\n');
}

describe('splitting a plan into comments', () => {
  it('a plan that fits is one comment, starting with the marker', () => {
    const bodies = planCommentBodies(head, 'No job files changed.\n');
    expect(bodies).toEqual([`${PLAN_MARKER}\n**deckhand** plan for fffffff\n\nNo job files changed.`]);
  });

  it('a diff longer than a comment is cut between lines, its block closed and reopened in each part', () => {
    const bodies = planCommentBodies(head, planWithLongDiff(4000));
    expect(bodies.length).toBeGreaterThan(2);
    for (const [i, body] of bodies.entries()) {
      expect(characters(body)).toBeLessThanOrEqual(65_536);
      const lines = body.split('\n');
      expect(lines.filter((l) => l.startsWith('```')).length % 2).toBe(0);
      if (i > 0) expect(lines.slice(0, 4)).toEqual([`<!-- deckhand:plan part ${i + 1} -->`, `**deckhand** plan for fffffff, continued (part ${i + 1})`, '', '<details><summary>Plan</summary>']);
      if (i > 0) expect(lines[4]).toBe('```diff');
      if (i < bodies.length - 1) expect(lines.slice(-4)).toEqual(['```', '</details>', '', '_Continued in the next comment._']);
    }
    // Full: each part but the last is filled to within a line of the limit.
    for (const body of bodies.slice(0, -1)) expect(characters(body)).toBeGreaterThan(65_536 - 200);
  });

  it('counts characters as GitHub does: an emoji is one, though JavaScript counts two', () => {
    const emojiLines = Array.from({ length: 600 }, () => '🚀'.repeat(100)).join('\n');
    expect(emojiLines.length).toBeGreaterThan(65_536);
    expect(planCommentBodies(head, emojiLines)).toHaveLength(1);
  });

  it('a single line longer than a comment is cut inside, never inside a character', () => {
    const pieces = splitMarkdown('🚀'.repeat(150_000), () => 65_000);
    expect(pieces.length).toBe(3);
    for (const piece of pieces) {
      expect(characters(piece)).toBeLessThanOrEqual(65_000);
      expect(piece).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
    expect(pieces.join('')).toBe('🚀'.repeat(150_000));
  });

  it('blocks nested in the plan (details around a fence) are closed innermost first', () => {
    const markdown = ['<details><summary>Plan</summary>', '', '~~~~diff', ...Array.from({ length: 50 }, (_, i) => `line ${i}`), '~~~~', '</details>'].join('\n');
    const pieces = splitMarkdown(markdown, () => 200);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces[0]!.split('\n').slice(-2)).toEqual(['~~~~', '</details>']);
    expect(pieces[1]!.split('\n').slice(0, 2)).toEqual(['<details><summary>Plan</summary>', '~~~~diff']);
  });
});

describe('recognising the plan comment', () => {
  it('by a marker at the very start only', () => {
    expect(planPartOf(`${PLAN_MARKER}\nplan`)).toBe(1);
    expect(planPartOf('<!-- deckhand:plan part 3 -->\nmore')).toBe(3);
    expect(planPartOf(`> ${PLAN_MARKER}\n> quoted by a reviewer`)).toBeNull();
    expect(planPartOf('Thanks! <!-- deckhand:plan -->')).toBeNull();
  });
});

describe('bringing the parts up to date', () => {
  /** Comments in the order GitHub lists them, and what the sync did to them. */
  function fakeComments(initial: string[]): { port: CommentsPort; bodies: () => string[]; calls: string[] } {
    let nextId = 1;
    let comments: IssueComment[] = initial.map((body) => ({ id: nextId++, body }));
    const calls: string[] = [];
    return {
      calls,
      bodies: () => comments.map((c) => c.body),
      port: {
        list: async () => comments.map((c) => ({ ...c })),
        create: async (body) => {
          calls.push(`create ${body.split('\n')[0]}`);
          comments.push({ id: nextId++, body });
        },
        update: async (id, body) => {
          calls.push(`update ${id}`);
          comments = comments.map((c) => (c.id === id ? { id, body } : c));
        },
        remove: async (id) => {
          calls.push(`remove ${id}`);
          comments = comments.filter((c) => c.id !== id);
        },
      },
    };
  }
  const part = (n: number, text: string) => `${n === 1 ? PLAN_MARKER : `<!-- deckhand:plan part ${n} -->`}\n${text}`;

  it('leaves other comments alone and edits only what changed', async () => {
    const github = fakeComments(['first!', part(1, 'old'), 'a review', part(2, 'same')]);
    await syncPlanComments(github.port, [part(1, 'new'), part(2, 'same')]);
    expect(github.bodies()).toEqual(['first!', part(1, 'new'), 'a review', part(2, 'same')]);
    expect(github.calls).toEqual(['update 2']);
  });

  it('a part lost by hand: later parts are made again after it, so the plan reads in order', async () => {
    const github = fakeComments([part(2, 'b'), part(3, 'c')]);
    await syncPlanComments(github.port, [part(1, 'A'), part(2, 'B'), part(3, 'C')]);
    expect(github.bodies()).toEqual([part(1, 'A'), part(2, 'B'), part(3, 'C')]);
  });

  it('two comments claiming one part (a retry after a lost answer): the older is kept', async () => {
    const github = fakeComments([part(1, 'a'), part(1, 'a')]);
    await syncPlanComments(github.port, [part(1, 'a')]);
    expect(github.calls).toEqual(['remove 2']);
  });
});
