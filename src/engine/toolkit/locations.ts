// Locations by meaning: ctx.server.lineOf('data-listener'), the learner's line of
// a response call (the one that chose the status, the one that wrote a header),
// the call site of a client request, and the waits that let the probe's report
// catch up with the bytes. What the probe saw comes first (the line that really
// ran), the source second (comments and strings skipped by the engine's find).

import type { Anchor, CallQuery, ProgramView } from '../check-api.js';
import type { EventOf, Location, ResponseCall } from '../probe-events.js';
import { isParseError } from './json.js';
import type { SourceMatches } from './source.js';

/** What the toolkit's look-ups read of the check's view of the program. */
export type ServerBasics = Pick<ProgramView, 'file' | 'events' | 'eventsOf' | 'request' | 'waitFor' | 'listenAt'>;

export type ServerLocations = Pick<ProgramView, 'lineOf' | 'callLine' | 'framesOf' | 'clientRequestAt' | 'settled' | 'answerOf'>;

// A listener registration: .on / .once / .addListener / .prependListener with the event's name.
const listener = (name: string) => new RegExp(`\\.(on|once|addListener|prependListener)\\(\\s*['"\`]${name}['"\`]`);

/** Each anchor: the probe's line for it (when the probe reports one), then source patterns in order. */
const ANCHORS: Record<Anchor, { probe?: (server: ServerBasics) => Location | null; patterns: RegExp[] }> = {
  'request-handler': { patterns: [/createServer\s*\(/] },
  listen: { probe: (server) => server.listenAt, patterns: [/\.listen\s*\(/] },
  'data-listener': { patterns: [listener('data')] },
  'end-listener': { patterns: [listener('end')] },
  'json-parse': {
    probe: (server) => lastAt(server.eventsOf('uncaught').filter(isParseError)) ??
      lastAt(server.eventsOf('swallowed').filter((event) => event.kind === 'json-parse')),
    patterns: [/JSON\.parse\s*\(/],
  },
  'url-read': { patterns: [/\breq(uest)?\.url\b/] },
  'client-request': { probe: (server) => firstAt(server.eventsOf('client-create')) ?? firstAt(server.eventsOf('client-req')), patterns: [/\bhttps?\.(request|get)\s*\(/, /\.(request|get)\s*\(/] },
  sigterm: { patterns: [/['"`]SIGTERM['"`]/] },
  'process-exit': { probe: (server) => lastAt(server.eventsOf('exit-call')), patterns: [/process\.exit\s*\(/] },
};

function firstAt(events: Array<{ at: Location | null }>): Location | null {
  return events.find((event) => event.at)?.at ?? null;
}

function lastAt(events: Array<{ at: Location | null }>): Location | null {
  return [...events].reverse().find((event) => event.at)?.at ?? null;
}

export function serverLocations(server: ServerBasics, source: SourceMatches): ServerLocations {
  const lines = source.text.split('\n');
  const framesOf = (call: { at: Location | null; via?: Location[] } | undefined): Location[] =>
    call?.at ? [call.at, ...(call.via ?? [])].filter((frame) => frame.file === server.file) : [];
  const lineOf = (anchor: Anchor): Location | null => {
    const spec = ANCHORS[anchor];
    const seen = spec.probe?.(server);
    if (seen && seen.file === server.file) return seen;
    for (const pattern of spec.patterns) {
      const found = source.find(pattern);
      if (found) return found;
    }
    return null;
  };
  return {
    lineOf,
    framesOf,
    callLine(record, query) {
      if (!record) return null;
      const calls = record.calls.filter((call) => !call.nested && call.at);
      const call = pickCall(calls, query);
      const named = query.status !== undefined ? new RegExp(`\\b${query.status}\\b`) : query.header ? new RegExp(escape(query.header), 'i') : null;
      const frames = framesOf(call);
      const naming = named ? frames.find((frame) => named.test(lines[frame.line - 1] ?? '')) : undefined;
      if (query.named) return naming ?? null;
      return naming ?? frames[0] ?? call?.at ?? record.lastCallAt;
    },
    clientRequestAt(where) {
      const created = server.eventsOf('client-create');
      return (where ? firstAt(created.filter(where)) : null) ?? firstAt(created) ?? lineOf('client-request');
    },
    async settled(method, target, options = {}) {
      const timeoutMs = options.timeoutMs ?? 200;
      const isOurs = (event: EventOf<'req'>) => event.method === method && event.url === target;
      const req = server.eventsOf('req').filter(isOurs).pop() ?? (await server.waitFor('req', { timeoutMs, where: isOurs }));
      if (!req) return undefined;
      await server.waitFor('res-finish', { timeoutMs, where: (event) => event.id === req.id });
      return server.request({ method, url: (url) => url === target });
    },
    async answerOf(method, target, options = {}) {
      const timeoutMs = options.timeoutMs ?? 500;
      const isOurs = (event: EventOf<'req'>) => event.method === method && event.url === target && !options.seen?.has(event.id);
      const req = server.eventsOf('req').find(isOurs) ?? (await server.waitFor('req', { timeoutMs, where: isOurs }));
      if (!req) return null;
      const call = await server.waitFor('call', { timeoutMs, where: (event) => event.id === req.id && (event.fn === 'write' || event.fn === 'end') });
      return call ? { req, call } : null;
    },
  };
}

/** The call a query names: the last that set the status, the first that wrote the header, else the last of the kinds. */
function pickCall(calls: ResponseCall[], query: CallQuery): ResponseCall | undefined {
  if (query.status !== undefined) return calls.filter((call) => (call.fn === 'writeHead' || call.fn === 'statusCode') && call.status === query.status).pop();
  if (query.header) {
    const name = query.header.toLowerCase();
    return calls.find((call) =>
      (call.fn === 'setHeader' && String(call.name).toLowerCase() === name) ||
      (call.fn === 'writeHead' && JSON.stringify(call.headers ?? {}).toLowerCase().includes(`"${name}"`)));
  }
  return calls.filter((call) => !query.fn || query.fn.includes(call.fn)).pop();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
