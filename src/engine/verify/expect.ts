// ctx.expect(response): expectations on a response. A mismatch fails with a
// generic pitfall id (verdict.ts) and points at the learner's call that set the
// part that is wrong (writeHead, setHeader, write or end).

import type { ProgramView } from '../check-api.js';
import type { HttpResponse } from '../clients/http-client.js';
import type { ResponseCall } from '../probe-events.js';
import { CheckFailure } from '../verdict.js';
import { jsonEqual } from '../toolkit/format.js';

/** Expectations on a response; a mismatch fails with a generic id and points at the learner's call. */
export function expectResponse(response: HttpResponse, server: Pick<ProgramView, 'recordOf'>) {
  const sent = `We sent ${response.request.method} ${response.request.target}${response.request.bodyBytes ? ` with body ${response.request.bodyPreview}` : ''}`;
  const callWhere = (predicate: (call: ResponseCall) => boolean) => async () => {
    const found = await server.recordOf(response);
    const calls = found?.calls.filter((call) => call.at && !call.nested) ?? [];
    return calls.filter(predicate).pop()?.at ?? found?.lastCallAt ?? null;
  };
  const statusCall = callWhere((call) => call.fn === 'writeHead' || call.fn === 'statusCode');
  const headerCall = (name: string) => callWhere((call) =>
    (call.fn === 'setHeader' && String(call.name).toLowerCase() === name.toLowerCase()) ||
    (call.fn === 'writeHead' && call.headers !== undefined && JSON.stringify(call.headers).toLowerCase().includes(`"${name.toLowerCase()}"`)) ||
    call.fn === 'writeHead');
  const bodyCall = callWhere((call) => call.fn === 'end' || call.fn === 'write');
  const got = () => `status ${response.status}, ${response.headers['content-type'] ? `Content-Type ${response.headers['content-type']}` : 'no Content-Type'}, body ${quote(response.text)}`;
  const expectation = {
    status(code: number) {
      if (response.status !== code) throw new CheckFailure('wrong-status', `${sent}; expected status ${code}, got ${got()}.`, null, statusCall);
      return expectation;
    },
    contentType(mediaType: string) {
      const actual = response.headers['content-type'];
      const media = actual?.split(';')[0].trim().toLowerCase();
      if (media !== mediaType.toLowerCase()) {
        throw new CheckFailure('wrong-content-type', `${sent}; expected Content-Type ${mediaType}, got ${actual === undefined ? 'no Content-Type header at all' : JSON.stringify(actual)}.`, null, headerCall('content-type'));
      }
      return expectation;
    },
    header(name: string, value: string | RegExp) {
      const actual = response.headers[name.toLowerCase()];
      const ok = actual !== undefined && (typeof value === 'string' ? actual === value : value.test(actual));
      if (!ok) throw new CheckFailure('wrong-header', `${sent}; expected header ${name}: ${String(value)}, got ${actual === undefined ? 'no such header' : JSON.stringify(actual)}.`, null, headerCall(name));
      return expectation;
    },
    json(value: unknown) {
      if (response.json === undefined || !deepEqual(response.json, value)) {
        throw new CheckFailure('wrong-body', `${sent}; expected JSON ${JSON.stringify(value)}, got ${response.json === undefined ? `a body that is not JSON: ${quote(response.text)}` : JSON.stringify(response.json)}.`, null, bodyCall);
      }
      return expectation;
    },
    text(value: string) {
      if (response.text !== value) throw new CheckFailure('wrong-body', `${sent}; expected the body ${quote(value)}, got ${quote(response.text)}.`, null, bodyCall);
      return expectation;
    },
  };
  return expectation;
}

export function quote(text: string, max = 120): string {
  if (text === '') return 'empty';
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** Deep equality for JSON values (key order does not matter): the toolkit's one implementation. */
export const deepEqual = jsonEqual;
