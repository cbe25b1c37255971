// Lesson 02: every request gets 200 JSON {method, path, query, userAgent}:
// path as URL.pathname gives it (escapes kept), query decoded as URLSearchParams
// decodes it, userAgent the header or null; and the server answers, without
// crashing, whatever the Host header holds.
//
// Every expected description is computed here with URL and URLSearchParams
// themselves, so "what the lesson means" and "what Node does" cannot drift apart.
import { expectFields, handSplitLine, pathSplitSymptom, querySplitSymptom, type CheckContext, type HttpResponse, type LessonChecks } from 'httpdojo/check';

const AGENT = 'httpdojo-check/1.0';

/** What a correct server answers for the request behind `res`. */
function describe(res: HttpResponse): { method: string; path: string; query: Record<string, string>; userAgent: string | null } {
  const url = new URL(res.request.target, 'http://localhost');
  const agent = Object.entries(res.request.headers).find(([name]) => name.toLowerCase() === 'user-agent')?.[1];
  return { method: res.request.method, path: url.pathname, query: Object.fromEntries(url.searchParams), userAgent: typeof agent === 'string' ? agent : null };
}

export default {
  // A URL built from the Host header throws this for an empty or malformed Host;
  // decodeURIComponent throws URIError on a broken escape (hand-decoding).
  crashes: { ERR_INVALID_URL: 'host-header-url-base', URIError: 'url-string-split' },
  checks: [
    {
      // Every later check judges the same handler's answer in more detail: if
      // this fails (no answer, a crash, another status, not JSON), they would
      // all fail the same way, so they are skipped instead of waiting again.
      id: 'answers-json',
      title: 'a request gets a complete 200 response with Content-Type: application/json and a JSON object',
      async run(ctx) {
        const res = await ctx.http.request('GET', '/search?q=node', { headers: { 'User-Agent': AGENT } });
        await ctx.server.recordOf(res);
        ctx.expect(res).status(200).contentType('application/json');
        if (!ctx.json.isObject(res.json)) {
          ctx.fail('wrong-body', `We sent GET /search?q=node; you answered ${ctx.format.body(res)}, which is not a JSON object like {"method":"GET","path":"/search",...}.`, ctx.server.request({ url: '/search?q=node' })?.lastCallAt ?? null);
        }
      },
    },
    {
      id: 'describes-request',
      needs: ['answers-json'],
      title: 'GET /search?q=node gets 200 JSON with the method, path, query and User-Agent',
      async run(ctx) {
        await expectDescription(ctx, 'GET', '/search?q=node', { 'User-Agent': AGENT });
      },
    },
    {
      id: 'method',
      needs: ['answers-json'],
      title: 'the method is reported as sent (DELETE, PATCH, POST)',
      async run(ctx) {
        await expectDescription(ctx, 'DELETE', '/items/7?soft=1', { 'User-Agent': AGENT });
        await expectDescription(ctx, 'PATCH', '/items/7?draft=1', { 'User-Agent': AGENT });
        await expectDescription(ctx, 'POST', '/items?draft=0', { 'User-Agent': AGENT }, 'name=ignored');
      },
    },
    {
      id: 'query-decoded',
      needs: ['answers-json'],
      title: 'query values are decoded: + and %20 are spaces, %E2%9C%93 is ✓',
      async run(ctx) {
        await expectDescription(ctx, 'GET', '/search?q=a+b%20c&lang=en%20GB&mark=%E2%9C%93', { 'User-Agent': AGENT });
      },
    },
    {
      id: 'query-names-decoded',
      needs: ['answers-json'],
      title: 'query names are decoded too, and a name without = has the value ""',
      async run(ctx) {
        await expectDescription(ctx, 'GET', '/search?n%61me=Zo%C3%AB&sort+by=date&flag', { 'User-Agent': AGENT });
      },
    },
    {
      id: 'question-mark-in-query',
      needs: ['answers-json'],
      title: 'only the first ? starts the query: /ask?q=why?&x=1 has q "why?"',
      async run(ctx) {
        await expectDescription(ctx, 'GET', '/ask?q=why?&x=1', { 'User-Agent': AGENT });
      },
    },
    {
      id: 'path-escapes-kept',
      needs: ['answers-json'],
      title: 'the path keeps its percent-escapes, as URL.pathname gives it (/caf%C3%A9/a%2Fb)',
      async run(ctx) {
        await expectDescription(ctx, 'GET', '/caf%C3%A9/a%2Fb?x=1', { 'User-Agent': AGENT });
      },
    },
    {
      id: 'no-query',
      needs: ['answers-json'],
      title: 'a path without a query, or with an empty one (/search?), gets query {}',
      async run(ctx) {
        // Only this check sends targets without "?" (every other target has a
        // query), so a crash on them is about handling a target without "?".
        // The same path with a query first: if only the query-less one fails,
        // the failure is about handling a target without "?".
        await expectDescription(ctx, 'GET', '/plain/path?x=1', { 'User-Agent': AGENT });
        await expectDescription(ctx, 'GET', '/plain/path', { 'User-Agent': AGENT }, undefined, {
          crash: { pitfall: 'url-string-split', because: 'the same path with ?x=1 was answered, so the crash comes from handling a target without "?"; new URL(req.url, base) handles both' },
        });
        await expectDescription(ctx, 'GET', '/search?', { 'User-Agent': AGENT }, undefined, {
          crash: { pitfall: 'url-string-split', because: 'an empty query is legal; url.searchParams is simply empty for it' },
        });
      },
    },
    {
      id: 'broken-escape',
      needs: ['answers-json'],
      title: 'a broken percent-escape in the query (%E0%A4%A) is decoded leniently, not a crash',
      async run(ctx) {
        const res = await expectDescription(ctx, 'GET', '/search?q=%E0%A4%A&ok=1', { 'User-Agent': AGENT }, undefined, {
          crash: { pitfall: 'url-string-split', because: 'decodeURIComponent throws on a broken escape; URLSearchParams never throws on input' },
          before(res) {
            if (res.status === 200) return;
            ctx.fail('url-string-split', `We sent GET /search?q=%E0%A4%A&ok=1; you answered ${res.status} ${ctx.format.body(res)}, but URLSearchParams decodes a broken escape without complaint (q is "\uFFFD%A"), so the refusal comes from decoding by hand.`, ctx.source.find(/decodeURIComponent\s*\(|unescape\s*\(/) ?? handSplitLine(ctx.source, { decoded: true }));
          },
        });
      },
    },
    {
      id: 'user-agent',
      needs: ['answers-json'],
      title: 'userAgent is the User-Agent header whatever the case of its name, or null when there is none',
      async run(ctx) {
        await expectDescription(ctx, 'GET', '/whoami?loud=1', { 'USER-AGENT': 'Shouty/2.0' });
        ctx.note('this request has no User-Agent header at all');
        await expectDescription(ctx, 'GET', '/whoami?anonymous=1', { 'User-Agent': null });
      },
    },
    {
      id: 'empty-host',
      needs: ['answers-json'],
      title: 'a request with an empty Host header is answered like any other',
      async run(ctx) {
        await expectHostAnswered(ctx, '', 'an empty Host header');
      },
    },
    {
      id: 'malformed-host',
      needs: ['answers-json'],
      title: 'a request with a malformed Host header (a b, localhost:99999) is answered like any other',
      async run(ctx) {
        await expectHostAnswered(ctx, 'a b', 'the Host header "a b"');
        await expectHostAnswered(ctx, 'localhost:99999', 'the Host header "localhost:99999" (port out of range)');
      },
    },
  ],
} satisfies LessonChecks;

/**
 * Sends one request and checks the answer describes it exactly, field by field:
 * a crash on it means `crash.pitfall` (the engine diagnoses the crash), and
 * `before` judges the answer first.
 */
async function expectDescription(
  ctx: CheckContext,
  method: string,
  target: string,
  headers: Record<string, string | null>,
  body?: string,
  special: { crash?: { pitfall: string; because: string }; before?: (res: HttpResponse) => void } = {},
): Promise<HttpResponse> {
  const withdraw = special.crash ? ctx.evidence({ crash: special.crash }) : () => {};
  const res = await ctx.http.request(method, target, { headers, body });
  withdraw();
  special.before?.(res);
  ctx.expect(res).status(200).contentType('application/json');
  const want = describe(res);
  const split = { pitfall: 'url-string-split', at: () => handSplitLine(ctx.source, { decoded: true }) };
  await expectFields(ctx, res, want, {
    path: { how: 'URL.pathname', line: [/\bpath\s*:|pathname/], symptom: { ...split, why: pathSplitSymptom } },
    query: { how: 'every parameter of url.searchParams, as a plain object: Object.fromEntries(url.searchParams)', line: [/searchParams|\bquery\s*:/], symptom: { ...split, why: querySplitSymptom } },
    userAgent: {
      how: want.userAgent === null ? "req.headers['user-agent'] ?? null" : 'header names are lowercase in req.headers',
      sent: want.userAgent === null ? 'without a User-Agent header' : `with ${Object.keys(res.request.headers).find((name) => name.toLowerCase() === 'user-agent')}: ${want.userAgent}`,
      line: [/user-agent|userAgent/i],
    },
    method: { how: 'req.method', line: [/\.method\b|\bmethod\s*:/] },
  });
  return res;
}

/** Empty Host, "a b", "localhost:99999": the same answer as with a normal Host, and no crash. */
async function expectHostAnswered(ctx: CheckContext, host: string, what: string): Promise<void> {
  const target = `/where?from=${host === '' ? 'empty-host' : 'odd-host'}`;
  // The same request with an ordinary Host first: if that is wrong, the Host is not the reason.
  const want = describe(await expectDescription(ctx, 'GET', target, { 'User-Agent': AGENT }));

  ctx.note(`the next request carries ${what}`);
  const fixedBase = "Parse with a fixed base such as new URL(req.url, 'http://localhost')";
  const hostRead = () => ctx.source.find(/headers\s*(\.\s*host\b|\[\s*['"`]host['"`]\s*\])/i, /new\s+URL\s*\(/) ?? ctx.server.request({ url: target })?.lastCallAt ?? null;
  const withdraw = [
    ctx.evidence({ sent: `with ${what}`, location: hostRead, noAnswer: { pitfall: 'host-header-url-base', because: 'while the same request with a normal Host was answered at once. Parse with a fixed base, not with Host' } }),
    ctx.evidence({ crash: { pitfall: 'host-header-url-base', because: fixedBase } }),
    ctx.evidence({ crash: { pitfall: 'host-header-url-base', because: `a URL base built from Host ("http://${host}") is not a valid URL. ${fixedBase}`, when: (error) => error.code === 'ERR_INVALID_URL' } }),
  ];
  const res = await ctx.http.request('GET', target, { headers: { Host: host, 'User-Agent': AGENT } });
  withdraw.forEach((done) => done());
  await ctx.server.recordOf(res);
  if (res.status !== 200 || !ctx.json.equal(res.json, want)) {
    ctx.fail(
      'host-header-url-base',
      `We sent GET ${target} with ${what}; you answered ${res.status} ${ctx.format.body(res)}, but with a normal Host the same request gets 200 ${JSON.stringify(want)}: the answer must not depend on Host. Parse with a fixed base such as 'http://localhost'.`,
      hostRead(),
    );
  }
}
