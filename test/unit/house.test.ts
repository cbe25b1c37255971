// The house's measurable rules (issue 9, "Done when"), held by a test so that a
// later change cannot quietly undo them: scripts/house.js measures, this asserts.
// Each rule is also shown to fire on a small bad input, so none can pass vacuously.
import { expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, no type declarations
import { checksShare, foreignImports, houseReport, longFunctions, topLevelHelpers } from '../../scripts/house.js';

it('src/ and lessons/*/check.ts keep every house rule', { timeout: 60_000 }, () => {
  const report = houseReport();
  expect(report.breaches).toEqual([]);
  // The one allowed exception: the probe's install, a flat table of patches.
  for (const line of report.flatTables) expect(line).toMatch(/^src\/engine\/probe\//);
});

it('each rule fires on a breach', () => {
  const long = `function big() {\n${'  x();\n'.repeat(85)}}\n`;
  expect(longFunctions('a.ts', long).map((f: { name: string }) => f.name)).toEqual(['big']);
  expect(longFunctions('a.ts', 'const f = () => 1;\n')).toEqual([]);
  expect(foreignImports("import type { X } from 'httpdojo/check';\nimport { a } from '../10-http-get/check.ts';\nimport fs from 'node:fs';\n")).toEqual(['../10-http-get/check.ts']);
  const share = checksShare('const a = 1;\nexport default {\n  checks: [\n    { id: "x" },\n  ],\n};\n');
  expect([share.lines, share.total]).toEqual([3, 6]);
  expect(checksShare(`// header\n// mutant x: harmless\n\nconst a = 1;\nexport default {\n  checks: [\n    { id: "x" },\n  ],\n};\n`).total).toBe(6);
  expect(topLevelHelpers('function a() {}\nconst b = () => 1;\nconst c = 2;\n')).toEqual(['a', 'b']);
});
