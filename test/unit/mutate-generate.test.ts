// Mutants are sorted before anything runs: the ones that do not compile and the
// ones whose emitted JavaScript is the solution's own are counted apart, never
// as kills; two entries making the same text keep the first. And the survivor's
// diff shows the change, a moved line as one - and one +.

import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../src/engine/mutate/edits.ts';
import { unifiedDiff } from '../../src/engine/mutate/diff.ts';
import { generateMutants } from '../../src/engine/mutate/generate.ts';

const SOURCE = "const body: string = JSON.stringify(data); // the answer\nres.end(body);\n";

/** A test entry: replaces the first occurrence of `from` with `to`. */
function replacing(name: string, from: string, to: string): CatalogueEntry {
  return {
    name,
    pitfalls: ['missing-res-end'],
    description: name,
    find: ({ text }) => (text.includes(from) ? [{ edits: [{ start: text.indexOf(from), end: text.indexOf(from) + from.length, text: to }] }] : []),
  };
}

describe('generateMutants', () => {
  it('classifies: runnable, not compiling (with the error), same emitted JavaScript', () => {
    const mutants = generateMutants('solution.ts', SOURCE, [
      replacing('real', 'res.end(body)', 'res.write(body)'),
      replacing('broken', 'res.end(body);', 'res.end(body'),
      replacing('comment-only', 'the answer', 'what we send'),
      replacing('type-only', 'body: string', 'body: unknown'),
    ]);
    expect(mutants.map((m) => [m.id, m.kind])).toEqual([['real#1', 'runnable'], ['broken#1', 'invalid'], ['comment-only#1', 'equivalent'], ['type-only#1', 'equivalent']]);
    expect(mutants[1].reason).toMatch(/^line 3: '\)' expected/); // at the end of the file, where the parser gave up
    expect(mutants[0].line).toBe(2);
  });

  it('keeps one mutant per distinct text, the first entry winning', () => {
    const mutants = generateMutants('solution.ts', SOURCE, [replacing('first', 'res.end', 'res.write'), replacing('second', 'end(body)', 'write(body)')]);
    expect(mutants.map((m) => m.id)).toEqual(['first#1']);
  });
});

describe('unifiedDiff', () => {
  it('shows a changed line with two lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\n';
    expect(unifiedDiff(before, before.replace('d', 'D'), 'x.ts')).toBe(['--- x.ts (solution)', '+++ x.ts (mutant)', '@@ -2,5 +2,5 @@', ' b', ' c', '-d', '+D', ' e', ' f'].join('\n'));
  });

  it('shows a moved line as one removal and one addition', () => {
    const diff = unifiedDiff('h\nw\ne\nz\n', 'w\ne\nh\nz\n', 'x.ts');
    expect(diff.split('\n').slice(2)).toEqual(['@@ -1,5 +1,5 @@', '-h', ' w', ' e', '+h', ' z', ' ']);
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff('a\n', 'a\n', 'x.ts')).toBe('');
  });
});
