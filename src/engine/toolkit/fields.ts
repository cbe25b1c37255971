// A JSON object judged field by field (lesson 02's description of a request; any
// server whose answer describes something in JSON). ctx.expect(res).json(want)
// says only that the bodies differ; a learner fixing one wrong field needs its
// name, what we expected and how Node computes it, and the line of their program
// that produced it. A field may also have a symptom: a shape of wrong value that
// means a lesson pitfall (a path that still holds its query: url-string-split).

import type { CheckContext, HttpResponse } from '../check-api.js';
import type { Location } from '../probe-events.js';

/** How to judge one field of the expected object. */
export interface FieldRule {
  /** How a correct program computes the value, shown after the expected value: "req.method". */
  how?: string;
  /** Where the learner's program computes it: source patterns, most telling first (else the line that answered). */
  line?: RegExp[];
  /** Added to the "We sent M T" clause for this field: "with User-Agent: x". */
  sent?: string;
  /** A wrong value that means a pitfall: `why` says so (the rest of "but …") or returns null. */
  symptom?: { pitfall: string; why: (got: unknown, want: any) => string | null; at?: () => Location | null };
}

/**
 * The response body must be the JSON object `want`. Judged field by field in the
 * order of `rules`: the first wrong field fails (a symptom's pitfall when one
 * applies, else wrong-body) naming the field, what came back, what was expected
 * and `how`, at the rule's line; a missing field is named as missing (when null
 * was expected: JSON.stringify drops a property whose value is undefined). Then
 * the whole body (fields without a rule, extra properties) must equal `want`.
 * Status and Content-Type are the caller's to expect first.
 */
export async function expectFields(ctx: CheckContext, res: HttpResponse, want: Record<string, unknown>, rules: Record<string, FieldRule>): Promise<void> {
  const got = res.json;
  if (!ctx.json.isObject(got)) {
    ctx.expect(res).json(want);
    return;
  }
  const record = await ctx.server.recordOf(res);
  for (const [name, rule] of Object.entries(rules)) {
    if (Object.hasOwn(got, name) && ctx.json.equal(got[name], want[name])) continue;
    const sent = `We sent ${res.request.method} ${res.request.target}${rule.sent ? ` ${rule.sent}` : ''}`;
    const at = () => (rule.line ? ctx.source.find(...rule.line) : null) ?? record?.lastCallAt ?? null;
    const how = rule.how ? ` (${rule.how})` : '';
    if (!Object.hasOwn(got, name)) {
      const undefinedDropped = want[name] === null ? ': JSON.stringify drops a property whose value is undefined, so send null' : `; expected ${JSON.stringify(want[name])}`;
      ctx.fail('wrong-body', `${sent}; your JSON has no ${JSON.stringify(name)} property at all${undefinedDropped}${how}.`, at());
    }
    const answered = `${sent}; you answered ${name} ${JSON.stringify(got[name])}`;
    const symptom = rule.symptom?.why(got[name], want[name]);
    if (rule.symptom && symptom) ctx.fail(rule.symptom.pitfall, `${answered}, but ${symptom}.`, rule.symptom.at?.() ?? at());
    ctx.fail('wrong-body', `${answered}, expected ${JSON.stringify(want[name])}${how}.`, at());
  }
  ctx.expect(res).json(want);
}
