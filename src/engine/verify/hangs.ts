// Skipping what would only hang again (DESIGN.md: a hanging program's verdict
// within 10 s): a server that answers nothing, a route that never answers, a
// blocked event loop. Bookkeeping across the checks of one verify.

import type { LearnerProcess } from '../learner-process.js';
import type { ProbeEvent } from '../probe-events.js';
import type { CheckResult } from '../verdict.js';
import { lastHeartbeat } from './diagnose.js';
import { buildRecords } from './records.js';

/** Diagnoses of a request that got no complete answer. */
const NO_ANSWER_IDS = new Set(['missing-res-end', 'timeout', 'blocking-event-loop']);

/** A route as far as hangs go: the method and the path without its query. */
function routeKey(method: string, target: string): string {
  const query = target.indexOf('?');
  return `${method} ${query < 0 ? target : target.slice(0, query)}`;
}

export class HangTracker {
  /** Server lessons: checks that failed waiting for an answer that never came, and whether any response was ever completed. */
  private readonly unanswered: string[] = [];
  private answeredAny = false;
  /** Per route (method and path, query left out). */
  private readonly routes = new HangLedger<string>();
  /** Per server (the probe's id, one per listen()). */
  private readonly servers = new HangLedger<number>();

  /**
   * After a check (`events`: the program's events during it): the reason later
   * checks would only repeat its hang, or null. Route-specific hangs never count
   * (one handler that forgets res.end() says nothing about the others); a program
   * that hangs whatever it is asked does: a client the check said so about
   * (ctx.skipLaterChecks, `skipReason`), a server whose event loop is still
   * blocked, a server that has not completed one response in two checks that
   * waited for one.
   */
  afterCheck(result: CheckResult, program: LearnerProcess | null, events: ProbeEvent[], clientLesson: boolean, skipReason: string | null): string | null {
    if (events.some((event) => event.t === 'res-finish')) this.answeredAny = true;
    this.noteRequests(result, events);
    if (result.status !== 'failed') return null;
    if (skipReason) return skipReason;
    if (clientLesson || !program?.running || !result.pitfall || !NO_ANSWER_IDS.has(result.pitfall)) return null;
    const silentMs = program.elapsed() - lastHeartbeat(program);
    if (result.pitfall === 'blocking-event-loop' && silentMs > 1000) {
      return `not run: your server's event loop was still blocked when "${result.id}" ended (no sign of life for ${(silentMs / 1000).toFixed(1)} s), so it cannot answer any later check`;
    }
    if (!events.some((event) => event.t === 'req') || events.some((event) => event.t === 'res-finish')) return null;
    this.unanswered.push(result.id);
    if (this.answeredAny || this.unanswered.length < 2) return null;
    return `not run: your server has not completed a single response in this run ("${this.unanswered.join('", "')}" each waited for one in vain), so every later check would wait the same way`;
  }

  /**
   * The reason not to wait for `method target` again, or null: it hung in two
   * checks already and never completed a response in this run (a POST handler
   * that never answers would otherwise cost every later POST check its timeout).
   */
  hungRoute(method: string, target: string): string | null {
    const key = routeKey(method, target);
    const checks = this.routes.repeats(key);
    if (!checks) return null;
    return `not run: this check needs an answer to ${key}, and your server never answered it (it hung in "${checks.join('", "')}"), so it would only wait the same way`;
  }

  /**
   * The reason not to wait for an answer from `server` again, or null: requests
   * to it hung in two checks and it never completed a response in this run. A
   * program with two servers (lesson 16: HTTPS beside a plain-HTTP redirect)
   * where one answers and the other never does would otherwise cost every check
   * of the silent one its timeout: the whole-program rule above never fires,
   * since the other server answers, and the per-route rule neither, since each
   * check asks for another route.
   */
  hungServer(server: number, port: number): string | null {
    const checks = this.servers.repeats(server);
    if (!checks) return null;
    return `not run: this check needs an answer from your server on port ${port}, which has not completed a single response in this run ("${checks.join('", "')}" each waited for one in vain), so it would only wait the same way`;
  }

  /**
   * Which routes and servers hung in this check: those its requests went to, when
   * it failed for want of an answer and they never completed a response in the run.
   */
  private noteRequests(result: CheckResult, events: ProbeEvent[]): void {
    const records = buildRecords(events);
    const serverOf = new Map<number, number>();
    for (const event of events) if (event.t === 'req' && event.server !== null) serverOf.set(event.id, event.server);
    const hung = result.status === 'failed' && Boolean(result.pitfall) && NO_ANSWER_IDS.has(result.pitfall!);
    this.routes.note(records.map((record) => ({ key: routeKey(record.method, record.url), finished: record.finished })), result.id, hung);
    this.servers.note(records.flatMap((record) => (serverOf.has(record.id) ? [{ key: serverOf.get(record.id)!, finished: record.finished }] : [])), result.id, hung);
  }
}

/** Per key (a route, a server): the checks a request to it hung in, and whether it ever completed a response. */
class HangLedger<K> {
  private readonly hungIn = new Map<K, string[]>();
  private readonly answered = new Set<K>();

  /** One check's requests; `hung`: the check failed for want of an answer. A key that ever answered is never counted. */
  note(requests: Array<{ key: K; finished: boolean }>, checkId: string, hung: boolean): void {
    for (const { key, finished } of requests) if (finished) this.answered.add(key);
    if (!hung) return;
    for (const { key } of requests) {
      if (this.answered.has(key)) continue;
      const checks = this.hungIn.get(key) ?? [];
      if (!checks.includes(checkId)) this.hungIn.set(key, [...checks, checkId]);
    }
  }

  /** The checks `key` hung in, once it hung in two and never answered; else null. */
  repeats(key: K): string[] | null {
    const checks = this.hungIn.get(key) ?? [];
    return checks.length < 2 || this.answered.has(key) ? null : checks;
  }
}
