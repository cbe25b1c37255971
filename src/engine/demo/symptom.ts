// Whether a side of a demo showed the pitfall's symptom, and what it showed
// instead: the same rule judges the broken program and the fixed one.

import type { SymptomRule } from './scenario.js';
import type { Exchange, SideResult } from './run-demo.js';

export function evaluate(rule: SymptomRule, side: SideResult): { observed: boolean; detail: string } {
  if (side.startError) return { observed: false, detail: side.startError };
  const request = 'request' in rule ? side.exchanges.find((item) => item.name === rule.request) : undefined;
  const outcome = request ? describe(request) : '';
  switch (rule.kind) {
    case 'no-response':
      return { observed: !!request?.noResponse && request.noResponse.reason === 'timeout', detail: outcome };
    case 'crash':
      return { observed: side.crashed, detail: side.crashed ? `crashed: ${firstErrorLine(side.stderr)}` : 'kept running' };
    case 'stderr-includes':
      return { observed: side.stderr.includes(rule.text), detail: side.stderr.includes(rule.text) ? firstErrorLine(side.stderr) : side.stderr ? firstErrorLine(side.stderr) : 'nothing on stderr' };
    case 'body-includes':
      return { observed: !!request?.response?.body.includes(rule.text), detail: outcome };
    case 'body-not':
      return { observed: request?.response?.body !== rule.text, detail: outcome };
    case 'status-missing':
      return { observed: request?.response?.status !== rule.status, detail: outcome };
    case 'header-missing':
    {
      const value = request?.response?.headers[rule.header.toLowerCase()];
      return { observed: !!request?.response && value === undefined, detail: `${outcome}, ${value === undefined ? `no ${rule.header} header` : `${rule.header}: ${value}`}` };
    }
    case 'slower-than':
      return { observed: !!request && (request.noResponse !== null || request.durationMs > rule.ms), detail: outcome };
    case 'all-at-once':
      return { observed: !!request?.response && request.response.spreadMs < rule.spreadMs, detail: outcome };
    case 'rss-over':
      return { observed: side.peakRssMb > rule.mb, detail: `peak memory ${side.peakRssMb} MiB` };
    case 'exit-zero': {
      const zero = side.exit?.code === 0;
      return { observed: zero, detail: side.exit ? `exit code ${side.exit.code ?? side.exit.signal}` : 'still running' };
    }
    case 'never-listens':
      return { observed: !!side.neverListened, detail: side.neverListened ? `no listener after ${DEMO_CAP_S} s` : 'listening' };
    case 'writes-after-close':
      return { observed: side.writesAfterClose > 0, detail: `${side.writesAfterClose} res.write() call(s) after the client had gone` };
    case 'file-streams-left-open':
      return { observed: side.fileStreamsOpen > 0, detail: `${side.fileStreamsOpen} file stream(s) still open when the client had gone` };
    case 'upstream-header-missing': {
      const value = side.upstream[0]?.headers[rule.header.toLowerCase()];
      return { observed: side.upstream.length > 0 && value === undefined, detail: value === undefined ? `the server saw no ${rule.header} header` : `the server saw ${rule.header}: ${String(value)}` };
    }
    case 'upstream-connections-over': {
      const stats = side.upstreamStats;
      return { observed: !!stats && stats.connections > rule.n, detail: `${side.upstream.length} requests over ${stats?.connections ?? 0} TCP connection(s)` };
    }
    case 'upstream-in-flight-over': {
      const stats = side.upstreamStats;
      return { observed: !!stats && stats.maxInFlight > rule.n, detail: `at most ${stats?.maxInFlight ?? 0} requests in flight at once (of ${side.upstream.length})` };
    }
    case 'upstream-left-open': {
      const open = side.upstreamStats?.leftOpen ?? 0;
      return { observed: open > 0, detail: open > 0 ? `the upstream response was still open after the client had gone` : 'the upstream request was closed when the client left' };
    }
    case 'upstream-body-later-than': {
      const first = side.upstreamBodyDelayMs;
      return { observed: first === null || first > rule.ms, detail: first === null ? 'the upstream got no body' : `the upstream got the first body byte ${fmtMs(first)} after the client began sending` };
    }
    case 'still-running': {
      const running = side.exit === null;
      if (side.afterSignal) return { observed: running, detail: side.afterSignal };
      return { observed: running, detail: running ? `still running after ${DEMO_CAP_S} s: it never finished` : `finished (exit code ${side.exit?.code ?? side.exit?.signal})` };
    }
  }
}

const DEMO_CAP_S = '3.0';

export function describe(exchange: Exchange): string {
  if (exchange.response) {
    const { status, reason, bodyBytes, spreadMs } = exchange.response;
    const spread = spreadMs > 50 ? `, the body over ${(spreadMs / 1000).toFixed(1)} s` : '';
    // From this request's start (the transcript's clock starts with the first request).
    return `${status} ${reason}, ${bodyBytes} body bytes in ${fmtMs(exchange.durationMs)}${spread}`;
  }
  const missing = exchange.noResponse!;
  if (missing.reason === 'timeout') return `still nothing after ${(missing.waitedMs / 1000).toFixed(1)} s${missing.partialStatus ? ` (only the head, ${missing.partialStatus})` : ''}`;
  if (missing.reason === 'reset') return `connection reset (ECONNRESET) after ${fmtMs(missing.waitedMs)}, no response`;
  if (missing.reason === 'aborted') return missing.message;
  if (missing.reason === 'closed') return `connection closed after ${fmtMs(missing.waitedMs)}, no complete response`;
  return missing.message;
}

export function fmtMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The error line of a Node crash trace ("TypeError: ..."), else the first line. */
export function firstErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /^[A-Za-z]*Error\b|^Error \[|^Error:/.test(line)) ?? lines[0] ?? '';
}
