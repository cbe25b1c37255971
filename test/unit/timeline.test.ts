// The timeline renderer (src/report/timeline.ts) on timelines captured from real
// verify runs (test/fixtures/timeline/*.json, made by capture.mjs there), at 80
// columns without colour, as NO_COLOR or a pipe gets it; and on small made-up
// timelines for the rules (gaps to scale, long gaps compressed, runs summarised).

import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../src/engine/timeline.ts';
import { formatTimeline, timelineChecks, type TimelineData } from '../../src/report/timeline.ts';

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });
const ANSI = /\x1b\[[0-9;]*m/g;

function fixture(name: string): TimelineData & { status: string } {
  return JSON.parse(readFileSync(new URL(`../fixtures/timeline/${name}.json`, import.meta.url), 'utf8')).check;
}

const FIXTURES = ['06-buffered-response', '06-solution', '05-limit-checked-after-end', '12-no-keepalive', '13-proxy-buffers-response', '14-abrupt-shutdown'];

describe('timeline at 80 columns, no colour (snapshots of captured runs)', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const text = formatTimeline(fixture(name), 80, plain);
      for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
      expect(text).not.toMatch(ANSI);
      await expect(text + '\n').toMatchFileSnapshot(`./__snapshots__/timeline/${name}.txt`);
    });
  }

  it('with colour, the same text once the escapes are stripped (cells are padded before they are painted)', () => {
    for (const name of FIXTURES) {
      const painted = formatTimeline(fixture(name), 80, colour);
      expect(painted).toMatch(ANSI);
      const stripped = painted.replace(ANSI, '').split('\n').map((line) => line.trimEnd());
      expect(stripped).toEqual(formatTimeline(fixture(name), 80, plain).split('\n').map((line) => line.trimEnd()));
    }
  });
});

describe('what each lesson\'s timeline shows', () => {
  const text = (name: string) => formatTimeline(fixture(name), 80, plain);

  it('06 buffered: the server sends the whole countdown in one piece after a long gap; the client receives one piece', () => {
    expect(text('06-buffered-response')).toMatch(/≈ … \d+ ms …/);
    expect(text('06-buffered-response')).toContain('client received');
    expect(text('06-buffered-response')).toMatch(/server wrote 14 B in 1 piece, all at/);
  });

  it('06 solution: four writes spread over ~300 ms, each followed by the client receiving it', () => {
    expect(text('06-solution')).toMatch(/server wrote 14 B in 4 pieces, from \d+ ms to \d+ ms/);
    expect(text('06-solution')).toMatch(/client received \d+ B in 4 pieces, from/);
  });

  it('05 limit checked after end: the 413 comes after the request body ended', () => {
    const lines = text('05-limit-checked-after-end').split('\n');
    const ended = lines.findIndex((line) => line.includes('request body ended'));
    const answered = lines.findIndex((line) => line.includes('writeHead 413'));
    expect(ended).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(ended);
  });

  it('12 no keep-alive: every request on a new connection', () => {
    expect(text('12-no-keepalive')).toContain("your program's requests: 20 on a new connection, 0 on a reused one");
    expect(text('12-no-keepalive')).toContain('client (your program)');
  });

  it('13 proxy buffers the response: three lanes; the proxy writes only after the upstream ended', () => {
    const out = text('13-proxy-buffers-response');
    expect(out).toMatch(/client \(httpdojo\).*server \(your progra.*upstream \(httpdojo\)/);
    const lines = out.split('\n');
    const upstreamEnd = lines.findIndex((line) => / end \d+ B\s*$/.test(line));
    const proxyEnd = lines.findIndex((line) => /│ end \d+ B "first/.test(line));
    expect(upstreamEnd).toBeGreaterThan(0);
    expect(proxyEnd).toBeGreaterThan(upstreamEnd);
  });

  it('14 abrupt shutdown: SIGTERM, then process.exit() while a request is in flight', () => {
    const out = text('14-abrupt-shutdown');
    expect(out).toMatch(/# SIGTERM sent to your program/);
    expect(out).toContain('process.exit(0)');
    expect(out.indexOf('request GET /work')).toBeLessThan(out.indexOf('process.exit(0)'));
  });
});

describe('the drawing rules', () => {
  const event = (atMs: number, side: TimelineEvent['side'], kind: string, note: string, bytes?: number): TimelineEvent => ({ atMs, side, kind, note, ...(bytes !== undefined ? { bytes } : {}) });
  const draw = (events: TimelineEvent[], width = 80) => formatTimeline({ title: 'made up', durationMs: events[events.length - 1].atMs, timeline: events }, width, plain);

  it('a long gap is one labelled row; short gaps are spacer rows to scale', () => {
    const out = draw([
      event(0, 'client', 'sent', '→ "GET /"', 40),
      event(1, 'server', 'request', 'request GET /'),
      event(1800, 'server', 'end', 'end "late"', 4),
      event(1840, 'client', 'received', '← "late"', 90),
      event(1900, 'client', 'closed', 'connection closed'),
    ]);
    expect(out).toContain('≈ … 1.8 s …');
    const spacers = (from: string, to: string) => out.slice(out.indexOf(from), out.indexOf(to)).split('\n').filter((line) => line.includes('┆')).length;
    // unit = ceil(1900 / 40) = 48 ms: 39 ms is no row, 60 ms one.
    expect(spacers('← 90 B', 'connection closed')).toBe(1);
    expect(spacers('end 4 B', '← 90 B')).toBe(0);
  });

  it('pieces at the same millisecond are one row, "×3 at once"; a run of many is summarised', () => {
    const together = draw([event(0, 'client', 'sent', '→ "GET /"', 40), event(300, 'client', 'received', '← "1"', 5), event(300, 'client', 'received', '← "2"', 5), event(300, 'client', 'received', '← "3"', 5)]);
    expect(together).toContain('← 15 B (×3 at once) "1"');
    const run = draw(Array.from({ length: 30 }, (_, i) => event(i * 3, 'client', 'sent', '→', 65536)));
    expect(run).toMatch(/… 27 more \(1728 KiB\) over 78 ms …/);
    expect(run.split('\n').filter((line) => line.includes('→ 64 KiB')).length).toBe(3);
  });

  it('fits narrower terminals too', () => {
    const out = formatTimeline(fixture('13-proxy-buffers-response'), 60, plain);
    for (const line of out.split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
  });

  it('verify --timeline draws the failed checks, else the ones that took time', () => {
    const quick = { title: 'quick', status: 'passed', durationMs: 5, timeline: [event(0, 'client', 'sent', '→', 1), event(3, 'client', 'received', '←', 1)] };
    const slow = { title: 'slow', status: 'passed', durationMs: 500, timeline: [event(0, 'client', 'sent', '→', 1), event(400, 'client', 'received', '←', 1)] };
    const failed = { ...quick, title: 'failed', status: 'failed' };
    expect(timelineChecks([quick, slow]).map((check) => check.title)).toEqual(['slow']);
    expect(timelineChecks([quick, slow, failed]).map((check) => check.title)).toEqual(['failed']);
    // A 413 written while the body was still arriving (no req-end before it) is timing too, however quick.
    const early = { title: 'early', status: 'passed', durationMs: 9, timeline: [event(0, 'server', 'request', 'request POST /', undefined), { ...event(5, 'server', 'end', 'end', 29), bodyBytesIn: 65536 }, event(6, 'server', 'req-end', 'request body ended')].map((e) => ({ ...e, connection: 7 })) };
    const late = { ...early, title: 'late', timeline: [early.timeline[0], early.timeline[2], { ...early.timeline[1], atMs: 7 }] };
    expect(timelineChecks([quick, early, late]).map((check) => check.title)).toEqual(['early']);
  });
});
