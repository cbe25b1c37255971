// The TLS files of lessons 16-19: what announce says to curl, what the workspace
// gets, and the demo server `run` gives a TLS client (HTTPS and HTTP/2 on one port).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { curlLine, portsIn } from '../../src/cli/announce.js';
import { startDemoServer } from '../../src/cli/demo-server.js';
import type { Lesson } from '../../src/course/lessons.js';
import { bundledCertsDir, courseCerts } from '../../src/engine/toolkit/tls/certs.js';
import { workspaceCerts } from '../../src/workspace/certs.js';

const temp = mkdtempSync(join(tmpdir(), 'httpdojo-tls-files-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('announce: the ports a source names and the curl line for each', () => {
  it.each([
    ['https.createServer(o, h).listen(8443);\nhttp.createServer(r).listen(8080);', [8443, 8080]],
    ['server.listen(3000, () => {});', [3000]],
    ['const PORT = process.env.PORT ?? 4000;\nserver.listen(PORT);', [4000]],
    ['server.listen(port);', [3000]],
    ['a.listen(8443); b.listen(8443);', [8443]],
    ['const HTTPS_PORT = 8443;\nconst HTTP_PORT = 8080;\nsecure.listen(HTTPS_PORT);\nplain.listen(HTTP_PORT, cb);', [8443, 8080]],
    ['const port = Number(process.env.PORT) || 5000;\napp.listen(port);', [5000]],
  ])('%j -> %j', (source, ports) => {
    expect(portsIn(source)).toEqual(ports);
  });

  it.each([
    [8443, true, '/ws/certs/ca-cert.pem', '/ws', 'curl -i --cacert certs/ca-cert.pem https://localhost:8443/'],
    [8080, false, '/ws/certs/ca-cert.pem', '/ws', 'curl -i http://localhost:8080/'],
    [3000, true, null, '/ws', 'curl -i http://localhost:3000/'],
  ] as const)('port %i, TLS %s', (port, secure, ca, cwd, line) => {
    expect(curlLine(port, secure, ca, cwd)).toBe(line);
  });
});

describe('certificates', () => {
  it('the bundled files verify as CURRICULUM.md says: test CA, localhost leaf with three names, fixed dates', () => {
    const certs = courseCerts(join(temp, 'no-course-here'));
    expect(certs.dir).toBe(bundledCertsDir());
    const leaf = new X509Certificate(certs.localhost.cert);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.issuer).toBe('CN=httpdojo test CA');
    expect(new Date(leaf.validFrom).toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(new Date(leaf.validTo).toISOString()).toBe('2052-12-31T23:59:59.000Z');
    expect(leaf.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(leaf.checkIssued(new X509Certificate(certs.ca))).toBe(true);
    // The CA's private key never ships.
    const shipped = readdirSync(certs.dir, { recursive: true }).map(String);
    expect(shipped.filter((name) => name.startsWith('ca-') && name.includes('key'))).toEqual([]);
  });

  it('a lesson with certs: true gets ca-cert.pem and the localhost pair in <workspace>/certs, never the checks\' certificates, never overwriting', () => {
    const root = join(temp, 'ws');
    mkdirSync(join(root, 'certs'), { recursive: true });
    writeFileSync(join(root, 'certs', 'localhost-key.pem'), 'mine');
    const lesson = { certs: true, dir: join(bundledCertsDir(), '..', '16-https-server') } as Lesson;
    expect(workspaceCerts(root, lesson)).toBe(join(root, 'certs'));
    expect(readdirSync(join(root, 'certs')).sort()).toEqual(['ca-cert.pem', 'localhost-cert.pem', 'localhost-key.pem']);
    expect(readFileSync(join(root, 'certs', 'localhost-key.pem'), 'utf8')).toBe('mine');
    expect(readFileSync(join(root, 'certs', 'ca-cert.pem'), 'utf8')).toBe(courseCerts(join(temp, 'none')).ca);
    expect(workspaceCerts(join(temp, 'other'), { certs: false, dir: lesson.dir } as Lesson)).toBeNull();
    expect(existsSync(join(temp, 'other', 'certs'))).toBe(false);
  });

  it('scripts/make-certs.sh names every file it writes in its header (regenerating is documented, never needed at run time)', () => {
    const script = readFileSync(join(bundledCertsDir(), '..', '..', 'scripts', 'make-certs.sh'), 'utf8');
    for (const name of ['ca-cert.pem', 'localhost-cert.pem', 'localhost-key.pem', 'wrong-host', 'other-ca', 'self-signed', 'expired']) expect(script).toContain(name);
    expect(() => execFileSync('bash', ['-n', join(bundledCertsDir(), '..', '..', 'scripts', 'make-certs.sh')])).not.toThrow();
  });
});

describe('the TLS demo server of `httpdojo run` (lessons 17 and 19)', () => {
  it('answers https.get (HTTP/1.1) and http2.connect (h2) on one port, trusting only the test CA', async () => {
    const certs = courseCerts(join(temp, 'none'));
    const demo = await startDemoServer({ tls: certs.localhost });
    try {
      expect(demo.origin).toMatch(/^https:\/\/localhost:\d+$/);
      const port = Number(new URL(demo.origin).port);
      const viaHttps = await new Promise<{ status: number; body: string; version: string }>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/items/2', servername: 'localhost', ca: certs.ca, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, body, version: res.httpVersion }));
        }).on('error', reject);
      });
      expect(viaHttps).toEqual({ status: 200, body: 'item 2', version: '1.1' });
      const session = http2.connect(`https://localhost:${port}`, { ca: certs.ca, host: '127.0.0.1' } as http2.SecureClientSessionOptions);
      const viaH2 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        session.on('error', reject);
        const stream = session.request({ ':path': '/items/7' });
        let status = 0;
        let body = '';
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status, body }));
      });
      session.close();
      expect(viaH2).toEqual({ status: 200, body: 'item 7' });
    } finally {
      await demo.close();
    }
  });
});
