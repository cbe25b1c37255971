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
  /** Per route (method and path): the checks a request to it hung in, and the routes that ever completed a response. */
  private readonly routeHangs = new Map<string, string[]>();
  private readonly answeredRoutes = new Set<string>();
  /** Per server (the probe's id, one per listen()): the checks a request to it hung in, and the servers that ever completed a response. */
  private readonly serverHangs = new Map<number, string[]>();
  private readonly answeredServers = new Set<number>();

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
    this.noteRouteHangs(result, events);
    this.noteServerHangs(result, events);
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
    const checks = this.routeHangs.get(key) ?? [];
    if (checks.length < 2 || this.answeredRoutes.has(key)) return null;
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
  hungServer(server: number | null, port: number): string | null {
    if (server === null) return null;
    const checks = this.serverHangs.get(server) ?? [];
    if (checks.length < 2 || this.answeredServers.has(server)) return null;
    return `not run: this check needs an answer from your server on port ${port}, which has not completed a single response in this run ("${checks.join('", "')}" each waited for one in vain), so it would only wait the same way`;
  }

  /** Which servers hung in this check: those that received a request of a check failed for want of an answer and finished none. */
  private noteServerHangs(result: CheckResult, events: ProbeEvent[]): void {
    const serverOf = new Map<number, number>();
    for (const event of events) if (event.t === 'req' && event.server !== null) serverOf.set(event.id, event.server);
    for (const event of events) {
      const server = event.t === 'res-finish' ? serverOf.get(event.id) : undefined;
      if (server !== undefined) this.answeredServers.add(server);
    }
    if (result.status !== 'failed' || !result.pitfall || !NO_ANSWER_IDS.has(result.pitfall)) return;
    for (const server of new Set(serverOf.values())) {
      if (this.answeredServers.has(server)) continue;
      const checks = this.serverHangs.get(server) ?? [];
      if (!checks.includes(result.id)) this.serverHangs.set(server, [...checks, result.id]);
    }
  }

  /**
   * Which routes (method and path, query left out) hung in this check: requests
   * of a check that failed for want of an answer, never completed. A route that
   * completed any response in the run is never counted.
   */
  private noteRouteHangs(result: CheckResult, events: ProbeEvent[]): void {
    const records = buildRecords(events);
    for (const record of records) if (record.finished) this.answeredRoutes.add(routeKey(record.method, record.url));
    if (result.status !== 'failed' || !result.pitfall || !NO_ANSWER_IDS.has(result.pitfall)) return;
    for (const record of records) {
      const key = routeKey(record.method, record.url);
      if (record.finished || this.answeredRoutes.has(key)) continue;
      const checks = this.routeHangs.get(key) ?? [];
      if (!checks.includes(result.id)) this.routeHangs.set(key, [...checks, result.id]);
    }
  }
}
