// src/engine/toolkit/targets.ts (a request target split by hand: its symptoms in
// words and its line) and src/engine/toolkit/fields.ts (a JSON object judged
// field by field: the first wrong field named, with its line or its pitfall).

import { describe, expect, it } from 'vitest';
import type { CheckContext, ResponseRecord } from '../../src/engine/check-api.ts';
import type { HttpResponse } from '../../src/engine/clients/http-client.ts';
import type { Location } from '../../src/engine/probe-events.ts';
import { expectFields } from '../../src/engine/toolkit/fields.ts';
import { jsonEqual, isPlainObject } from '../../src/engine/toolkit/format.ts';
import { codeSource } from '../../src/engine/toolkit/source.ts';
import { handSplitLine, pathSplitSymptom, querySplitSymptom } from '../../src/engine/toolkit/targets.ts';
import { CheckFailure } from '../../src/engine/verdict.ts';

const FILE = '/w/server.js';

describe('pathSplitSymptom', () => {
  it('a path that kept its query, or was decoded', () => {
    expect(pathSplitSymptom('/search?q=1', '/search')).toBe('the path ends before the first "?": URL.pathname gives "/search"');
    expect(pathSplitSymptom('/café/a/b', '/caf%C3%A9/a%2Fb')).toContain('URL.pathname keeps percent-escapes as sent: "/caf%C3%A9/a%2Fb"');
  });
  it('null for the right path, another wrong path, or not a string', () => {
    expect(pathSplitSymptom('/search', '/search')).toBeNull();
    expect(pathSplitSymptom('/elsewhere', '/search')).toBeNull();
    expect(pathSplitSymptom(undefined, '/search')).toBeNull();
  });
});

describe('querySplitSymptom', () => {
  const want = (target: string) => Object.fromEntries(new URL(target, 'http://localhost').searchParams);
  it.each([
    ['undecoded + and escapes', { q: 'a+b%20c' }, '/s?q=a+b%20c', 'URLSearchParams decodes names and values, + and %XX escapes alike ("a+b%20c" is "a b c"): {"q":"a b c"}'],
    ['the empty name of an empty query', { '': '' }, '/s?', 'splitting an empty query gives an empty name; url.searchParams has no parameter at all: {}'],
    ['a value cut at a later "?"', { q: 'why', x: '1' }, '/ask?q=why?&x=1', 'only the first "?" starts the query, and a later "?" is part of a value: {"q":"why?","x":"1"}'],
    ['a valueless name lost', { sort: 'date' }, '/s?sort=date&flag', 'a name without "=" has the value "" in URLSearchParams ("flag" is missing or null in yours): {"sort":"date","flag":""}'],
  ])('%s', (_name, got, target, text) => {
    expect(querySplitSymptom(got, want(target))).toBe(text);
  });
  it('null for another wrong query or a non-object', () => {
    expect(querySplitSymptom({ q: 'other' }, { q: 'node' })).toBeNull();
    expect(querySplitSymptom('q=node', { q: 'node' })).toBeNull();
  });
});

describe('handSplitLine', () => {
  const text = [
    "const url = req.url;",
    "const name = decodeURIComponent(raw);",
    "const [path, qs] = req.url.split('?');",
  ].join('\n');
  it('the split first, the decoding only when asked, else where req.url is read', () => {
    expect(handSplitLine(codeSource(FILE, text))?.line).toBe(3);
    expect(handSplitLine(codeSource(FILE, text.split('\n').slice(0, 2).join('\n')))?.line).toBe(1);
    expect(handSplitLine(codeSource(FILE, text.split('\n').slice(0, 2).join('\n')), { decoded: true })?.line).toBe(2);
  });
  it('not in a comment', () => {
    expect(handSplitLine(codeSource(FILE, "// req.url.split('?')\nconst u = new URL(req.url, base);"))?.line).toBe(2);
  });
});

describe('expectFields', () => {
  const LINE: Location = { file: FILE, line: 7, column: 3 };
  const ANSWERED: Location = { file: FILE, line: 12, column: 3 };
  function run(body: unknown, rules: Parameters<typeof expectFields>[3], want: Record<string, unknown> = { path: '/s', userAgent: null }) {
    const res = { status: 200, json: body, text: JSON.stringify(body), request: { method: 'GET', target: '/s?x=1', headers: {} } } as unknown as HttpResponse;
    const ctx = {
      json: { isObject: isPlainObject, equal: jsonEqual },
      server: { recordOf: async () => ({ lastCallAt: ANSWERED }) as ResponseRecord },
      source: { find: (...patterns: RegExp[]) => (patterns.some((pattern) => pattern.test('path: url.pathname')) ? LINE : null) },
      expect: () => ({ json: (value: unknown) => { if (!jsonEqual(value, body)) throw new CheckFailure('wrong-body', 'bodies differ'); } }),
      fail: (pitfall: string, message: string, location: Location | null = null) => {
        throw new CheckFailure(pitfall, message, location);
      },
    } as unknown as CheckContext;
    return expectFields(ctx, res, want, rules).then(() => null, (error: CheckFailure) => error);
  }
  it('the first wrong field, what came back, what was expected and how, at its line', async () => {
    const failure = await run({ path: '/x', userAgent: 'a' }, { path: { how: 'URL.pathname', line: [/pathname/] }, userAgent: {} });
    expect(failure).toMatchObject({ pitfall: 'wrong-body', message: 'We sent GET /s?x=1; you answered path "/x", expected "/s" (URL.pathname).', location: LINE });
  });
  it("a symptom's pitfall, at its own line", async () => {
    const symptom = { pitfall: 'url-string-split', why: (got: unknown, want: string) => pathSplitSymptom(got, want), at: () => ANSWERED };
    const failure = await run({ path: '/s?x=1', userAgent: null }, { path: { symptom } });
    expect(failure).toMatchObject({ pitfall: 'url-string-split', message: 'We sent GET /s?x=1; you answered path "/s?x=1", but the path ends before the first "?": URL.pathname gives "/s".', location: ANSWERED });
  });
  it('a missing field expected null: JSON.stringify dropped undefined; without a line, the line that answered', async () => {
    const failure = await run({ path: '/s' }, { path: {}, userAgent: { sent: 'without a User-Agent header', line: [/userAgent/] } });
    expect(failure).toMatchObject({ pitfall: 'wrong-body', message: 'We sent GET /s?x=1 without a User-Agent header; your JSON has no "userAgent" property at all: JSON.stringify drops a property whose value is undefined, so send null.', location: ANSWERED });
  });
  it('right fields, then the whole body: an extra property still fails; the exact body passes', async () => {
    expect(await run({ path: '/s', userAgent: null, extra: 1 }, { path: {}, userAgent: {} })).toMatchObject({ message: 'bodies differ' });
    expect(await run({ path: '/s', userAgent: null }, { path: {}, userAgent: {} })).toBeNull();
  });
});
