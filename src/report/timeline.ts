// The timeline of a check as terminal text (verify --timeline, the `i` key in
// watch mode): a lane per side (client, server, upstream), one row per event with
// its time, and the gaps between events drawn to scale (a spacer row per unit of
// time), long gaps compressed to one labelled row ("… 1.8 s …"). Pure: the same
// data, width and style give the same text; with a colourless style it is plain
// text (NO_COLOR, no TTY: src/report/style.ts decides the level).

import type { ChalkInstance } from 'chalk';
import { wrap } from './style.js';
import type { TimelineEvent, TimelineSide } from '../engine/timeline.js';

export interface TimelineData {
  title: string;
  durationMs: number;
  timeline?: TimelineEvent[];
}

const SIDES: TimelineSide[] = ['client', 'server', 'upstream'];
const TIME_WIDTH = 8;
/** A gap of up to this many units is drawn to scale; a longer one is compressed. */
const MAX_SCALED_ROWS = 4;
const MAX_ROWS = 70;
const SHOWN_PAUSE_MS = 50;
/** A run of more pieces than this of one kind on one side, with nothing else between, is summarised. */
const MAX_RUN = 5;

export function formatTimeline(data: TimelineData, width: number, style: ChalkInstance): string {
  // A pause of a few ms between pieces is the gap itself; a long one is worth a row.
  const events = (data.timeline ?? []).filter((event) => event.kind !== 'pause' || (event.durationMs ?? 0) >= SHOWN_PAUSE_MS);
  const took = `  (${formatMs(data.durationMs)})`;
  const out = [style.bold(fit(`Timeline: ${data.title}`, width - took.length)) + style.dim(took)];
  if (events.length === 0) return [...out, '  (nothing was recorded for this check)'].join('\n');
  const sides = SIDES.filter((side) => events.some((event) => event.side === side));
  const lane = Math.max(12, Math.floor((width - 2 - TIME_WIDTH - 3 * sides.length) / sides.length));
  // Padding is measured on the plain text; the colour wraps the padded cell.
  const cell = (text: string, index: number, paint: (text: string) => string) => paint(fit(text, lane).padEnd(lane)) + (index < sides.length - 1 ? ' │ ' : '');
  const row = (time: string, cells: string[], paint: (text: string) => string = (text) => text) =>
    `  ${time.padStart(TIME_WIDTH)} │ ${cells.map((text, index) => cell(text, index, text ? paint : (plain) => plain)).join('')}`.trimEnd();
  const titles = sides.map((side) => laneTitle(side, events));
  out.push(style.dim(row('time', titles)));

  const rows = collapseRuns(groupRows(events));
  // With more than one connection (or request) on a side, each row says which: #2.
  const numbered = new Set(sides.filter((side) => new Set(events.filter((event) => event.side === side && event.connection).map((event) => event.connection)).size > 1));
  const span = events[events.length - 1].atMs - events[0].atMs;
  // One spacer row per unit: the whole check fits in ~40 rows of gaps.
  const unit = Math.min(200, Math.max(5, Math.ceil(span / 40)));
  const lines: string[] = [];
  let previous: number | null = null;
  for (const group of rows) {
    if (previous !== null) lines.push(...gapRows(group.atMs - previous, unit, sides.length, lane, style));
    previous = group.atMs;
    const tag = numbered.has(group.event.side) && group.event.connection ? `#${group.event.connection} ` : '';
    const cells = sides.map((side) => (side === group.event.side ? tag + describe(group) : ''));
    // The check's notes span the lanes: they say what the check did (sent SIGTERM) or saw.
    if (group.event.kind === 'note') lines.push(...noteRows(group, width, style));
    else lines.push(row(formatMs(group.atMs), cells, sideColor(group.event.side, style)));
  }
  const shown = lines.length > MAX_ROWS ? [...lines.slice(0, MAX_ROWS / 2), style.dim(`  ${''.padStart(TIME_WIDTH)}   … ${lines.length - MAX_ROWS} more rows …`), ...lines.slice(-MAX_ROWS / 2)] : lines;
  out.push(...shown);
  out.push(...summary(events, sides).map((line) => style.dim(`  ${fit(line, width - 2)}`)));
  out.push(style.dim(`  ${fit(`→ sent, ← received; each ┆ row is ${formatMs(unit)} of silence, ≈ a longer one shortened`, width - 2)}`));
  // The probe's times are whole milliseconds on the learner's clock (src/engine/timeline.ts).
  if (sides.length > 1) out.push(style.dim(`  ${fit("(the sides' clocks agree to within ~2 ms: closer rows may swap)", width - 2)}`));
  return out.join('\n');
}

/** A note of the check, wrapped over up to three rows across the lanes. */
function noteRows(row: Row, width: number, style: ChalkInstance): string[] {
  const room = width - TIME_WIDTH - 5;
  const wrapped = wrap(`# ${row.event.note}`, room, '  ').split('\n');
  const shown = wrapped.length > 3 ? [...wrapped.slice(0, 2), fit(wrapped.slice(2).join(' '), room)] : wrapped;
  return shown.map((text, index) => `  ${(index === 0 ? formatMs(row.atMs) : '').padStart(TIME_WIDTH)} │ ${style.yellow(fit(text, room))}`);
}

interface Row {
  atMs: number;
  event: TimelineEvent;
  /** Same side, same kind, same millisecond: shown once, "(+2 more at once)". */
  count: number;
  bytes: number | undefined;
}

function groupRows(events: TimelineEvent[]): Row[] {
  const rows: Row[] = [];
  for (const event of events) {
    const last = rows[rows.length - 1];
    if (last && last.atMs === event.atMs && last.event.side === event.side && last.event.kind === event.kind && last.event.connection === event.connection && event.bytes !== undefined) {
      last.count++;
      last.bytes = (last.bytes ?? 0) + event.bytes;
    } else rows.push({ atMs: event.atMs, event, count: 1, bytes: event.bytes });
  }
  return rows;
}

/** "← 196 B "HTTP/1.1 200…"": the byte count after the verb, so a narrow lane cuts the preview, not the count. */
/** 38 pieces of an upload in a row: the first two, "… 35 more (7.9 MiB) …", the last; the gaps still take their time. */
function collapseRuns(rows: Row[]): Row[] {
  const out: Row[] = [];
  let i = 0;
  while (i < rows.length) {
    const first = rows[i].event;
    let end = i;
    while (end + 1 < rows.length && rows[end + 1].event.side === first.side && rows[end + 1].event.kind === first.kind && rows[end + 1].event.connection === first.connection && first.bytes !== undefined) end++;
    const run = rows.slice(i, end + 1);
    if (run.length > MAX_RUN) {
      const middle = run.slice(2, -1);
      const pieces = middle.reduce((sum, row) => sum + row.count, 0);
      const bytes = middle.reduce((sum, row) => sum + (row.bytes ?? 0), 0);
      const span = middle[middle.length - 1].atMs - middle[0].atMs;
      const note = `… ${pieces} more (${formatBytes(bytes)}) over ${formatMs(span)} …`;
      out.push(run[0], run[1], { atMs: middle[0].atMs, event: { ...first, note, bytes: undefined }, count: 1, bytes: undefined }, run[run.length - 1]);
    } else out.push(...run);
    i = end + 1;
  }
  return out;
}

function describe(row: Row): string {
  const more = row.count > 1 ? ` (×${row.count} at once)` : '';
  if (row.bytes === undefined || row.bytes === 0) return `${row.event.note}${more}`;
  const space = row.event.note.indexOf(' ');
  const [verb, rest] = space < 0 ? [row.event.note, ''] : [row.event.note.slice(0, space), row.event.note.slice(space)];
  return `${verb} ${formatBytes(row.bytes)}${more}${rest}`;
}

function gapRows(gapMs: number, unit: number, laneCount: number, lane: number, style: ChalkInstance): string[] {
  const units = Math.floor(gapMs / unit);
  if (units === 0) return [];
  const bars = Array.from({ length: laneCount }, () => '┆'.padEnd(lane)).join('   ').trimEnd();
  const spacer = style.dim(`  ${''.padStart(TIME_WIDTH)} ${bars}`);
  if (units <= MAX_SCALED_ROWS) {
    // Label a gap that is big enough to notice, in the time column of its first row.
    const label = units >= 2 ? style.dim(`  ${`+${formatMs(gapMs)}`.padStart(TIME_WIDTH)} ${bars}`) : spacer;
    return [label, ...Array.from({ length: units - 1 }, () => spacer)];
  }
  return [spacer, style.yellow(`  ${''.padStart(TIME_WIDTH)} ≈ … ${formatMs(gapMs)} …`), spacer];
}

function laneTitle(side: TimelineSide, events: TimelineEvent[]): string {
  if (side === 'server') return 'server (your program)';
  if (side === 'upstream') return 'upstream (httpdojo)';
  // Client lessons: the client lane is the learner's program (its probe events).
  return events.some((event) => event.side === 'client' && event.kind.startsWith('client-')) ? 'client (your program)' : 'client (httpdojo)';
}

function sideColor(side: TimelineSide, style: ChalkInstance): (text: string) => string {
  return side === 'server' ? style.green : side === 'upstream' ? style.magenta : style.cyan;
}

/** One line per lane that moved bytes: how many pieces, how many bytes, over how long. */
function summary(events: TimelineEvent[], sides: TimelineSide[]): string[] {
  const lines: string[] = [];
  const line = (who: string, verb: string, pieces: TimelineEvent[]) => {
    const withBytes = pieces.filter((event) => (event.bytes ?? 0) > 0);
    if (withBytes.length === 0) return;
    const total = withBytes.reduce((sum, event) => sum + (event.bytes ?? 0), 0);
    const first = withBytes[0].atMs;
    const last = withBytes[withBytes.length - 1].atMs;
    const when = last - first <= 1 ? `all at ${formatMs(first)}` : `from ${formatMs(first)} to ${formatMs(last)}`;
    lines.push(`${who} ${verb} ${formatBytes(total)} in ${withBytes.length} piece${withBytes.length === 1 ? '' : 's'}, ${when}`);
  };
  if (sides.includes('client')) {
    line('client', 'sent', events.filter((event) => event.side === 'client' && event.kind === 'sent'));
    line('client', 'received', events.filter((event) => event.side === 'client' && event.kind === 'received'));
  }
  if (sides.includes('server')) line('server', 'wrote', events.filter((event) => event.side === 'server' && (event.kind === 'write' || event.kind === 'end')));
  const sockets = events.filter((event) => event.kind === 'client-socket');
  if (sockets.length > 0) {
    const reused = sockets.filter((event) => event.note.startsWith('reuses')).length;
    lines.push(`your program's requests: ${sockets.length - reused} on a new connection, ${reused} on a reused one`);
  }
  if (sides.includes('upstream')) line('upstream', 'wrote', events.filter((event) => event.side === 'upstream' && (event.kind === 'write' || event.kind === 'end')));
  return lines;
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function formatBytes(bytes: number): string {
  return bytes < 10_000 ? `${bytes} B` : bytes < 10 * 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/**
 * The checks `verify --timeline` draws: the failed ones; when none failed, those
 * where timing was part of what was checked: time passed between the first and
 * last event, or the answer came while the request was still being sent (a 413
 * while the body is still arriving).
 */
export function timelineChecks<T extends TimelineData & { status: string }>(checks: T[]): T[] {
  const drawn = checks.filter((check) => check.status !== 'skipped' && (check.timeline?.length ?? 0) > 0);
  const failed = drawn.filter((check) => check.status === 'failed');
  if (failed.length > 0) return failed;
  return drawn.filter((check) => {
    const events = check.timeline ?? [];
    // The server answered a request whose body was still arriving (its 'end' had not come).
    const answeredEarly = events.some((event, index) => event.side === 'server' && (event.bodyBytesIn ?? 0) > 0 &&
      !events.slice(0, index).some((before) => before.side === 'server' && before.kind === 'req-end' && before.connection === event.connection));
    let longestGap = 0;
    for (let i = 1; i < events.length; i++) longestGap = Math.max(longestGap, events[i].atMs - events[i - 1].atMs);
    return answeredEarly || longestGap >= TIMING_GAP_MS;
  });
}

/** A check with no silence this long (and no early answer) is about content, not timing (lesson 06 writes every 100 ms). */
const TIMING_GAP_MS = 90;
