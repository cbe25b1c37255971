// The classroom's pure parts: event validation, the room's view (grid, stuck
// learners, help queue, the room's pitfalls, per-lesson figures), the exports,
// the event log's replay of a torn last line, and the learner's join URL.

import { appendFileSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { csvCell, toCsv } from '../../src/classroom/export.ts';
import { EventLog, LOG_FILE, replayLog } from '../../src/classroom/log.ts';
import { validateBody, validateLearnerEvent, validateThresholds, type Stored } from '../../src/classroom/schema.ts';
import { apply, createRoom, median, PITFALL_WINDOW_MS, viewOf } from '../../src/classroom/state.ts';
import { parseJoinUrl } from '../../src/workspace/classroom-outbox.ts';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const MIN = 60_000;

function verify(learner: string, lesson: string, t: number, pitfall: string | null, attempts: number, extra: Record<string, unknown> = {}): Stored {
  counter += 1;
  return {
    id: `event-${String(counter).padStart(6, '0')}`, type: 'verify', learner, name: `name-${learner}`, at: '', version: '0.1.0',
    lesson, passed: pitfall === null, failed: pitfall ? [{ id: 'check-a', pitfall }] : [], attempts, lessonMs: attempts * MIN, t, seq: counter, ...extra,
  } as Stored;
}

function hand(learner: string, t: number, id = `hand-${++counter}-xx`): Stored {
  return { id, type: 'hand', learner, name: `name-${learner}`, at: '', version: '', lesson: '01-hello', message: 'help', diagnosis: null, t, seq: ++counter };
}

describe('event validation', () => {
  const good = { id: 'abcdefgh1', type: 'verify', learner: 'learner-1', name: 'Ada', lesson: '01-hello', passed: false, failed: [{ id: 'c', pitfall: 'missing-res-end' }], attempts: 2, lessonMs: 10 };

  it('accepts a verify event and keeps only the fields it knows (never anything else, such as code)', () => {
    const checked = validateLearnerEvent({ ...good, code: 'server.listen()' });
    expect(checked.ok).toBe(true);
    expect(checked.ok && 'code' in checked.value).toBe(false);
  });

  it.each([
    [{ ...good, id: 'short' }, '"id" has an invalid format'],
    [{ ...good, type: 'delete' }, '"type" must be one of'],
    [{ ...good, passed: 'yes' }, '"passed" must be true or false'],
    [{ ...good, attempts: -1 }, '"attempts" must be a whole number'],
    [{ ...good, failed: [{ id: 'c', pitfall: '<b>' }] }, 'a pitfall must be a pitfall id'],
    [{ ...good, name: '\u0000\u0007  ' }, '"name" must not be empty'],
    [{ ...good, lesson: '../etc' }, '"lesson" has an invalid format'],
    [[], 'no events'],
    ['text', 'an event must be a JSON object'],
  ])('refuses %j with a one-line reason', (input, reason) => {
    const checked = validateBody(input);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toContain(reason);
    expect(!checked.ok && checked.reason).not.toContain('\n');
  });

  it('takes a batch of one learner only, and cleans names for a projector', () => {
    expect(validateBody([good, { ...good, id: 'abcdefgh2', learner: 'someone-else' }]).ok).toBe(false);
    const checked = validateBody([good, { ...good, id: 'abcdefgh2', name: 'Zoë\nNewline\u202e' }]);
    expect(checked.ok && checked.value[1].name).toBe('Zoë Newline\u202e'.replace('\n', ' '));
  });

  it('checks the mentor thresholds', () => {
    expect(validateThresholds({ attempts: 2, minutes: 5, idleMinutes: 3 }).ok).toBe(true);
    expect(validateThresholds({ attempts: 0, minutes: 5, idleMinutes: 3 }).ok).toBe(false);
    expect(validateThresholds({ attempts: 2, minutes: 5 }).ok).toBe(false);
  });
});

describe('the room', () => {
  it('builds the learners x lessons grid: passed, current with attempts and pitfall, started', () => {
    const room = createRoom();
    apply(room, verify('ada', '01-hello', 0, null, 2));
    apply(room, verify('ada', '02-read', 1 * MIN, 'missing-res-end', 1));
    apply(room, verify('bob', '01-hello', 2 * MIN, 'wrong-body', 1));
    const view = viewOf(room, 3 * MIN, ['01-hello', '02-read', '03-json']);
    expect(view.lessons).toEqual(['01-hello', '02-read', '03-json']);
    const ada = view.learners.find((learner) => learner.id === 'ada')!;
    expect(ada.cells['01-hello']).toMatchObject({ state: 'passed', attempts: 2 });
    expect(ada.cells['02-read']).toMatchObject({ state: 'current', attempts: 1, pitfall: 'missing-res-end', ms: 2 * MIN });
    expect(ada.cells['03-json']).toBeUndefined();
  });

  it('drops a duplicate event id', () => {
    const room = createRoom();
    const event = verify('ada', '01-hello', 0, 'wrong-body', 1);
    expect(apply(room, event)).toBe(true);
    expect(apply(room, { ...event, attempts: 9 } as Stored)).toBe(false);
    expect(viewOf(room, 0).learners[0].cells['01-hello'].attempts).toBe(1);
  });

  it('puts stuck learners first: same pitfall N times, for M minutes, or idle after a failure; thresholds are adjustable', () => {
    const room = createRoom();
    apply(room, verify('zed', '01-hello', 0, 'wrong-body', 1));
    apply(room, verify('zed', '01-hello', 1000, 'wrong-body', 2));
    apply(room, verify('zed', '01-hello', 2000, 'wrong-body', 3));
    apply(room, verify('amy', '01-hello', 2000, null, 1));
    let view = viewOf(room, 3000);
    expect(view.learners.map((learner) => learner.id)).toEqual(['zed', 'amy']);
    expect(view.learners[0].stuck).toBe('wrong-body 3 times in a row');
    expect(view.learners[1].stuck).toBeNull();

    // A different pitfall starts a new run; time on one pitfall counts too.
    apply(room, verify('zed', '01-hello', 4000, 'missing-res-end', 4));
    expect(viewOf(room, 5000).learners.find((l) => l.id === 'zed')!.stuck).toBeNull();
    expect(viewOf(room, 4000 + 10 * MIN).learners.find((l) => l.id === 'zed')!.stuck).toBe('missing-res-end for 10 min');

    apply(room, { type: 'settings', id: 'settings-1', thresholds: { attempts: 9, minutes: 60, idleMinutes: 2 }, t: 5000, seq: 99 });
    view = viewOf(room, 4000 + 2 * MIN);
    expect(view.thresholds.idleMinutes).toBe(2);
    expect(view.learners.find((l) => l.id === 'zed')!.stuck).toBe('no verify for 2 min after a failure');
  });

  it('keeps the help queue oldest first, with the mentor answers, and drops done hands', () => {
    const room = createRoom();
    apply(room, hand('late', 5000, 'hand-late-1'));
    apply(room, hand('early', 1000, 'hand-early-1'));
    apply(room, { type: 'mentor', id: 'mentor-1xx', hand: 'hand-early-1', status: 'on-my-way', t: 6000, seq: 50 });
    let view = viewOf(room, 7000);
    expect(view.hands.map((h) => [h.id, h.status, h.waitingMs])).toEqual([['hand-early-1', 'on-my-way', 6000], ['hand-late-1', 'open', 2000]]);
    apply(room, { type: 'mentor', id: 'mentor-2xx', hand: 'hand-early-1', status: 'done', t: 8000, seq: 51 });
    view = viewOf(room, 9000);
    expect(view.hands.map((h) => h.id)).toEqual(['hand-late-1']);
  });

  it('counts the room pitfalls over the last 15 minutes, with the learners behind each', () => {
    const room = createRoom();
    apply(room, verify('old', '04-post', 0, 'body-before-end', 1));
    apply(room, verify('ada', '04-post', 10 * MIN, 'body-before-end', 1));
    apply(room, verify('bob', '04-post', 11 * MIN, 'body-before-end', 1));
    apply(room, verify('bob', '04-post', 12 * MIN, 'body-before-end', 2));
    apply(room, verify('cy', '05-limit', 12 * MIN, 'no-body-limit', 1));
    const view = viewOf(room, PITFALL_WINDOW_MS + 1);
    expect(view.pitfalls).toEqual([
      { lesson: '04-post', pitfall: 'body-before-end', count: 3, learners: ['name-ada', 'name-bob'] },
      { lesson: '05-limit', pitfall: 'no-body-limit', count: 1, learners: ['name-cy'] },
    ]);
  });

  it('gives per-lesson figures: passed, median attempts and time to pass, common pitfalls', () => {
    const room = createRoom();
    apply(room, verify('a', '01-hello', 0, 'wrong-body', 1));
    apply(room, verify('a', '01-hello', 1, null, 2));
    apply(room, verify('b', '01-hello', 2, null, 4));
    apply(room, verify('c', '01-hello', 3, 'wrong-body', 1));
    apply(room, verify('c', '01-hello', 4, 'missing-res-end', 2));
    const [figures] = viewOf(room, 5, ['01-hello']).figures;
    expect(figures).toEqual({ lesson: '01-hello', learners: 3, passed: 2, medianAttempts: 3, medianMs: 3 * MIN, pitfalls: [{ pitfall: 'wrong-body', count: 2 }, { pitfall: 'missing-res-end', count: 1 }] });
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
  });
});

describe('exports', () => {
  it('writes one CSV row per event, quoted, with formulas defused', () => {
    const csv = toCsv([verify('ada', '01-hello', 0, 'wrong-body', 1, { name: '=HYPERLINK("x")' })]);
    const [header, row] = csv.trim().split('\r\n');
    expect(header.split(',').slice(0, 8)).toEqual(['time', 'type', 'id', 'learner', 'name', 'lesson', 'passed', 'pitfalls']);
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain(',01-hello,false,wrong-body,1,');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('-1')).toBe("'-1");
  });
});

describe('the event log', () => {
  it('replays whole lines, skips and reports a torn last line, and appends after it cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hdj-classlog-'));
    temps.push(dir);
    const log = await EventLog.open(dir);
    await Promise.all([1, 2, 3].map((n) => log.append(verify('ada', '01-hello', n, null, n))));
    await log.close();
    appendFileSync(join(dir, LOG_FILE), '{"id":"torn-event-x","type":"ver');
    const replay = replayLog(dir);
    expect(replay.events).toHaveLength(3);
    expect(replay.notices).toHaveLength(1);
    expect(replay.notices[0]).toMatch(/last line .* incomplete .* skipped/);
    expect(readdirSync(dir).some((name) => name.includes('.torn-'))).toBe(true);
    const again = await EventLog.open(dir);
    await again.append(verify('bob', '01-hello', 9, null, 1));
    await again.close();
    const second = replayLog(dir);
    expect(second.notices).toEqual([]);
    expect(second.events.map((event) => (event as { learner: string }).learner)).toEqual(['ada', 'ada', 'ada', 'bob']);
  });

  it('group-commits: 300 appends at once all resolve, in order, in two writes (the first event, then the rest), synced by O_DSYNC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hdj-classlog-'));
    temps.push(dir);
    const log = await EventLog.open(dir);
    // FileHandle is not exported: its prototype, from a handle of our own.
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { write: () => unknown; datasync: () => unknown };
    await probe.close();
    const writes = vi.spyOn(proto, 'write');
    const syncs = vi.spyOn(proto, 'datasync');
    try {
      const events = Array.from({ length: 300 }, (_, n) => verify(`learner-${n}`, '01-hello', n, null, 1));
      await Promise.all(events.map((event) => log.append(event)));
      expect(writes).toHaveBeenCalledTimes(2);
      // Where the platform has O_DSYNC each write is its own fdatasync; elsewhere one datasync per write.
      expect(syncs).toHaveBeenCalledTimes(constants.O_DSYNC === undefined ? 2 : 0);
      await log.close();
      expect(replayLog(dir).events.map((event) => event.id)).toEqual(events.map((event) => event.id));
      await expect(log.append(verify('late', '01-hello', 1, null, 1))).rejects.toThrow(/closed/);
    } finally {
      writes.mockRestore();
      syncs.mockRestore();
    }
  });

  it('skips a damaged line in the middle and says which', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hdj-classlog-'));
    temps.push(dir);
    writeFileSync(join(dir, LOG_FILE), `${JSON.stringify(verify('a', '01', 1, null, 1))}\nnot json\n${JSON.stringify(verify('b', '01', 2, null, 1))}\n`);
    const replay = replayLog(dir);
    expect(replay.events).toHaveLength(2);
    expect(replay.notices).toEqual([`line 2 of ${LOG_FILE} is not JSON: skipped`]);
    expect(readFileSync(join(dir, LOG_FILE), 'utf8').split('\n')).toHaveLength(4);
  });
});

describe('join URLs', () => {
  it.each([
    ['http://192.168.1.20:4455/r/K7QX2P', 'http://192.168.1.20:4455/r/K7QX2P'],
    ['http://127.0.0.1:4455/r/K7QX2P/', 'http://127.0.0.1:4455/r/K7QX2P'],
    ['http://host:4455/K7QX2P', null],
    ['https://host/r/K7QX2P', null],
    ['http://host/r/K7QX2P?x=1', null],
    ['not a url', null],
  ])('%s -> %s', (text, expected) => {
    expect(parseJoinUrl(text)).toBe(expected);
  });
});
