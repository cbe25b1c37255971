// Every pitfall id of the course ends with a runnable demo
// (lessons/pitfalls/demos/<id>/) or a "## Demo" section in its page saying why
// it cannot have one (issue 12). And every demo is well formed: both programs
// exist and mark the lines to show, the scenario names requests it has.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { noDemoReason } from '../../src/cli/commands/explain-demo.ts';
import { parseDocument } from '../../src/course/front-matter.ts';
import { listDemos, loadDemo, markedLines } from '../../src/engine/demo/scenario.ts';

const LESSONS = fileURLToPath(new URL('../../lessons', import.meta.url));
const PITFALLS = join(LESSONS, 'pitfalls');
const pages = readdirSync(PITFALLS).filter((name) => name.endsWith('.md')).map((name) => name.slice(0, -3)).sort();
const demos = new Set(listDemos(LESSONS));

describe('pitfall demos: a demo or a reason for every pitfall id', () => {
  it('the catalog is there', () => {
    expect(pages.length).toBeGreaterThan(40);
  });

  for (const id of pages) {
    it(id, () => {
      const reason = noDemoReason(parseDocument(readFileSync(join(PITFALLS, `${id}.md`), 'utf8')).body);
      if (demos.has(id)) {
        // A page with a demo must not also say it has none.
        expect(reason).toBeNull();
        return;
      }
      expect(reason, `${id} has no demo in lessons/pitfalls/demos/${id}/ and no "## Demo" section saying why`).not.toBeNull();
      expect(reason!.length).toBeGreaterThan(60);
    });
  }

  it('every demo belongs to a pitfall page', () => {
    for (const id of demos) expect(pages).toContain(id);
  });

  for (const id of demos) {
    it(`demo ${id} is well formed`, () => {
      const demo = loadDemo(LESSONS, id)!;
      for (const file of [demo.broken, demo.fixed]) {
        const source = readFileSync(file, 'utf8');
        expect(markedLines(source).length, `${file} marks no line with // <-`).toBeGreaterThan(0);
        // Tiny programs on Node built-ins only.
        expect(source.split('\n').length).toBeLessThanOrEqual(40);
        for (const [, from] of source.matchAll(/from '([^']+)'/g)) expect(from).toMatch(/^node:/);
      }
    });
  }
});

describe('markedLines', () => {
  it('keeps a line marked // <- without the marker, and a note after it as a comment', () => {
    expect(markedLines("a();\nres.write('x'); // <-\nb(); // <- why\n")).toEqual([
      { line: 2, text: "res.write('x');" },
      { line: 3, text: 'b();  // why' },
    ]);
  });

  it('shows a // demo: comment with the line after it', () => {
    expect(markedLines('// demo: the bug\nx();\ny();')).toEqual([
      { line: 1, text: '// demo: the bug' },
      { line: 2, text: 'x();' },
    ]);
  });
});
