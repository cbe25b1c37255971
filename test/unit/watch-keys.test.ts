// The watch screen's key table (src/ui/watch/keys.ts): every key in it reaches
// its action, the footer and the "Keys:" help line show exactly the table's keys,
// and the lesson list's keys do what its hint line says.

import { describe, expect, it } from 'vitest';
import { dispatchKey, dispatchListKey, footerKeys, helpLine, KEYS, quitCode, type Key, type KeyActions, type ListActions } from '../../src/ui/watch/keys.ts';

/** Actions that record what was called, as `name` or `name(argument)`. */
function recorder(): { calls: string[]; actions: KeyActions & ListActions } {
  const calls: string[] = [];
  const record = (name: string) => (argument?: unknown) => {
    calls.push(argument === undefined ? name : `${name}(${String(argument)})`);
  };
  const names = ['quit', 'rerun', 'hint', 'wire', 'timeline', 'task', 'lessons', 'next', 'ask', 'quiz', 'back', 'help', 'move', 'open', 'close', 'digit'];
  return { calls, actions: Object.fromEntries(names.map((name) => [name, record(name)])) as unknown as KeyActions & ListActions };
}

/** What each key of the screen does; a key added to the table must be added here. */
const EXPECTED: Record<string, string> = {
  h: 'hint', w: 'wire', i: 'timeline', l: 'lessons', r: 'rerun', return: 'rerun', t: 'task', n: 'next', c: 'quiz', a: 'ask', q: 'quit(0)', escape: 'back',
};

const press = (name: string, text = name.length === 1 ? name : ''): [string, Key] => [text, { name }];

describe('the key table', () => {
  it('holds exactly the keys the screen is known to handle', () => {
    expect(KEYS.flatMap((binding) => binding.keys).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s → %s', (name, action) => {
    const { calls, actions } = recorder();
    void dispatchKey(...press(name), actions);
    expect(calls).toEqual([action]);
  });

  it('a capital letter is the same key (Shift held)', () => {
    const { calls, actions } = recorder();
    void dispatchKey('Q', { name: 'q', shift: true } as Key, actions);
    expect(calls).toEqual(['quit(0)']);
  });

  it('a printable key not in the table shows the help line; a silent one (F1) does nothing', () => {
    const { calls, actions } = recorder();
    void dispatchKey(...press('z'), actions);
    void dispatchKey('', { name: 'f1' }, actions);
    expect(calls).toEqual(['help(z)']);
  });

  it('Ctrl-C quits with 130 and Ctrl-D with 0, anywhere; c alone is the quiz', () => {
    expect(quitCode({ name: 'c', ctrl: true })).toBe(130);
    expect(quitCode({ name: 'd', ctrl: true })).toBe(0);
    expect(quitCode({ name: 'c' })).toBeNull();
  });
});

describe('what the screen shows of the table', () => {
  const shownKeys = (now: { passed: boolean; joined: boolean }) => footerKeys(now).map((binding) => binding.keys[0]).join(' ');

  it('the footer: the keys that work now, in the table order', () => {
    expect(shownKeys({ passed: false, joined: false })).toBe('h w i l r t q');
    expect(shownKeys({ passed: true, joined: false })).toBe('h w i l r t n c q');
    expect(shownKeys({ passed: true, joined: true })).toBe('h w i l r t n c a q');
  });

  it('every key the footer shows is handled (none falls through to the help line)', () => {
    for (const binding of footerKeys({ passed: true, joined: true })) {
      const { calls, actions } = recorder();
      void dispatchKey(...press(binding.keys[0]), actions);
      expect(calls, binding.keys[0]).toEqual([EXPECTED[binding.keys[0]]]);
    }
  });

  it('the help line lists exactly the labelled keys of the table (a only in a classroom)', () => {
    const listed = (line: string) => line.replace(/^Keys: /, '').split(' · ');
    const labelled = KEYS.filter((binding) => binding.label !== null).map((binding) => `${binding.keys[0]} ${binding.label}`);
    expect(listed(helpLine(true))).toEqual(labelled);
    expect(listed(helpLine(false))).toEqual(labelled.filter((entry) => entry !== 'a ask for help'));
    expect(helpLine(false)).toBe('Keys: h hint · w wire · i timeline · l lessons · r re-run · t task · n next · c quiz · q quit');
  });
});

describe('the lesson list', () => {
  const LIST: Array<[string, string, string[]]> = [
    ['up', '', ['move(-1)']],
    ['k', 'k', ['move(-1)']],
    ['down', '', ['move(1)']],
    ['j', 'j', ['move(1)']],
    ['return', '\r', ['open']],
    ['enter', '\n', ['open']],
    ['escape', '', ['close']],
    ['q', 'q', ['close']],
    ['l', 'l', ['close']],
    ['7', '7', ['digit(7)']],
    ['x', 'x', []],
  ];
  it.each(LIST)('%s', (name, text, expected) => {
    const { calls, actions } = recorder();
    void dispatchListKey(text, { name }, actions);
    expect(calls).toEqual(expected);
  });
});
