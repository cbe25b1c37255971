// The built probe (dist/engine/probe/probe.js) on an https.Server (probe/https.ts):
// each HTTPS request is one record with the learner's calls and lines, like an
// http.Server's (before, an https.Server's requests passed no patch: no record at
// all); an allowHTTP1 request on an Http2SecureServer in the same program is still
// recorded once (http2.ts's own patch), and the plain server's requests as before.
// Needs `npm run build`.

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { EventOf } from '../../src/engine/probe-events.js';
import { courseCerts } from '../../src/engine/toolkit/tls/certs.js';
import { buildRecords } from '../../src/engine/verify/records.js';
import { ProbedProgram, ROOT } from '../support/built-probe.ts';

const certs = courseCerts(join(ROOT, 'lessons'));
const dir = mkdtempSync(join(tmpdir(), 'hdj-probe-https-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  "import http from 'node:http';",
  "import http2 from 'node:http2';",
  "import https from 'node:https';",
  "import { readFileSync } from 'node:fs';",
  "const tls = { key: readFileSync(process.argv[2] + '/localhost-key.pem'), cert: readFileSync(process.argv[2] + '/localhost-cert.pem') };",
  'https.createServer(tls, (req, res) => {',
  "  res.writeHead(200, { 'content-type': 'text/plain' }); // MARK:head",
  "  if (req.url === '/open') return res.write('never ended'); // MARK:open",
  "  res.end('secure'); // MARK:end",
  '}).listen(8443);',
  "http.createServer((req, res) => res.end('plain')).listen(8080);",
  "http2.createSecureServer({ ...tls, allowHTTP1: true }, (req, res) => res.end('h2 server')).listen(9443);",
];

function get(module: typeof http | typeof https, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = module.get({ host: '127.0.0.1', port, path, servername: 'localhost', ca: certs.ca, agent: false, timeout: 3000 } as https.RequestOptions, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

it('an https.Server request is one record with its calls and lines; allowHTTP1 and plain requests are recorded once each', { timeout: 20_000 }, async () => {
  const program = new ProbedProgram(join(dir, 'servers.mjs'), LINES, [certs.dir]);
  const { events } = program;
  try {
    await program.until(() => events.filter((e) => e.t === 'listen').length === 3, 'three listens');
    const [secure, plain, h2] = events.filter((e): e is EventOf<'listen'> => e.t === 'listen');
    expect([secure.tls, plain.tls, h2.tls]).toEqual([true, false, true]);
    expect(await get(https, secure.port, '/a?b=1')).toBe('secure');
    expect(await get(http, plain.port, '/p')).toBe('plain');
    expect(await get(https, h2.port, '/h')).toBe('h2 server');
    void get(https, secure.port, '/open').catch(() => ''); // never ends: the socket closes with the program
    await program.until(() => events.some((e) => e.t === 'call' && e.fn === 'write'), 'write call');
    await program.until(() => events.filter((e) => e.t === 'res-finish').length >= 3, 'three finished responses');
    const records = buildRecords(events);
    expect(records.map((r) => r.url).sort()).toEqual(['/a?b=1', '/h', '/open', '/p']);
    const done = records.find((r) => r.url === '/a?b=1')!;
    expect(done).toMatchObject({ method: 'GET', ended: true, finished: true });
    expect(done.calls.filter((c) => !c.nested).map((c) => [c.fn, c.at?.line])).toEqual([['writeHead', program.line('head')], ['end', program.line('end')]]);
    const unended = records.find((r) => r.url === '/open')!;
    expect(unended).toMatchObject({ ended: false, lastCallAt: { line: program.line('open') } });
    expect(events.filter((e) => e.t === 'req' && e.server === secure.server)).toHaveLength(2);
  } finally {
    program.stop();
  }
});

it('a plain HTTP program under the probe never loads node:tls (telling a tls.Server apart needs it only for one)', { timeout: 10_000 }, async () => {
  const program = new ProbedProgram(join(dir, 'plain.mjs'), [
    "import http from 'node:http';",
    'const server = http.createServer((req, res) => res.end());',
    "server.listen(8080, () => { console.log(JSON.stringify(process.moduleLoadList.filter((name) => /^NativeModule (tls|_tls_wrap|https)$/.test(name)))); server.close(); });",
  ]);
  try {
    expect(await program.exited()).toBe(0);
    expect(JSON.parse(program.stdout)).toEqual([]);
  } finally {
    program.stop();
  }
});
