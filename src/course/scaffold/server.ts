// `dev new --kind server`: a server that answers every request with JSON. The
// example check fails with the lesson's new pitfall id when the answer is 200
// without a JSON Content-Type, pointing at the learner's writeHead/setHeader
// call (the toolkit's ctx.server.callLine: the probe records each call's line).

import { stub } from './stub.js';
import type { KindTemplates, ScaffoldParams } from './types.js';

export function serverTemplates(p: ScaffoldParams): KindTemplates {
  const body = JSON.stringify({ lesson: p.slug });
  return {
    file: 'server',
    deadline: 20000,
    argsNote: '',
    task: [
      'Edit `server.js` (or `server.ts`) so that:',
      '',
      '- [ ] every request, whatever its method and path, gets status `200`;',
      '- [ ] with the header `Content-Type: application/json`;',
      `- [ ] and the body \`${body}\`;`,
      '- [ ] the server listens on port `3000`.',
    ].join('\n'),
    hints: [
      'A body is only text until a header says what it is.',
      '`res.writeHead(status, headers)` sets the status and the headers at once: https://nodejs.org/docs/latest-v20.x/api/http.html#responsewriteheadstatuscode-statusmessage-headers',
      `\`res.writeHead(200, { 'Content-Type': 'application/json' });\` then \`res.end(JSON.stringify(${jsObject(p.slug)}));\``,
    ],
    starter: starterText(p),
    solution: solutionText(p),
    mistake: mistakeText(p),
    check: checkText(p),
  };
}

/** `{ lesson: 'slug' }` as a JavaScript object literal. */
export function jsObject(slug: string): string {
  return `{ lesson: '${slug}' }`;
}

function starterText(p: ScaffoldParams): string {
  const body = JSON.stringify({ lesson: p.slug });
  return `import http from 'node:http';

${stub("replace this example starter (it runs, fails verify, its TODOs point the way)", '//')}
const server = http.createServer((_req, res) => {
  // TODO: answer with status 200, the header Content-Type: application/json
  //       and the body ${body}.
  res.writeHead(501, { 'Content-Type': 'text/plain' });
  res.end('Not done yet\\n');
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000 (try: curl -i http://localhost:3000/)');
});
`;
}

function solutionText(p: ScaffoldParams): string {
  return `import http from 'node:http';

${stub("replace this example solution (it must pass every check)", '//')}
const server = http.createServer((_req, res) => {
  // The Content-Type tells the client how to read the body: without it the
  // JSON below is only text.
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(${jsObject(p.slug)}));
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
`;
}

function mistakeText(p: ScaffoldParams): string {
  return `// pitfall: ${p.pitfall}
${stub('replace this example mistake (the solution with one bug a learner really makes, on a // BUG: line)', '//')}
import http from 'node:http';

const server = http.createServer((_req, res) => {
  res.writeHead(200); // BUG: no Content-Type, so the client cannot tell the body is JSON
  res.end(JSON.stringify(${jsObject(p.slug)}));
});

server.listen(3000);
`;
}

function checkText(p: ScaffoldParams): string {
  const body = JSON.stringify({ lesson: p.slug });
  return `// Lesson ${p.id}: every request gets 200, Content-Type: application/json and
// ${body}.
${stub("replace this example check with your lesson's checks", '//')}
import type { LessonChecks } from 'httpdojo/check';

const EXPECTED = ${jsObject(p.slug)};

export default {
  checks: [
    {
      id: 'get-root-json',
      title: ${JSON.stringify(`GET / gets 200 with Content-Type: application/json and ${body}`)},
      async run(ctx) {
        const res = await ctx.http.request('GET', '/');
        const type = res.headers['content-type'];
        if (res.status === 200 && !/^application\\/json\\b/i.test(type ?? '')) {
          // The learner's line: the call that set this response's head (the toolkit's callLine).
          const record = await ctx.server.recordOf(res);
          ctx.fail(
            '${p.pitfall}',
            'We sent GET /; your server answered 200 with ' + (type === undefined ? 'no Content-Type header' : 'Content-Type: ' + type) + ' and the body ' + ctx.format.body(res) + ', so a client cannot tell the body is JSON.',
            ctx.server.callLine(record, { fn: ['writeHead', 'setHeader'] }) ?? ctx.server.lineOf('request-handler'),
          );
        }
        ctx.expect(res).status(200).contentType('application/json').json(EXPECTED);
      },
    },
  ],
} satisfies LessonChecks;
`;
}
