// What the watch screen's keys do (the table is in keys.ts): each changes the
// model and redraws; opening a lesson, checking, the quiz and quitting are the
// screen's own (../watch.ts), reached through ScreenHost.

import type { Lesson } from '../../course/lessons.js';
import { progressOf } from '../../workspace/state.js';
import { lessonAfter, updateProgress, type Workspace } from '../../workspace/workspace.js';
import { helpLine, type KeyActions, type ListActions } from './keys.js';
import { moveInList, openList, toggleTimeline, toggleWire, typeLessonNumber, type ScreenModel } from './model.js';
import { oneLine } from './quiz.js';

export interface ScreenHost {
  readonly model: ScreenModel;
  readonly workspace: Workspace;
  readonly lessons: Lesson[];
  readonly self: string;
  readonly classroom: { readonly joined: boolean; raiseHand(lesson: string): string };
  draw(): void;
  check(): Promise<void>;
  /** Stops the check in progress and opens `lesson`. */
  switchTo(lesson: Lesson): Promise<void>;
  quiz(): Promise<void>;
  quit(code: number): Promise<void>;
}

/** The actions of the screen's keys and of the lesson list's; the digits typed in the list so far are kept here. */
export function watchActions(host: ScreenHost): { keys: KeyActions; list: ListActions } {
  const { model } = host;
  let typed = '';
  const say = (message: string) => {
    model.message = message;
    host.draw();
  };
  const redraw = (change: () => void) => () => {
    change();
    host.draw();
  };
  const keys: KeyActions = {
    quit: (code) => host.quit(code),
    rerun: () => {
      if (model.panel === 'wire') model.panel = 'none';
      return host.check();
    },
    hint: () => {
      if (model.texts.hints.length === 0) return say('This lesson has no hints.');
      revealNextHint(host);
      model.panel = 'hint';
      host.draw();
    },
    wire: redraw(() => toggleWire(model)),
    timeline: redraw(() => toggleTimeline(model)),
    task: redraw(() => (model.panel = model.panel === 'task' ? 'none' : 'task')),
    lessons: redraw(() => {
      openList(model, host.lessons);
      typed = '';
    }),
    next: () => {
      if (!host.workspace.state.lessons[model.lesson.id]?.passed) return say('Pass this lesson first (or press l to pick another one).');
      const following = lessonAfter(host.lessons, model.lesson);
      if (!following) return say(`That was the last lesson: you have finished the course. ${host.self} progress shows how it went.`);
      return host.switchTo(following);
    },
    ask: () => say(host.classroom.raiseHand(model.lesson.id)),
    quiz: () => host.quiz(),
    back: redraw(() => (model.panel = 'none')),
    help: () => say(helpLine(host.classroom.joined)),
  };
  const list: ListActions = {
    move: (by) => {
      moveInList(model, by, host.lessons.length);
      typed = '';
      host.draw();
    },
    open: () => {
      const lesson = host.lessons[model.listIndex];
      model.panel = 'none';
      if (lesson.id === model.lesson.id) return host.draw();
      return host.switchTo(lesson);
    },
    close: redraw(() => (model.panel = 'none')),
    digit: (digit) => {
      typed = typeLessonNumber(model, typed + digit, host.lessons);
      host.draw();
    },
  };
  return { keys, list };
}

/** The next hint is remembered in the workspace (`httpdojo hint` goes on from it), or why not. */
function revealNextHint(host: ScreenHost): void {
  const { model } = host;
  const number = progressOf(host.workspace.state, model.lesson.id).hintsShown + 1;
  if (number > model.texts.hints.length) {
    model.message = 'That was the last hint.';
    return;
  }
  try {
    updateProgress(host.workspace, model.lesson.id, (progress) => {
      progress.hintsShown = Math.max(progress.hintsShown, number);
    });
  } catch (error) {
    model.message = `Could not save your progress: ${oneLine(error)}`;
  }
}
