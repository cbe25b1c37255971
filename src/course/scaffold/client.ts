// `dev new --kind client`: a program that GETs the URL it is given with
// `Accept: application/json` and writes the body to stdout. The example check
// runs it with the client harness on the context (ctx.client: a test server of
// the check's own, the run judged on how it ended) and fails with the lesson's
// new pitfall id, on the learner's http.get/http.request line
// (ctx.server.lineOf('client-request')), when the request has no such header.

import { stub } from './stub.js';
import type { KindTemplates, ScaffoldParams } from './types.js';

export function clientTemplates(p: ScaffoldParams): KindTemplates {
  const body = JSON.stringify({ lesson: p.slug });
  return {
    file: 'client',
    deadline: 30000,
    argsNote: "                # httpdojo passes its test server's URL as the first argument",
    task: [
      'Edit `client.js` (or `client.ts`) so that, run as `node client.js <url>`:',
      '',
      '- [ ] it GETs the URL with `node:http` (`http.get` or `http.request`), not `fetch`;',
      '- [ ] with the request header `Accept: application/json`;',
      `- [ ] it writes the body it gets (\`${body}\`) to stdout exactly, and exits with code 0.`,
    ].join('\n'),
    hints: [
      'A request says which kind of answer it wants in one of its headers.',
      '`http.get(url, options, callback)` takes `options.headers`: https://nodejs.org/docs/latest-v20.x/api/http.html#httpgeturl-options-callback',
      "`http.get(url, { headers: { Accept: 'application/json' } }, (res) => { ... })`, then collect the chunks and write them on `'end'`.",
    ],
    starter: starterText(p),
    solution: solutionText(p),
    mistake: mistakeText(p),
    check: checkText(p),
  };
}

function starterText(p: ScaffoldParams): string {
  return `import http from 'node:http';

${stub("replace this example starter (it runs, fails verify, its TODOs point the way)", '//')}
// httpdojo runs this program with the URL to GET as its first argument.
const url = process.argv[2];

// TODO: ask for JSON with the request header Accept: application/json.
const req = http.get(url, (res) => {
  // TODO: collect the body's chunks and write them to stdout once it has ended.
  console.error(\`got status \${res.statusCode}\`);
  res.resume();
});

req.on('error', (err) => {
  console.error(\`Error: \${err.message}\`);
  process.exitCode = 1;
});
`;
}

function solutionText(p: ScaffoldParams): string {
  return `import http from 'node:http';

${stub("replace this example solution (it must pass every check)", '//')}
const url = process.argv[2];

const req = http.get(url, { headers: { Accept: 'application/json' } }, (res) => {
  // Collect raw Buffers and decode once at the end: a character cut between
  // two chunks is put back together before decoding.
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    process.stdout.write(Buffer.concat(chunks).toString('utf8'));
  });
  res.on('error', (err) => {
    console.error(\`Error: \${err.message}\`);
    process.exitCode = 1;
  });
});

// Refused, reset: without this listener the process crashes with a stack trace.
req.on('error', (err) => {
  console.error(\`Error: \${err.message}\`);
  process.exitCode = 1;
});
`;
}

function mistakeText(p: ScaffoldParams): string {
  return `// pitfall: ${p.pitfall}
${stub('replace this example mistake (the solution with one bug a learner really makes, on a // BUG: line)', '//')}
import http from 'node:http';

const url = process.argv[2];

const req = http.get(url, (res) => { // BUG: no Accept header: the server is never told JSON is wanted
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    process.stdout.write(Buffer.concat(chunks).toString('utf8'));
  });
});

req.on('error', (err) => {
  console.error(\`Error: \${err.message}\`);
  process.exitCode = 1;
});
`;
}

function checkText(p: ScaffoldParams): string {
  const body = JSON.stringify({ lesson: p.slug });
  return `// Lesson ${p.id}: \`client.js <url>\` GETs the URL with node:http and
// Accept: application/json, and writes the body to stdout (exit code 0).
${stub("replace this example check with your lesson's checks", '//')}
//
// The client harness is on the context (ctx.client: a test server of the
// check's own, a run of the program, the failures every run is judged on).
// It can report its own pitfall ids too, so the course needs their pages
// (httpdojo dev new copied httpdojo's into pitfalls/).
import type { LessonChecks } from 'httpdojo/check';

const BODY = '${body}\\n';

export default {
  checks: [
    {
      id: 'get-json',
      title: 'the program GETs its URL with node:http and Accept: application/json, writes the body to stdout and exits with code 0',
      timeoutMs: 15_000,
      async run(ctx) {
        const server = await ctx.client.server((req, res) => {
          req.resume();
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(BODY);
        });
        const result = await ctx.client.run(server, [server.origin + '/lesson']);
        const sent = 'We answered GET /lesson with 200 and the body ' + ctx.format.body(BODY);
        // fetch instead of node:http, a crash, an unhandled 'error', a program that never exits.
        ctx.client.failCommon(result, server, sent);
        const request = ctx.server.lineOf('client-request');
        const accept = server.upstream.received[0]?.headers.accept;
        if (server.upstream.received.length > 0 && !/application\\/json/i.test(String(accept ?? ''))) {
          ctx.fail('${p.pitfall}', sent + '; your request came with ' + (accept === undefined ? 'no Accept header' : 'Accept: ' + String(accept)) + ', so the server was never told that JSON is wanted.', request);
        }
        // One extra trailing newline is fine (console.log adds one).
        if (result.stdout !== BODY && result.stdout !== BODY + '\\n') {
          ctx.fail('wrong-body', sent + '; expected exactly that body on stdout, but your program printed ' + ctx.format.body(result.stdout) + '.', request);
        }
        if (result.code !== 0) ctx.fail('wrong-status', sent + '; your program printed the body but exited with code ' + String(result.code) + '; it must exit with code 0.', request);
      },
    },
  ],
} satisfies LessonChecks;
`;
}
