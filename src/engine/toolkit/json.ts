// ctx.json: what the checks of JSON APIs repeat (lessons 03-05, 15, and an
// instructor's own): a status, the media type and a JSON body in one step, with
// a wrong status pointed at the line that chose it; the current list of a
// collection; "is the server still serving" after a request that may have broken it.

import type { CheckContext, JsonHelpers } from '../check-api.js';
import type { HttpResponse } from '../clients/http-client.js';
import { CheckFailure } from '../verdict.js';
import { format, isPlainObject, jsonEqual, mediaType } from './format.js';

type Needs = Pick<CheckContext, 'http' | 'server' | 'expect' | 'fail' | 'note'>;

/** JSON.parse throws a SyntaxError (ECMA-262 §25.5.1); its stack names JSON.parse. */
export function isParseError(error: { name: string; stack?: string }): boolean {
  return error.name === 'SyntaxError' && /JSON\.parse/.test(error.stack ?? '');
}

export function jsonHelpers(ctx: Needs): JsonHelpers {
  /**
   * A wrong status, pointed at the learner's line that chose the status we got:
   * with a helper such as sendJson(res, 405, …) the probe's line is inside the
   * helper, and the caller's line is the one that says 405.
   */
  const status = async (response: HttpResponse, code: number): Promise<void> => {
    const record = await ctx.server.recordOf(response);
    try {
      ctx.expect(response).status(code);
    } catch (error) {
      const at = error instanceof CheckFailure && error.pitfall === 'wrong-status' ? ctx.server.callLine(record, { status: response.status }) : null;
      if (at) throw new CheckFailure('wrong-status', error instanceof Error ? error.message : String(error), at);
      throw error;
    }
  };
  const expect = async (response: HttpResponse, code: number, body?: unknown): Promise<void> => {
    await status(response, code);
    const expectation = ctx.expect(response).contentType('application/json');
    if (body !== undefined) expectation.json(body);
  };
  return {
    equal: jsonEqual,
    isObject: isPlainObject,
    typed: (response) => mediaType(response) === 'application/json',
    isParseError,
    status,
    expect,
    async list<T>(target: string): Promise<T[]> {
      const response = await ctx.http.request('GET', target);
      await expect(response, 200);
      if (!Array.isArray(response.json)) ctx.fail('wrong-body', `We sent GET ${target}; expected a JSON array, got ${format.body(response)}.`, null);
      return response.json as T[];
    },
    async stillServing(target, after, expected) {
      ctx.note(`a new request: the server must still answer after ${after}`);
      const response = await ctx.http.request('GET', target);
      await expect(response, expected.status, expected.body);
      return response;
    },
  };
}
