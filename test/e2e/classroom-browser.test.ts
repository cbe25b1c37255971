// The board in a real browser (Debian's chromium, driven by playwright-core):
// a learner appears live without a reload, a raised hand is acknowledged from
// the page and the learner's side sees it, and a name made of HTML stays text.
// Skipped, saying why, when /usr/bin/chromium is not installed (.ci/run installs it).
// SCREENSHOT=<file.png> also saves a screenshot of the board.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type Board } from '../../src/classroom/server.ts';

const CHROMIUM = process.env.HTTPDOJO_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ROOM = 'BRWSR7';
const TOKEN = 'browser-token-0123456789';
const XSS = '<img src=x onerror=alert(1)>';

type Browser = import('playwright-core').Browser;
let board: Board;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), 'hdj-board-browser-'));
  board = await startBoard({ dir, room: ROOM, token: TOKEN, name: 'Browser room', lessons: ['01-hello-server', '02-reading-requests', '03-json-routing'], host: '127.0.0.1', port: 0 });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: 30_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await board?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
async function post(event: Record<string, unknown>): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${board.port}/r/${ROOM}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: `browser-${++counter}-${Date.now()}`, ...event }) });
  expect(response.status).toBe(200);
}

const name = hasChromium ? 'the board in chromium' : `the board in chromium (skipped: ${CHROMIUM} is not installed; .ci/run installs it with apt-get)`;

describe.skipIf(!hasChromium)(name, () => {
  it('shows a learner live, renders an HTML name as text, and acknowledges a raised hand', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const failedRequests: string[] = [];
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
    await page.goto(`http://127.0.0.1:${board.port}/board?token=${TOKEN}`);
    await page.waitForFunction("document.getElementById('connection')?.textContent === 'live'", undefined, { timeout: 10_000 });
    // A marker on the window: it survives only if the page is never reloaded.
    await page.evaluate('window.marker = 42');

    for (const attempts of [1, 2, 3]) await post({ type: 'verify', learner: 'learner-xss-1', name: XSS, lesson: '01-hello-server', passed: false, failed: [{ id: 'answers', pitfall: 'missing-res-end' }], attempts, lessonMs: 60_000 });
    await post({ type: 'verify', learner: 'learner-ada-1', name: 'Ada', lesson: '01-hello-server', passed: true, failed: [], attempts: 2, lessonMs: 90_000 });
    const row = page.locator('tr[data-learner="learner-xss-1"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('td').first().textContent()).toBe(XSS);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.marker')).toBe(42);
    // Three failures on one pitfall: stuck, listed first.
    await page.locator('#stuck li', { hasText: XSS }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#grid tbody tr').first().getAttribute('data-learner')).toBe('learner-xss-1');

    const handId = `browser-hand-${Date.now()}`;
    const response = await fetch(`http://127.0.0.1:${board.port}/r/${ROOM}/events`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: handId, type: 'hand', learner: 'learner-xss-1', name: XSS, lesson: '01-hello-server', message: '<script>alert(2)</script>', diagnosis: { check: 'answers GET /', pitfall: 'missing-res-end', message: 'no answer within 2 s', line: 'server.js:4:3', frame: ['> 4 | res.write("hi")'] } }),
    });
    expect(response.status).toBe(200);
    const hand = page.locator(`li[data-hand="${handId}"]`);
    await hand.waitFor({ timeout: 10_000 });
    expect(await hand.textContent()).toContain('<script>alert(2)</script>');
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    await hand.getByRole('button', { name: 'On my way' }).click();
    await hand.getByRole('button', { name: 'On my way ✓' }).waitFor({ timeout: 10_000 });
    const status = (await (await fetch(`http://127.0.0.1:${board.port}/r/${ROOM}/learners/learner-xss-1`)).json()) as { hands: Array<{ id: string; status: string }> };
    expect(status.hands).toEqual([{ id: handId, status: 'on-my-way' }]);
    await hand.getByRole('button', { name: 'Done' }).click();
    await hand.waitFor({ state: 'detached', timeout: 10_000 });

    expect(dialogs).toEqual([]);
    expect(failedRequests).toEqual([]);
    await page.close();
  }, 60_000);
});
