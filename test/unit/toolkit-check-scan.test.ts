// dev check's static scan sees the client harness used through the context
// (ctx.client.run / .server / .failCommon) like a value import of it: the
// harness's pitfall ids need pages in a lesson that uses it either way.

import { describe, expect, it } from 'vitest';
import { scanCheckSource } from '../../src/engine/check-scan.ts';
import { CLIENT_HARNESS_PITFALLS } from '../../src/engine/client-harness/pitfalls.ts';

const harnessIds = [...CLIENT_HARNESS_PITFALLS].sort();
const idsOf = (text: string) => [...new Set(scanCheckSource(text, 'check.ts').reportedPitfalls.map((pitfall) => pitfall.id))].sort();

describe('check scan and ctx.client', () => {
  const CASES: Array<[string, string, string[]]> = [
    ['ctx.client.run', 'export default { checks: [{ id: "a", async run(ctx) { const s = await ctx.client.server(() => {}); await ctx.client.run(s, []); } }] };', harnessIds],
    ['ctx.client.failCommon', 'function judge(ctx, r, s) { ctx.client.failCommon(r, s, "We ran it"); }', harnessIds],
    ['a type-only import and no harness', 'import type { LessonChecks } from "httpdojo/check";\nexport default { checks: [{ id: "a", run(ctx) { ctx.fail("my-id", "m"); } }] };', ['my-id']],
    ['another .client property is not the harness', 'const x = req.client.remoteAddress;', []],
    ['evidence pitfalls are reported', 'ctx.evidence({ crash: { pitfall: "url-string-split", because: "b" } });', ['url-string-split']],
  ];
  it.each(CASES)('%s', (_name, text, ids) => {
    expect(idsOf(text)).toEqual(ids);
  });
  it('reports the harness ids once, on the first use', () => {
    const lines = scanCheckSource('ctx.client.run(s, []);\nctx.client.run(s, []);', 'check.ts').reportedPitfalls.map((pitfall) => pitfall.line);
    expect(new Set(lines)).toEqual(new Set([1]));
  });
});
