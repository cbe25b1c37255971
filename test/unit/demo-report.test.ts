// The demo report: side by side at 100 columns and more, stacked below, plain
// text without colour; the live view's timer on a terminal, and one plain line
// without one.

import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { DemoResult, SideResult } from '../../src/engine/demo/run-demo.ts';
import { LiveDemoView, renderDemo } from '../../src/report/demo.ts';

function side(name: 'broken' | 'fixed', hang: boolean): SideResult {
  return {
    side: name,
    file: `/x/${name}.js`,
    lines: [{ line: 5, text: hang ? "res.write('hello\\n');" : "res.end('hello\\n');" }],
    exchanges: [{
      name: 'get',
      startedAtMs: 0,
      sent: { method: 'GET', target: '/', headers: {}, bodyBytes: 0, bodyPreview: '' },
      response: hang ? null : { status: 200, reason: 'OK', headers: {}, body: 'hello\n', bodyBytes: 6, headAtMs: 3, endAtMs: 4, spreadMs: 0, arrivals: 1 },
      noResponse: hang ? { reason: 'timeout', waitedMs: 3000, message: '', partialStatus: 200 } : null,
      durationMs: hang ? 3000 : 4,
    }],
    upstream: [],
    upstreamStats: null,
    writesAfterClose: 0,
    fileStreamsOpen: 0,
    upstreamBodyDelayMs: null,
    exit: null,
    crashed: false,
    stderr: '',
    stdout: '',
    peakRssMb: 60,
    rssCurveMb: [50, 60],
    startError: null,
    symptom: { observed: hang, detail: hang ? 'still nothing after 3.0 s (only the head, 200)' : '200 OK, 6 body bytes in 4 ms' },
    durationMs: hang ? 3100 : 200,
  };
}

const result: DemoResult = { id: 'missing-res-end', title: 'GET /', description: 'the request hangs', broken: side('broken', true), fixed: side('fixed', false), shown: true };
const plain = new Chalk({ level: 0 });

describe('renderDemo', () => {
  it('puts the two sides next to each other at 120 columns', () => {
    const text = renderDemo(result, { width: 120, style: plain });
    const head = text.split('\n').find((line) => line.startsWith('BROKEN'))!;
    expect(head).toMatch(/^BROKEN {2}broken\.js +│ FIXED {2}fixed\.js$/);
    expect(text).toMatch(/← still nothing after 3\.0 s \(only the head, 200\) +│ ← 200 OK/);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('stacks them at 80 columns, broken first, every line within 80', () => {
    const text = renderDemo(result, { width: 80, style: plain });
    expect(text).not.toContain('│');
    expect(text.indexOf('BROKEN')).toBeLessThan(text.indexOf('FIXED'));
    expect(text).toContain('✗ symptom: still nothing after 3.0 s');
    expect(text).toContain('✓ no symptom: 200 OK');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).not.toMatch(/\x1b\[/);
  });

  it('says honestly when the demo did not show the symptom', () => {
    const text = renderDemo({ ...result, shown: false, broken: { ...result.broken, symptom: { observed: false, detail: 'answered' } } }, { width: 80, style: plain });
    expect(text.replace(/\n/g, ' ')).toContain('The demo did not show what it should: the broken side did not show the symptom this time');
  });
});

class Sink extends Writable {
  text = '';
  isTTY: boolean;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('LiveDemoView', () => {
  it('on a terminal: a running timer for the side still waiting, next to the one that is done', async () => {
    const sink = new Sink(true);
    const view = new LiveDemoView(sink as unknown as NodeJS.WriteStream, plain);
    view.start();
    view.update({ side: 'broken', phase: 'waiting', atMs: 0, label: 'waiting…' });
    view.update({ side: 'fixed', phase: 'done', atMs: 0, label: '200 OK, 6 body bytes in 4 ms' });
    await new Promise((resolve) => setTimeout(resolve, 450));
    view.stop();
    const timers = [...sink.text.matchAll(/broken waiting… (\d+\.\d) s/g)].map((match) => Number(match[1]));
    expect(timers.length).toBeGreaterThanOrEqual(2);
    expect(timers[timers.length - 1]).toBeGreaterThan(timers[0]);
    expect(sink.text).toContain('fixed  200 OK, 6 body bytes in 4 ms');
    // Each redraw moves up over the previous one; stop() clears the last.
    expect(sink.text).toContain('\x1b[2A\x1b[J');
  });

  it('without a terminal: one plain line, no escape codes, no timer', async () => {
    const sink = new Sink(false);
    const view = new LiveDemoView(sink as unknown as NodeJS.WriteStream, plain);
    view.start();
    view.update({ side: 'broken', phase: 'waiting', atMs: 0, label: 'waiting…' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    view.stop();
    expect(sink.text).toBe('Running the broken and the fixed program (up to 3 s each)…\n');
  });
});
