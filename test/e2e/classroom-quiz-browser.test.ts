// The board's "Hardest questions" panel in a real browser (Debian's chromium,
// driven by playwright-core) at a phone's width: the most missed question first,
// titled from the board's course, with who missed it; a learner name made of
// HTML stays text; nothing in the panel is wider than the screen. Skipped,
// saying why, when /usr/bin/chromium is not installed (.ci/run installs it).
// SCREENSHOT=<file.png> also saves a screenshot of the page.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseQuestionTitles } from '../../src/classroom/quiz-titles.ts';
import { startBoard, type Board } from '../../src/classroom/server.ts';
import { loadCourse } from '../../src/course/lessons.ts';
import { loadQuiz } from '../../src/course/quiz.ts';
import { ROOT } from './cli-support.ts';

const CHROMIUM = process.env.HTTPDOJO_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ROOM = 'QUIZBR7';
const TOKEN = 'quiz-browser-token-0123456789';
const XSS = '<img src=x onerror=alert(1)>';
const course = loadCourse(join(ROOT, 'lessons'));
const lesson1 = course[0];
const quiz = loadQuiz(lesson1.dir)!;

type Browser = import('playwright-core').Browser;
let board: Board;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), 'hdj-board-quiz-browser-'));
  board = await startBoard({ dir, room: ROOM, token: TOKEN, name: 'Quiz room', lessons: course.map((lesson) => lesson.id), host: '127.0.0.1', port: 0, questionTitle: courseQuestionTitles(course) });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: 30_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await board?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
async function post(learner: string, name: string, lesson: string, total: number, missed: number[]): Promise<void> {
  const event = { id: `quizbr-${++counter}-${Date.now()}`, type: 'quiz', learner, name, lesson, correct: total - missed.length, total, missed };
  const response = await fetch(`http://127.0.0.1:${board.port}/r/${ROOM}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
  expect(response.status).toBe(200);
}

const name = hasChromium ? 'the hardest questions in chromium' : `the hardest questions in chromium (skipped: ${CHROMIUM} is not installed; .ci/run installs it with apt-get)`;

describe.skipIf(!hasChromium)(name, () => {
  it('lists the most missed question first, titled, with who missed it, as text, on a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`http://127.0.0.1:${board.port}/board?token=${TOKEN}`);
    await page.waitForFunction("document.getElementById('connection')?.textContent === 'live'", undefined, { timeout: 10_000 });
    expect(await page.locator('#quizzes-empty').isVisible()).toBe(true);

    const total = quiz.questions.length;
    await post('learner-ada-01', 'Ada', lesson1.id, total, [2]);
    await post('learner-xss-01', XSS, lesson1.id, total, [1, 2]);
    const verify = { type: 'verify', learner: 'learner-ada-01', name: 'Ada', lesson: lesson1.id, passed: true, failed: [], attempts: 2, lessonMs: 60_000 };
    expect((await fetch(`http://127.0.0.1:${board.port}/r/${ROOM}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: `quizbr-verify-${Date.now()}`, ...verify }) })).status).toBe(200);
    // A lesson the board's course does not have: its question is shown as "Q1".
    await post('learner-ada-01', 'Ada', '99-elsewhere', 3, [1]);

    const panel = page.locator(`#quizzes li[data-lesson="${lesson1.id}"]`);
    await panel.waitFor({ timeout: 10_000 });
    // The board pushes the whole room at most once per short tick, so the panel can first
    // appear with only Ada's quiz; the last event posted (another lesson) shows that every
    // earlier one has been drawn too.
    await page.locator('#quizzes li[data-lesson="99-elsewhere"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#quizzes-empty').isVisible()).toBe(false);
    expect(await panel.locator('div').first().textContent()).toBe(`Lesson 01 · 2 took it · median ${total - 1.5}/${total} · 0 all right`);
    const questions = panel.locator('ol.hardest > li');
    expect(await questions.evaluateAll((items) => items.map((item) => item.getAttribute('data-question')))).toEqual(['2', '1']);
    const heading = (n: number) => quiz.questions[n - 1].prompt.split('\n\n')[0].replace(/\s+/g, ' ').trim();
    expect(await questions.first().textContent()).toBe(`Q2${heading(2)}missed by 2 (${[XSS, 'Ada'].sort().join(', ')}); still wrong for 2`);
    expect(await questions.nth(1).textContent()).toContain(`Q1${heading(1)}missed by 1 (${XSS})`);
    // Ada's passed cell on the grid carries her quiz score.
    const cell = page.locator('tr[data-learner="learner-ada-01"] td.cell.passed');
    await cell.waitFor({ timeout: 10_000 });
    expect(await cell.textContent()).toBe(`✓ ${total - 1}/${total}`);
    const elsewhere = page.locator('#quizzes li[data-lesson="99-elsewhere"] ol.hardest > li');
    await elsewhere.waitFor({ timeout: 10_000 });
    expect(await elsewhere.locator('span').allTextContents()).toEqual(['Q1']);
    // The HTML name is text: no element came of it, and no script ran.
    expect(await page.locator('#quizzes img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    // Readable on a phone: the panel fits the screen's width (long titles wrap).
    const widths = await page.locator('#quiz-section').evaluate((section) => ({ section: section.getBoundingClientRect().right, scroll: section.scrollWidth, client: section.clientWidth }));
    expect(widths.section).toBeLessThanOrEqual(page.viewportSize()!.width);
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    if (process.env.SCREENSHOT) await page.locator('#quiz-section').screenshot({ path: process.env.SCREENSHOT });
    await page.close();
  }, 60_000);
});
