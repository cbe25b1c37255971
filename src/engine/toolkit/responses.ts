// Responses as lessons 06–08 judge them: the charset a text response declares,
// the learner's call that set a header (and the value it set), the one check
// every text-serving lesson makes, "text/…; charset=utf-8", and the learner's line
// of the last call of some kinds on a response, once the probe has reported it.
// Free functions exported from 'httpdojo/check' like the client harness; the ones
// that need the check's context take it first.

import type { CallQuery, CheckContext, ResponseRecord } from '../check-api.js';
import type { Location } from '../probe-events.js';
import type { ResponseCall } from '../probe-events.js';

/**
 * The charset parameter of a response's Content-Type, lowercased and unquoted
 * (RFC 9110 §8.3.2: parameter values may be quoted; charset names are
 * case-insensitive), or null when there is none.
 */
export function charsetOf(response: { headers: Record<string, string | undefined> }): string | null {
  const type = response.headers['content-type'] ?? '';
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1\s*(?=;|$)/i.exec(type);
  return match ? match[2].toLowerCase() : null;
}

/** The value a writeHead call gave header `name` (lowercased; object or flat [name, value, …] array). */
function writeHeadValue(call: ResponseCall, name: string): string | undefined {
  const headers = call.headers;
  if (!headers) return undefined;
  if (Array.isArray(headers)) {
    const index = headers.findIndex((item, i) => i % 2 === 0 && item.toLowerCase() === name);
    return index >= 0 ? headers[index + 1] : undefined;
  }
  const key = Object.keys(headers).find((key) => key.toLowerCase() === name);
  return key === undefined ? undefined : String(headers[key]);
}

/**
 * The learner's last call on the response of `record` that set header `name`
 * (setHeader, or writeHead with it; never Node's own nested calls), with the
 * value it set; null when none did. A wrong value's diagnosis points at `call.at`.
 */
export function headerCall(record: ResponseRecord | undefined, name: string): { call: ResponseCall; value: string | undefined } | null {
  const wanted = name.toLowerCase();
  for (const call of [...(record?.calls ?? [])].reverse()) {
    if (call.nested) continue;
    if (call.fn === 'setHeader' && String(call.name).toLowerCase() === wanted) {
      return { call, value: Array.isArray(call.value) ? call.value[0] : call.value };
    }
    if (call.fn === 'writeHead') {
      const value = writeHeadValue(call, wanted);
      if (value !== undefined) return { call, value };
    }
  }
  return null;
}

/**
 * Fails with `pitfall` unless the response declares `charset=utf-8`: without it
 * a client may not decode the text as UTF-8 (RFC 9110 §8.3.3; a browser guesses).
 * Points at the call that set Content-Type, else the last writeHead/setHeader.
 */
export async function expectUtf8(ctx: Pick<CheckContext, 'fail' | 'server'>, res: { headers: Record<string, string | undefined>; request: { method: string; target: string } }, pitfall: string, what = 'the text'): Promise<void> {
  if (charsetOf(res) === 'utf-8') return;
  const type = res.headers['content-type'];
  const record = await ctx.server.settled(res.request.method, res.request.target);
  const at = headerCall(record, 'content-type')?.call.at ?? ctx.server.callLine(record, { fn: ['writeHead', 'setHeader'] });
  const base = type === undefined ? 'no Content-Type' : JSON.stringify(type);
  ctx.fail(pitfall, `We sent ${res.request.method} ${res.request.target}; expected Content-Type ${(type ?? 'text/plain').split(';')[0]}; charset=utf-8, got ${base}: without the charset, a client may not decode ${what} as UTF-8.`, at);
}

/**
 * The learner's line of a call on the response to `method target` (the last of
 * `query.fn` when given, else the last call; see ctx.server.callLine), once the
 * probe has reported the request and the end of its response (at most 300 ms
 * each: its events trail the bytes). Null when the probe never saw the request.
 */
export async function responseLine(ctx: Pick<CheckContext, 'server'>, method: string, target: string, query: CallQuery = {}): Promise<Location | null> {
  return ctx.server.callLine(await ctx.server.settled(method, target, { timeoutMs: 300 }), query);
}
