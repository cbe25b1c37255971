// The location figure (issue 8 §4): at least 95 % of the mistake programs —
// the lessons' own and the harder shapes in test/fixtures/mistake-shapes/ —
// get exactly their pitfall AND point at their `// BUG:` line. The figure comes
// from scripts/location-score.js (the same code that prints it for the README).
// HTTPDOJO_LESSONS=01,04 narrows the run while working on a lesson.

import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript script without declarations
import { figure, scoreLocations } from '../../scripts/location-score.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const only = process.env.HTTPDOJO_LESSONS?.split(',');

interface Row { file: string; lineOk: boolean; problem: string | null }

it('at least 95 % of the mistake programs are diagnosed on their // BUG: line', { timeout: 900_000 }, async () => {
  const rows: Row[] = await scoreLocations({ lessons: only, jobs: 2 });
  const result = figure(rows);
  const misses = rows.filter((row) => !row.lineOk).map((row) => `${row.file.replace(root, '')}: ${row.problem}`);
  expect(result.all.total).toBeGreaterThan(0);
  // The misses are printed with the figure so a failure says which programs to look at.
  expect({ ratio: result.all.line / result.all.total >= 0.95, misses }).toEqual({ ratio: true, misses: expect.any(Array) });
});
