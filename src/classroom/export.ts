// Exports: one row (CSV) or object (JSON) per event, for a spreadsheet after the
// workshop or any log pipeline.

import type { Stored } from './schema.js';

export const CSV_COLUMNS = ['time', 'type', 'id', 'learner', 'name', 'lesson', 'passed', 'pitfalls', 'attempts', 'lessonMs', 'message', 'hand', 'status', 'correct', 'total', 'missed'] as const;

export interface ExportRow {
  time: string;
  type: string;
  id: string;
  learner: string | null;
  name: string | null;
  lesson: string | null;
  passed: boolean | null;
  pitfalls: string[];
  attempts: number | null;
  lessonMs: number | null;
  message: string | null;
  hand: string | null;
  status: string | null;
  /** A quiz row: the score and the 1-based numbers of the questions missed. */
  correct: number | null;
  total: number | null;
  missed: number[];
}

export function exportRow(event: Stored): ExportRow {
  const row: ExportRow = { time: new Date(event.t).toISOString(), type: event.type, id: event.id, learner: null, name: null, lesson: null, passed: null, pitfalls: [], attempts: null, lessonMs: null, message: null, hand: null, status: null, correct: null, total: null, missed: [] };
  if ('learner' in event) Object.assign(row, { learner: event.learner, name: event.name });
  if (event.type === 'verify') {
    const pitfalls = [...new Set(event.failed.map((check) => check.pitfall).filter((id): id is string => id !== null))];
    Object.assign(row, { lesson: event.lesson, passed: event.passed, pitfalls, attempts: event.attempts, lessonMs: event.lessonMs });
  }
  if (event.type === 'hand') Object.assign(row, { lesson: event.lesson, message: event.message, pitfalls: event.diagnosis?.pitfall ? [event.diagnosis.pitfall] : [] });
  if (event.type === 'quiz') Object.assign(row, { lesson: event.lesson, correct: event.correct, total: event.total, missed: [...event.missed] });
  if (event.type === 'mentor') Object.assign(row, { hand: event.hand, status: event.status });
  return row;
}

export function toJson(events: Stored[]): string {
  return JSON.stringify(events.map((event) => ({ ...exportRow(event), event })), null, 1) + '\n';
}

export function toCsv(events: Stored[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const event of events) {
    const row = exportRow(event);
    lines.push(CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** RFC 4180 quoting, and a leading ' on cells a spreadsheet would run as a formula (CWE-1236). */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
