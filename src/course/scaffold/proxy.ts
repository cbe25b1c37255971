// `dev new --kind proxy`: a proxy that forwards every request to the upstream
// whose origin it gets as argv[2]. The example check's upstream answers 404 at
// /missing; a proxy that answers 200 there fails with the lesson's new pitfall
// id, on the learner's writeHead (or statusCode) line.

import { stub } from './stub.js';
import { jsObject } from './server.js';
import type { KindTemplates, ScaffoldParams } from './types.js';

export function proxyTemplates(p: ScaffoldParams): KindTemplates {
  const body = JSON.stringify({ lesson: p.slug });
  return {
    file: 'proxy',
    deadline: 30000,
    argsNote: "                # httpdojo passes the upstream's origin itself: process.argv[2]",
    task: [
      'Edit `proxy.js` (or `proxy.ts`), run as `node proxy.js <upstream-origin>`, so that:',
      '',
      "- [ ] every request is forwarded to the upstream (same method and path);",
      "- [ ] the client gets the upstream's status, headers and body: `200` and",
      `      \`${body}\` at \`/\`, \`404\` at \`/missing\`;`,
      '- [ ] the proxy listens on port `3000`.',
    ].join('\n'),
    hints: [
      "Whatever the upstream answers, the client should get: its status too, not only its body.",
      "`upstreamRes.statusCode` and `upstreamRes.headers` go into `res.writeHead(...)`: https://nodejs.org/docs/latest-v20.x/api/http.html#responsewriteheadstatuscode-statusmessage-headers",
      '`res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers); upstreamRes.pipe(res);`',
    ],
    starter: starterText(p),
    solution: proxyProgram(`res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);`, stub("replace this example solution (it must pass every check)", '//')),
    mistake: `// pitfall: ${p.pitfall}\n${proxyProgram(`res.writeHead(200, upstreamRes.headers); // BUG: the upstream's status is lost: a 404 reaches the client as 200`, stub('replace this example mistake (the solution with one bug a learner really makes, on a // BUG: line)', '//'))}`,
    check: checkText(p),
  };
}

function proxyProgram(writeHead: string, marker: string): string {
  return `import http from 'node:http';

${marker}
const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:8080');

const server = http.createServer((req, res) => {
  const forwarded = http.request(new URL(req.url ?? '/', upstream), { method: req.method, headers: { ...req.headers, host: upstream.host } }, (upstreamRes) => {
    ${writeHead}
    upstreamRes.pipe(res);
  });
  // An unreachable upstream: answer 502 instead of crashing on an unhandled 'error'.
  forwarded.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'Bad gateway' }));
  });
  req.pipe(forwarded);
});

server.listen(3000);
`;
}

function starterText(p: ScaffoldParams): string {
  return `import http from 'node:http';

${stub("replace this example starter (it runs, fails verify, its TODOs point the way)", '//')}
// httpdojo passes the upstream's origin (http://127.0.0.1:PORT) as the first argument.
const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:8080');

const server = http.createServer((req, res) => {
  // TODO: forward the request to \${upstream.origin} with http.request, then send
  //       the client the upstream's status, headers and body.
  req.resume();
  res.writeHead(501, { 'Content-Type': 'text/plain' });
  res.end(\`Not done yet: would forward \${req.method} \${req.url} to \${upstream.origin}\\n\`);
});

server.listen(3000);
`;
}

function checkText(p: ScaffoldParams): string {
  const body = JSON.stringify({ lesson: p.slug });
  return `// Lesson ${p.id}: \`proxy.js <upstream-origin>\` forwards each request and answers
// with the upstream's status, headers and body. setup() starts the test upstream
// and passes its origin as argv[2].
${stub("replace this example check with your lesson's checks", '//')}
import type { LessonChecks } from 'httpdojo/check';

const EXPECTED = ${jsObject(p.slug)};
const NOT_FOUND = { error: 'Not found' };

export default {
  async setup({ upstream }) {
    const server = await upstream((req, res) => {
      req.resume();
      const found = (req.url ?? '/').split('?')[0] !== '/missing';
      res.writeHead(found ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(found ? EXPECTED : NOT_FOUND));
    });
    return { args: [server.origin] };
  },
  checks: [
    {
      id: 'forwards-status',
      title: ${JSON.stringify(`GET / gets the upstream's 200 and ${body}; GET /missing gets its 404`)},
      async run(ctx) {
        const ok = await ctx.http.request('GET', '/');
        ctx.expect(ok).status(200).contentType('application/json').json(EXPECTED);
        const res = await ctx.http.request('GET', '/missing');
        if (res.status === 200) {
          // The learner's line: the writeHead or statusCode that set the 200 (the toolkit's callLine).
          const record = await ctx.server.recordOf(res);
          ctx.fail(
            '${p.pitfall}',
            'We sent GET /missing through your proxy; the upstream answered 404 ' + ctx.format.value(NOT_FOUND) + ', and your proxy answered 200 with the body ' + ctx.format.body(res) + ': the client cannot tell the resource is missing.',
            ctx.server.callLine(record, { status: 200 }) ?? ctx.server.lineOf('request-handler'),
          );
        }
        ctx.expect(res).status(404).json(NOT_FOUND);
      },
    },
  ],
} satisfies LessonChecks;
`;
}
