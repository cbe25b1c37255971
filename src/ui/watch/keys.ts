// The watch screen's keys, as one table: the key, the label the footer and the
// "Keys:" message show, and what it does. The footer, the message and the
// dispatch all read this table, so a key cannot be drawn without being handled
// (test/unit/watch-keys.test.ts). The lesson list has its own small table.

export interface Key {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
  meta?: boolean;
}

/** What the keys do; the watch screen implements it. */
export interface KeyActions {
  quit(code: number): Promise<void> | void;
  rerun(): Promise<void> | void;
  hint(): Promise<void> | void;
  wire(): Promise<void> | void;
  timeline(): Promise<void> | void;
  task(): Promise<void> | void;
  lessons(): Promise<void> | void;
  next(): Promise<void> | void;
  ask(): Promise<void> | void;
  quiz(): Promise<void> | void;
  /** Esc: back to the plain screen. */
  back(): Promise<void> | void;
  /** An unknown key: say which keys there are. */
  help(text: string): Promise<void> | void;
}

export interface KeyBinding {
  /** Key names as node:readline's keypress reports them; the first is the one shown. */
  keys: string[];
  /** The label in the footer and the "Keys:" message; null for a key not shown (Esc). */
  label: string | null;
  /** When the footer offers it: always, once the lesson passed, or in a classroom. */
  when: 'always' | 'passed' | 'classroom';
  /** The first key to leave the footer when it does not fit on one line. */
  mayGo?: boolean;
  run(actions: KeyActions): Promise<void> | void;
}

export const INTERRUPTED = 130;
export const HANGUP = 129;

export const KEYS: readonly KeyBinding[] = [
  { keys: ['h'], label: 'hint', when: 'always', run: (a) => a.hint() },
  { keys: ['w'], label: 'wire', when: 'always', run: (a) => a.wire() },
  { keys: ['i'], label: 'timeline', when: 'always', mayGo: true, run: (a) => a.timeline() },
  { keys: ['l'], label: 'lessons', when: 'always', run: (a) => a.lessons() },
  { keys: ['r', 'return'], label: 're-run', when: 'always', run: (a) => a.rerun() },
  { keys: ['t'], label: 'task', when: 'always', run: (a) => a.task() },
  { keys: ['n'], label: 'next', when: 'passed', run: (a) => a.next() },
  { keys: ['c'], label: 'quiz', when: 'passed', run: (a) => a.quiz() },
  { keys: ['a'], label: 'ask for help', when: 'classroom', run: (a) => a.ask() },
  { keys: ['q'], label: 'quit', when: 'always', run: (a) => a.quit(0) },
  { keys: ['escape'], label: null, when: 'always', run: (a) => a.back() },
];

/** The shown keys the footer offers now, in the table's order. */
export function footerKeys(now: { passed: boolean; joined: boolean }): KeyBinding[] {
  return KEYS.filter((binding) => binding.label !== null && (binding.when === 'always' || (binding.when === 'passed' ? now.passed : now.joined)));
}

/** The message an unknown key shows: every shown key of the table (`a` only in a classroom, where it works). */
export function helpLine(joined: boolean): string {
  const keys = KEYS.filter((binding) => binding.label !== null && (binding.when !== 'classroom' || joined));
  return `Keys: ${keys.map((binding) => `${binding.keys[0]} ${binding.label}`).join(' · ')}`;
}

/** Ctrl-C and Ctrl-D quit (130 and 0) whatever else is on screen, the lesson list included; null for other keys. */
export function quitCode(key: Key): number | null {
  return key.ctrl && (key.name === 'c' || key.name === 'd') ? (key.name === 'c' ? INTERRUPTED : 0) : null;
}

/** Runs the action of the table's key; a printable key not in it shows the help line. */
export function dispatchKey(text: string, key: Key, actions: KeyActions): Promise<void> | void {
  const name = (key.name ?? text).toLowerCase();
  const binding = KEYS.find((candidate) => candidate.keys.includes(name));
  if (binding) return binding.run(actions);
  if (text.trim()) return actions.help(text);
}

/** What the keys do while the lesson list is shown. */
export interface ListActions {
  move(by: number): void;
  open(): Promise<void> | void;
  close(): void;
  /** A digit typed: the lessons are picked by number. */
  digit(digit: string): void;
}

export const LIST_KEYS: ReadonlyArray<{ keys: string[]; run: (a: ListActions) => Promise<void> | void }> = [
  { keys: ['up', 'k'], run: (a) => a.move(-1) },
  { keys: ['down', 'j'], run: (a) => a.move(1) },
  { keys: ['return', 'enter'], run: (a) => a.open() },
  { keys: ['escape', 'q', 'l'], run: (a) => a.close() },
];

export function dispatchListKey(text: string, key: Key, actions: ListActions): Promise<void> | void {
  const binding = LIST_KEYS.find((candidate) => key.name !== undefined && candidate.keys.includes(key.name));
  if (binding) return binding.run(actions);
  if (/^\d$/.test(text)) return actions.digit(text);
}
