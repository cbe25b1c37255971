// Prints a pitfall demo: the broken program and the fixed one, side by side at
// 100 columns and more, one above the other below that. Live while it runs on a
// terminal (a timer for the side that is still waiting); plain text without a
// terminal or under NO_COLOR.

import type { ChalkInstance } from 'chalk';
import type { DemoProgress, DemoResult, Exchange, Side, SideResult } from '../engine/demo/run-demo.js';
import { describe, firstErrorLine } from '../engine/demo/symptom.js';
import { wrap } from './style.js';

type Tone = 'plain' | 'dim' | 'bad' | 'good' | 'code' | 'head';
interface Line {
  text: string;
  tone: Tone;
}

const SIDE_BY_SIDE_MIN = 100;
const GUTTER = ' │ ';

export function renderDemo(result: DemoResult, options: { width: number; style: ChalkInstance }): string {
  const { width, style } = options;
  const paint = (line: Line) => toned(style, line);
  const header = [
    style.bold(`Demo: ${result.id}`),
    style.dim(wrap(result.title, width)),
    wrap(`Symptom to watch for: ${result.description}`, width),
    '',
  ];
  const sideBySide = width >= SIDE_BY_SIDE_MIN;
  const columnWidth = sideBySide ? Math.floor((width - GUTTER.length) / 2) : width;
  const left = fit(sideLines(result.broken, result), columnWidth);
  const right = fit(sideLines(result.fixed, result), columnWidth);
  const body: string[] = [];
  if (sideBySide) {
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const a = left[i] ?? { text: '', tone: 'plain' };
      const b = right[i] ?? { text: '', tone: 'plain' };
      body.push(`${paint(a)}${' '.repeat(columnWidth - a.text.length)}${style.dim(GUTTER)}${paint(b)}`.trimEnd());
    }
  } else {
    body.push(...left.map(paint), '', ...right.map(paint));
  }
  return [...header, ...body, '', verdictLine(result, style, width)].join('\n') + '\n';
}

function verdictLine(result: DemoResult, style: ChalkInstance, width: number): string {
  if (result.shown) return style.green(wrap('The demo showed the symptom on the broken side and not on the fixed side.', width));
  const why = [result.broken.startError ? `the broken program did not start: ${result.broken.startError}` : null,
    result.fixed.startError ? `the fixed program did not start: ${result.fixed.startError}` : null,
    !result.broken.symptom.observed ? 'the broken side did not show the symptom this time' : null,
    result.fixed.symptom.observed ? 'the fixed side showed it too' : null].filter(Boolean).join('; ');
  return style.yellow(wrap(`The demo did not show what it should: ${why}. A loaded machine can do this; try again.`, width));
}

function sideLines(side: SideResult, result: DemoResult): Line[] {
  const lines: Line[] = [];
  const name = side.file.split(/[\\/]/).pop() ?? side.file;
  lines.push({ text: `${side.side === 'broken' ? 'BROKEN' : 'FIXED'}  ${name}`, tone: 'head' });
  for (const marked of side.lines) lines.push({ text: `${String(marked.line).padStart(3)}  ${marked.text.trim()}`, tone: 'code' });
  lines.push({ text: '', tone: 'plain' });
  for (const exchange of side.exchanges) lines.push(...exchangeLines(exchange, result.broken.exchanges.length > 1));
  // Twenty requests would drown the view: the first three, then a count.
  for (const call of side.upstream.slice(0, 3)) {
    lines.push({ text: `program sent → ${call.method} ${call.url}${call.bodyBytes < 0 ? ' (request never ended)' : ''}`, tone: 'plain' });
    lines.push({ text: `test server ← ${call.answered || 'no answer: still waiting for the request to end'}`, tone: 'dim' });
  }
  if (side.afterSignal) lines.push({ text: `after the signal: ${side.afterSignal}`, tone: side.exit ? 'plain' : 'bad' });
  if (side.upstream.length > 3) lines.push({ text: `… and ${side.upstream.length - 3} more requests`, tone: 'dim' });
  if (side.upstream.length === 0 && side.exchanges.length === 0 && !side.startError) lines.push({ text: 'the program reached no server', tone: 'dim' });
  if (side.peakRssMb > 0 && /memory/i.test(result.description)) {
    // Both curves on the broken side's scale, so their heights compare.
    const top = Math.max(result.broken.peakRssMb, result.fixed.peakRssMb, 1);
    lines.push({ text: `memory ${sparkline(side.rssCurveMb, top)} peak ${side.peakRssMb} MiB`, tone: 'plain' });
  }
  if (side.crashed || (side.stderr && side.side === 'broken')) {
    lines.push({ text: side.crashed ? 'the program crashed; its stderr:' : 'its stderr:', tone: side.crashed ? 'bad' : 'dim' });
    for (const text of traceLines(side.stderr)) lines.push({ text: `  ${text}`, tone: 'dim' });
  } else if (side.stderr) lines.push({ text: `stderr: ${firstErrorLine(side.stderr)}`, tone: 'dim' });
  if (side.stdout) lines.push({ text: `stdout: ${side.stdout.split('\n').slice(-2).join(' / ')}`, tone: 'dim' });
  lines.push({ text: '', tone: 'plain' });
  lines.push(side.symptom.observed ? { text: `✗ symptom: ${side.symptom.detail}`, tone: 'bad' } : { text: `✓ no symptom: ${side.symptom.detail}`, tone: 'good' });
  return lines;
}

function exchangeLines(exchange: Exchange, named: boolean): Line[] {
  const { sent } = exchange;
  const label = named ? `${exchange.name}: ` : '';
  const body = sent.bodyBytes > 0 ? ` + ${sent.bodyBytes} body bytes${sent.bodyPreview ? ` ${JSON.stringify(sent.bodyPreview.slice(0, 40))}` : ''}` : '';
  const start = exchange.startedAtMs > 20 ? ` (at ${exchange.startedAtMs} ms)` : '';
  const what = sent.raw !== undefined ? `${JSON.stringify(sent.raw)} (${sent.bodyBytes} bytes)` : `${sent.method} ${sent.target}${body}`;
  const lines: Line[] = [{ text: `→ ${label}${what}${start}`, tone: 'plain' }];
  const outcome = describe(exchange);
  lines.push({ text: `← ${outcome}`, tone: exchange.response ? 'plain' : 'bad' });
  if (exchange.response && exchange.response.body) {
    const text = exchange.response.body.replace(/\n$/, '');
    lines.push({ text: `  body: ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`, tone: 'dim' });
  }
  return lines;
}

/**
 * The crash trace as a learner should read it: the error line and the program's
 * own frames, file names without their folders. Node's source excerpt above the
 * error points at httpdojo's probe (it rethrows the learner's error), and
 * Node's internal frames say nothing about the bug, so both are left out.
 */
function traceLines(stderr: string): string[] {
  const lines = stderr.split('\n');
  const errorAt = lines.findIndex((line) => /^\s*([A-Za-z]*Error\b|Error \[|Uncaught|node:events|\s*throw er;)/.test(line) && !/^\s+at /.test(line));
  const start = errorAt >= 0 ? errorAt : 0;
  const shown: string[] = [];
  for (const line of lines.slice(start)) {
    if (line.trim() === '' || /Node\.js v\d/.test(line)) continue;
    if (/^\s+at /.test(line) && /node:|probe\/probe\.|\(<anonymous>\)|node_modules/.test(line)) continue;
    if (/Unhandled 'error' event/.test(line)) {
      shown.push("(Unhandled 'error' event)");
      continue;
    }
    if (/^\s*(throw |\^)/.test(line) || /^\s*(file:\/\/.*|node:[\w/]+):\d+$/.test(line) || /^\s+\w+: .*,?$|^\s*}\s*$/.test(line)) continue;
    shown.push(line.replace(/file:\/\/\/?(?:[^\s()]*\/)?([^/\s()]+:\d+:\d+)/g, '$1').replace(/\/(?:[^\s()]*\/)([^/\s()]+:\d+:\d+)/g, '$1'));
    if (shown.length >= 5) break;
  }
  return shown;
}

const BARS = '▁▂▃▄▅▆▇█';

/** Resident memory over time, one bar per heartbeat (250 ms), scaled to `top` MiB. */
function sparkline(values: number[], top: number): string {
  return values.map((value) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round((value / top) * (BARS.length - 1))))]).join('');
}

/** Wraps every line to the column, keeping its tone; long words are cut. */
function fit(lines: Line[], width: number): Line[] {
  const out: Line[] = [];
  for (const line of lines) {
    if (line.text.length <= width) {
      out.push(line);
      continue;
    }
    // Keep the line's own indentation (wrap() would fold it away); continuations go further in.
    const lead = /^\s*/.exec(line.text)![0];
    const indent = `${lead}${line.tone === 'code' ? '     ' : '  '}`;
    for (const piece of `${lead}${wrap(line.text.slice(lead.length), width - lead.length, indent)}`.split('\n')) {
      for (let i = 0; i < piece.length; i += width) out.push({ text: piece.slice(i, i + width), tone: line.tone });
    }
  }
  return out;
}

function toned(style: ChalkInstance, line: Line): string {
  switch (line.tone) {
    case 'dim':
      return style.dim(line.text);
    case 'bad':
      return style.red(line.text);
    case 'good':
      return style.green(line.text);
    case 'code':
      return style.cyan(line.text);
    case 'head':
      return style.bold(line.text);
    default:
      return line.text;
  }
}

/**
 * While the demo runs on a terminal: one status line per side, redrawn every
 * 100 ms, so a hang is seen as a timer that keeps counting next to a side that
 * is done. Without a terminal: one line saying what is happening.
 */
export class LiveDemoView {
  private readonly state = new Map<Side, { phase: DemoProgress['phase']; label: string; since: number }>();
  private timer: NodeJS.Timeout | undefined;
  private drawn = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly style: ChalkInstance,
  ) {}

  start(): void {
    if (!this.stream.isTTY) {
      this.stream.write('Running the broken and the fixed program (up to 3 s each)…\n');
      return;
    }
    this.timer = setInterval(() => this.draw(), 100);
  }

  update(progress: DemoProgress): void {
    const previous = this.state.get(progress.side);
    const since = progress.phase === previous?.phase ? previous.since : performance.now();
    this.state.set(progress.side, { phase: progress.phase, label: progress.label, since });
  }

  private draw(): void {
    const lines = (['broken', 'fixed'] as Side[]).map((side) => {
      const state = this.state.get(side);
      const name = side.padEnd(7);
      if (!state) return `${name}${this.style.dim('starting…')}`;
      if (state.phase === 'waiting') return `${name}${this.style.yellow(`waiting… ${((performance.now() - state.since) / 1000).toFixed(1)} s`)}`;
      return `${name}${state.phase === 'done' ? this.style.green(state.label) : this.style.dim(state.label)}`;
    });
    this.clear();
    this.stream.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  private clear(): void {
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.stream.isTTY) this.clear();
  }
}
