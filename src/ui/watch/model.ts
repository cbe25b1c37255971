// The watch screen's state: what the glue (../watch.ts) changes as saves, checks
// and keys happen (ScreenModel), and the whole picture render() draws from
// (ScreenState: the model plus what is read from the workspace when drawing).
// The panel toggles are pure functions of the model, unit-tested with it.

import type { ChalkInstance } from 'chalk';
import type { Lesson } from '../../course/lessons.js';
import type { CheckResult, Reproduction, Verdict } from '../../engine/verdict.js';
import { timelineChecks } from '../../report/timeline.js';
import { progressOf, type QuizScore } from '../../workspace/state.js';
import { lessonAfter, lessonStatus, passedCount, type LessonStatus, type Workspace } from '../../workspace/workspace.js';

export type Panel = 'none' | 'hint' | 'wire' | 'timeline' | 'list' | 'task';
export type Phase = 'idle' | 'checking' | 'done' | 'error';

/** A lesson's Markdown parts the screen shows, read once when the lesson opens. */
export interface LessonTexts {
  task: string | null;
  after: string | null;
  hints: string[];
  hasQuiz: boolean;
}

export interface ScreenModel {
  lesson: Lesson;
  file: string;
  texts: LessonTexts;
  phase: Phase;
  /** The checks finished so far while checking, and how many there are. */
  live: CheckResult[];
  liveTotal: number;
  verdict: Verdict | null;
  /** Issue 12 §3: the failed checks' reproduce commands, shown in the wire view. */
  reproductions: Map<string, Reproduction>;
  error: string | null;
  reference: string | null;
  panel: Panel;
  timelineIndex: number;
  message: string | null;
  listIndex: number;
}

export interface ScreenState extends ScreenModel {
  style: ChalkInstance;
  /** The terminal turns OSC 8 sequences into links. */
  links: boolean;
  columns: number;
  rows: number;
  /** How the learner calls us, for the lines that say what to type. */
  self: string;
  /** The workspace's root: paths are shown relative to it. */
  root: string;
  lessonsDir: string;
  lessonCount: number;
  passedCount: number;
  following: Lesson | null;
  progress: { passed: boolean; hintsShown: number; quiz: QuizScore | null };
  /** Every lesson with its status; filled only while the list is shown. */
  listRows: Array<{ lesson: Lesson; status: LessonStatus }>;
  classroom: { joined: boolean; status: string | null };
}

/** What the screen is drawn with besides the model: the workspace, the course, the terminal. */
export interface ScreenContext {
  workspace: Workspace;
  lessons: Lesson[];
  lessonsDir: string;
  self: string;
  style: ChalkInstance;
  links: boolean;
  output: { columns?: number; rows?: number };
  classroom: { joined: boolean; statusLine(): string | null };
}

/** The model plus what is read from the workspace (progress, the lessons' statuses), for the pure render(). */
export function screenState(model: ScreenModel, context: ScreenContext): ScreenState {
  const { workspace, lessons, output } = context;
  const progress = progressOf(workspace.state, model.lesson.id);
  return {
    ...model,
    style: context.style,
    links: context.links,
    columns: output.columns || 80,
    rows: output.rows || 24,
    self: context.self,
    root: workspace.root,
    lessonsDir: context.lessonsDir,
    lessonCount: lessons.length,
    passedCount: passedCount(workspace, lessons),
    following: lessonAfter(lessons, model.lesson),
    progress: { passed: workspace.state.lessons[model.lesson.id]?.passed ?? false, hintsShown: progress.hintsShown, quiz: progress.quiz ?? null },
    listRows: model.panel === 'list' ? lessons.map((lesson) => ({ lesson, status: lessonStatus(workspace, lesson) })) : [],
    classroom: { joined: context.classroom.joined, status: context.classroom.statusLine() },
  };
}

export function newModel(lesson: Lesson, file: string, texts: LessonTexts): ScreenModel {
  return { lesson, file, texts, phase: 'idle', live: [], liveTotal: 0, verdict: null, reproductions: new Map(), error: null, reference: null, panel: 'none', timelineIndex: 0, message: null, listIndex: 0 };
}

/** w: the bytes of the first failed check, or why there are none; w again hides them. */
export function toggleWire(model: ScreenModel): void {
  if (model.panel === 'wire') {
    model.panel = 'none';
    return;
  }
  const failed = model.verdict?.checks.find((check) => check.status === 'failed');
  if (!failed || failed.wire.length === 0) {
    model.message = failed ? 'That check sent nothing over the wire.' : 'w shows the bytes of a failed check; nothing has failed yet.';
    return;
  }
  model.panel = 'wire';
}

/**
 * i: when each piece left and arrived (src/report/timeline.ts): the failed
 * checks' timelines, or when all passed those of the checks that took time;
 * i again shows the next one, and after the last hides the panel.
 */
export function toggleTimeline(model: ScreenModel): void {
  const count = timelineChecks(model.verdict?.checks ?? []).length;
  if (model.panel === 'timeline' && model.timelineIndex + 1 >= count) {
    model.panel = 'none';
    return;
  }
  if (count === 0) {
    model.message = model.verdict ? 'No check has a timeline to draw (each finished within a moment).' : 'i shows the timeline of a check; nothing has run yet.';
    return;
  }
  model.timelineIndex = model.panel === 'timeline' ? model.timelineIndex + 1 : 0;
  model.panel = 'timeline';
}

/** What a new check clears: the last result's panels and message. */
export function startChecking(model: ScreenModel): void {
  model.phase = 'checking';
  model.live = [];
  model.liveTotal = 0;
  model.error = null;
  if (model.panel === 'wire' || model.panel === 'timeline') model.panel = 'none';
  model.message = null;
}

/** l: the lesson list, the current lesson selected. */
export function openList(model: ScreenModel, lessons: Lesson[]): void {
  model.panel = 'list';
  model.listIndex = Math.max(0, lessons.findIndex((lesson) => lesson.id === model.lesson.id));
}

/** ↑/↓ in the list, wrapping around. */
export function moveInList(model: ScreenModel, by: number, count: number): void {
  model.listIndex = (model.listIndex + by + count) % count;
}

/** Digits typed in the list (the last two) select the lesson of that number; returns what was typed. */
export function typeLessonNumber(model: ScreenModel, typed: string, lessons: Lesson[]): string {
  const number = typed.slice(-2);
  const index = lessons.findIndex((lesson) => lesson.number === Number(number));
  if (index >= 0) model.listIndex = index;
  return number;
}
