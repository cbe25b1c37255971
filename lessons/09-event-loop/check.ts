// Lesson 09: waiting and working without blocking the event loop. GET /slow?ms=N
// answers 200 {"waited": N} after N ms (eight at once finish together); GET
// /hash?password=P answers 200 {"hash": H}, H the hex of pbkdf2(P, "httpdojo",
// 1,000,000, 32, "sha256"); GET /health answers 200 {"ok": true} at once, also while
// /slow and /hash requests are pending. Not sent on purpose: an invalid ms, a missing
// password. Timing bounds are generous (each measured, with its margin, beside its
// constant): a correct server on a loaded 2-core machine stays far below them, a
// blocking one far above. A missed bound is blocking-event-loop only with the
// probe's evidence of a blocked loop (toolkit: judgeBlocked), else a plain `timeout`.
//
// Mutation survivors (dev check --mutate), each out of this lesson's contract or harmless:
// mutant byte-length-to-length#1: every JSON body of this lesson is ASCII (numbers, hex, fixed errors): bytes = characters
// mutant drop-guard#2: out of contract: the task names 0 ≤ N ≤ 5000 only and says an invalid ms is not checked
// mutant drop-answer-in-branch#2: out of contract, as drop-guard#2 (the invalid-ms branch)
// mutant wrong-status-code#1: out of contract, as drop-guard#2 (the invalid-ms branch's status)
// mutant drop-return-after-answer#2: out of contract, as drop-guard#2 (the invalid-ms branch's return)
// mutant drop-guard#4: out of contract: the task says a missing password is not checked
// mutant drop-answer-in-branch#3: out of contract, as drop-guard#4
// mutant wrong-status-code#2: out of contract, as drop-guard#4
// mutant drop-return-after-answer#4: out of contract, as drop-guard#4
// mutant drop-answer-in-branch#4: pbkdf2 with a string password and these fixed arguments does not fail, so its error branch cannot run
// mutant drop-return-after-answer#5: as drop-answer-in-branch#4
// mutant drop-clear-timer#1: the timer (at most 5 s) then answers a client that left; the write goes to a destroyed socket and is dropped, and nothing in the contract stops the server
// mutant drop-end#1: out of contract: write(body) with a Content-Length gives the client its whole response; only a second request on the same connection would wait, and lesson 09's contract sends none (lesson 01's keep-alive rule is not restated here)
// mutant host-url-base#1: out of contract: the empty-Host rule is lesson 02's and is not restated for lesson 09; every request here carries a valid Host
import { answerLine, judgeBlocked, settle, syncBlocked, timedGet, type LessonChecks } from 'httpdojo/check';

/**
 * pbkdf2(password, "httpdojo", 1,000,000, 32, "sha256") in hex: known answers, so
 * that verify spends no 0.8 s of CPU computing them beside the learner's server
 * (test/unit/lesson-09-hashes.test.ts recomputes them).
 */
const HASHES = new Map([
  ['alpha', 'fc13898290e82bfa83c75f031fbf1be02877864a6bd9532008d0d718163e24a7'],
  ['bravo', 'fc6c3a3a85eee489607c586bf342c2a088f000e92dfd4afe9f8489318f81fc57'],
  ['charlie', '6adf18eea4b129b5082235a67c6fe8b1fcff8383084d79ff038263baa11b0756'],
  ['delta', '7b7891b7fd8cb5abe5172b98119550cb390e5ff52ab0443d3230a9afa2129fe7'],
]);
const PASSWORDS = [...HASHES.keys()];

/**
 * /health while four /hash requests are computing. Measured on a 2-core machine:
 * 2–14 ms with async pbkdf2 (also with a second verify running beside it); 0.8–1.4 s
 * with pbkdf2Sync, which makes /health wait for the hashes queued before it. Even
 * on a machine three times faster, pbkdf2Sync keeps it above 250 ms.
 */
const HEALTH_LIMIT_MS = 200;
/** Eight concurrent /slow?ms=400: ~410 ms with timers, 3.2 s with a busy wait. */
const SLOW_MS = 400;
const SLOW_COUNT = 8;
const SLOW_LIMIT_MS = 1600;
/**
 * A /hash response may take longer than the usual 2 s: four concurrent pbkdf2 of
 * 1,000,000 iterations took up to 1.6 s on a loaded 2-core machine, and four
 * pbkdf2Sync in a row longer still; a blocking server must still finish so that
 * the check can say how long the loop was blocked.
 */
const HASH_TIMEOUT_MS = 8000;
/** A busy-waiting server answers eight /slow?ms=400 one after another (3.2 s). */
const SLOW_TIMEOUT_MS = 6000;
/**
 * What the probe must see to call a missed bound blocking-event-loop rather than a
 * busy machine. A correct server on a 2-core machine with a load average of 25
 * showed handlers of up to 31 ms (the thread descheduled mid-handler) and
 * heartbeats up to 52 ms late; pbkdf2Sync takes ~220 ms, a busy wait what it waits.
 */
const SYNC_BLOCK_MS = 50;
/** Late heartbeats alone (a busy loop after an await, where no handler is timed) must be long (lagMs). */
const BLOCK = { syncMs: SYNC_BLOCK_MS, handlerMs: 100, lagMs: 300 };

export default {
  checks: [
    {
      id: 'health',
      title: 'GET /health gets 200 {"ok": true} as JSON',
      async run(ctx) {
        const res = await ctx.http.request('GET', '/health');
        ctx.expect(res).status(200).contentType('application/json').json({ ok: true });
      },
    },
    {
      id: 'slow',
      title: 'GET /slow?ms=300 gets 200 {"waited": 300} after 300 ms; /slow?ms=0 gets {"waited": 0}',
      async run(ctx) {
        const { res, ms } = await timedGet(ctx, '/slow?ms=300', 3000);
        ctx.expect(res).status(200).contentType('application/json').json({ waited: 300 });
        // Node's timers may fire a millisecond early; 20 ms of slack covers that.
        if (ms < 280) {
          ctx.fail('wrong-body', `We sent GET /slow?ms=300; your server answered {"waited":300} after only ${Math.round(ms)} ms: it must wait the 300 ms it reports (setTimeout) before answering.`, await answerLine(ctx, '/slow?ms=300'));
        }
        const zero = await ctx.http.request('GET', '/slow?ms=0');
        ctx.expect(zero).status(200).contentType('application/json').json({ waited: 0 });
      },
    },
    {
      id: 'slow-concurrent',
      title: `eight concurrent GET /slow?ms=${SLOW_MS} all finish within ${SLOW_LIMIT_MS} ms, and /health answers meanwhile`,
      timeoutMs: 25_000,
      async run(ctx) {
        const target = `/slow?ms=${SLOW_MS}`;
        for (let attempt = 1; ; attempt++) {
          ctx.note(`${SLOW_COUNT} requests sent at once, then /health 100 ms later${attempt > 1 ? ' (second attempt)' : ''}`);
          const started = performance.now();
          const slow = Array.from({ length: SLOW_COUNT }, () => timedGet(ctx, target, SLOW_TIMEOUT_MS));
          // Settled below; a rejection before then (a server that never answers) must not end httpdojo itself.
          for (const pending of slow) pending.catch(() => {});
          await ctx.sleep(100);
          const health = await settle(timedGet(ctx, '/health', SLOW_TIMEOUT_MS));
          const settled = await Promise.allSettled(slow);
          const times = settled.map((result) => (result.status === 'fulfilled' ? result.value.ms + result.value.startedAfter(started) : null));
          const finished = times.filter((ms): ms is number => ms !== null);
          const slowest = Math.max(0, ...finished);
          const unfinished = times.length - finished.length;
          const healthMs = health.status === 'fulfilled' ? health.value.ms : null;
          const missed = unfinished > 0 || slowest > SLOW_LIMIT_MS || healthMs === null || healthMs > HEALTH_LIMIT_MS;
          if (missed || syncBlocked(ctx, SYNC_BLOCK_MS)) {
            const spread = finished.length ? `the answers came after ${finished.sort((a, b) => a - b).map((ms) => (ms / 1000).toFixed(2)).join(', ')} s${unfinished ? ` and ${unfinished} never came` : ''}` : 'no answer came';
            const healthText = healthMs === null ? '/health got no answer' : `/health, sent 100 ms after them, took ${Math.round(healthMs)} ms`;
            const sent = `We sent ${SLOW_COUNT} GET ${target} at once; ${spread} (all should be done by ${(SLOW_LIMIT_MS / 1000).toFixed(1)} s), and ${healthText} (we allow ${HEALTH_LIMIT_MS} ms).`;
            await judgeBlocked(ctx, sent, target, attempt, BLOCK);
            continue;
          }
          for (const result of settled) {
            if (result.status === 'rejected') throw result.reason;
            ctx.expect(result.value.res).status(200).contentType('application/json').json({ waited: SLOW_MS });
          }
          if (health.status === 'rejected') throw health.reason;
          ctx.expect(health.value.res).status(200).json({ ok: true });
          return;
        }
      },
    },
    {
      id: 'hash',
      title: 'GET /hash?password=alpha gets 200 {"hash": H}, H the hex of pbkdf2(password, "httpdojo", 1000000, 32, "sha256")',
      timeoutMs: 20_000,
      async run(ctx) {
        const res = await ctx.http.request('GET', '/hash?password=alpha', { timeoutMs: HASH_TIMEOUT_MS });
        ctx.expect(res).status(200).contentType('application/json').json({ hash: HASHES.get('alpha') });
      },
    },
    {
      id: 'health-while-hashing',
      title: `GET /health answers within ${HEALTH_LIMIT_MS} ms while four /hash requests are being computed`,
      timeoutMs: 30_000,
      async run(ctx) {
        const passwords = PASSWORDS;
        for (let attempt = 1; ; attempt++) {
          ctx.note(`four /hash requests sent at once, then /health as soon as the server has the first of them${attempt > 1 ? ' (second attempt)' : ''}`);
          const since = ctx.server.events().length;
          const hashes = passwords.map((password) => ctx.http.request('GET', `/hash?password=${password}`, { timeoutMs: HASH_TIMEOUT_MS }));
          for (const pending of hashes) pending.catch(() => {});
          await ctx.server.waitFor('req', { timeoutMs: 2000, where: (event) => event.url.startsWith('/hash') && ctx.server.events().indexOf(event) >= since });
          await ctx.sleep(20);
          const health = await settle(timedGet(ctx, '/health', HASH_TIMEOUT_MS));
          const healthMs = health.status === 'fulfilled' ? health.value.ms : null;
          const answered = await Promise.allSettled(hashes);
          if (healthMs === null || healthMs > HEALTH_LIMIT_MS || syncBlocked(ctx, SYNC_BLOCK_MS)) {
            const sent = `We sent 4 GET /hash requests at once, then GET /health; /health ${healthMs === null ? 'got no answer' : `took ${Math.round(healthMs)} ms to answer`} (we allow ${HEALTH_LIMIT_MS} ms).`;
            await judgeBlocked(ctx, sent, '/hash', attempt, BLOCK);
            continue;
          }
          if (health.status === 'rejected') throw health.reason;
          ctx.expect(health.value.res).status(200).contentType('application/json').json({ ok: true });
          for (const [i, result] of answered.entries()) {
            if (result.status === 'rejected') throw result.reason;
            ctx.expect(result.value).status(200).contentType('application/json').json({ hash: HASHES.get(passwords[i]) });
          }
          return;
        }
      },
    },
  ],
} satisfies LessonChecks;
