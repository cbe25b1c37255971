// The toolkit's wording and JSON helpers (src/engine/toolkit/format.ts): one way
// to show bodies, values, counts, durations and errors; JSON equality and media types.

import { describe, expect, it } from 'vitest';
import { EMPTY_BODY, format, isPlainObject, jsonEqual, mediaType } from '../../src/engine/toolkit/format.ts';

describe('format.body', () => {
  const CASES: Array<[string, string | Buffer | { text: string }, number | undefined, string]> = [
    ['an empty string', '', undefined, '(empty body)'],
    ['an empty buffer', Buffer.alloc(0), undefined, '(empty body)'],
    ['a response with no body', { text: '' }, undefined, '(empty body)'],
    ['text is quoted', 'Not found', undefined, '"Not found"'],
    ['a newline is visible', 'a\nb', undefined, '"a\\nb"'],
    ['bytes are decoded as UTF-8', Buffer.from('Zoë'), undefined, '"Zoë"'],
    ['long text is cut', 'x'.repeat(130), undefined, `"${'x'.repeat(120)}…"`],
    ['the cut length can be chosen', 'abcdef', 3, '"abc…"'],
    ['text at the limit is whole', 'abc', 3, '"abc"'],
  ];
  it.each(CASES)('%s', (_name, body, max, shown) => {
    expect(format.body(body, max)).toBe(shown);
  });
  it('has one word for an empty body', () => {
    expect(EMPTY_BODY).toBe('(empty body)');
  });
});

describe('format.value, count, seconds, error', () => {
  const CASES: Array<[string, string, string]> = [
    ['an object as JSON', format.value({ id: 1 }), '{"id":1}'],
    ['a string value keeps its quotes', format.value(''), '""'],
    ['null', format.value(null), 'null'],
    ['undefined as the word', format.value(undefined), 'undefined'],
    ['a long value is cut', format.value('y'.repeat(200), 10), '"yyyyyyyyy…'],
    ['a count has separators', format.count(1048576), '1,048,576'],
    ['a small count', format.count(7), '7'],
    ['seconds with one decimal', format.seconds(2000), '2.0 s'],
    ['seconds rounded', format.seconds(1234), '1.2 s'],
    ['an error with a code', format.error({ name: 'TypeError', code: 'ERR_INVALID_URL', message: 'Invalid URL' }), 'TypeError [ERR_INVALID_URL]: Invalid URL'],
    ['an error without a code', format.error({ name: 'URIError', message: 'URI malformed' }), 'URIError: URI malformed'],
  ];
  it.each(CASES)('%s', (_name, got, want) => {
    expect(got).toBe(want);
  });
});

describe('jsonEqual and isPlainObject', () => {
  const CASES: Array<[string, unknown, unknown, boolean]> = [
    ['key order does not matter', { a: 1, b: 2 }, { b: 2, a: 1 }, true],
    ['array order matters', [1, 2], [2, 1], false],
    ['nested', { a: [{ b: null }] }, { a: [{ b: null }] }, true],
    ['a missing key', { a: 1 }, { a: 1, b: undefined }, false],
    ['array is not object', [], {}, false],
    ['number is not string', 1, '1', false],
    ['null is not an object', null, {}, false],
    ['array lengths differ', [1], [1, 1], false],
  ];
  it.each(CASES)('%s', (_name, a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });
  const OBJECTS: Array<[unknown, boolean]> = [[{}, true], [{ a: 1 }, true], [[], false], [null, false], ['x', false], [undefined, false]];
  it.each(OBJECTS)('isPlainObject(%j) is %s', (value, plain) => {
    expect(isPlainObject(value)).toBe(plain);
  });
});

describe('mediaType', () => {
  const CASES: Array<[string | undefined, string | null]> = [
    ['application/json', 'application/json'],
    ['Application/JSON; charset=utf-8', 'application/json'],
    [' text/plain ;charset=utf-8', 'text/plain'],
    [undefined, null],
  ];
  it.each(CASES)('%s gives %s', (header, media) => {
    expect(mediaType({ headers: header === undefined ? {} : { 'content-type': header } })).toBe(media);
  });
});
