// `httpdojo run 16`: the server gets the workspace's certs folder (copied from the
// course), and each of its ports gets the curl line that works: --cacert and
// https:// for the one that completes a TLS handshake, plain http:// for the other.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stripTypes } from '../../src/workspace/strip-types.ts';
import { killStartedClis, requireBuild, ROOT, runCli, startCli, waitUntil, freePort } from './cli-support.ts';

const temps: string[] = [];
afterEach(() => killStartedClis());
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function get(module: typeof http | typeof https, options: https.RequestOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    module.get({ ...options, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    }).on('error', reject);
  });
}

describe('httpdojo run of the HTTPS lesson', () => {
  it('copies the certs into the workspace, passes that folder, and prints curl --cacert for the HTTPS port and plain curl for the redirect port', async () => {
    requireBuild();
    const parent = mkdtempSync(join(tmpdir(), 'hdj-run-tls-'));
    temps.push(parent);
    const init = await runCli(['init', 'dojo', '--lang', 'js'], { cwd: parent, timeoutMs: 45_000, env: { NO_COLOR: '1', npm_command: undefined } });
    expect(init.code, init.stdout + init.stderr).toBe(0);
    const root = join(parent, 'dojo');
    const [securePort, plainPort] = [await freePort(), await freePort()];
    const solution = (await stripTypes(readFileSync(join(ROOT, 'lessons', '16-https-server', 'solution.ts'), 'utf8'))).code;
    const program = solution.replace(/\b8443\b/g, String(securePort)).replace(/\b8080\b/g, String(plainPort));
    expect(program).not.toBe(solution);
    mkdirSync(join(root, '16-https-server'), { recursive: true });
    writeFileSync(join(root, '16-https-server', 'server.js'), program);

    const running = startCli(['run', '16'], { cwd: root, env: { NO_COLOR: '1', npm_command: undefined }, timeoutMs: 30_000 });
    let stdout = '';
    running.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await waitUntil(() => stdout.includes(`Listening on port ${securePort} (HTTPS).`) && stdout.includes(`Listening on port ${plainPort}.`), 15_000), stdout).toBe(true);
    expect(stdout).toContain(`curl -i --cacert certs/ca-cert.pem https://localhost:${securePort}/`);
    expect(stdout).toContain(`curl -i http://localhost:${plainPort}/`);
    expect(stdout).toContain(join(root, 'certs'));
    for (const name of ['ca-cert.pem', 'localhost-cert.pem', 'localhost-key.pem']) expect(existsSync(join(root, 'certs', name)), name).toBe(true);
    expect(existsSync(join(root, 'certs', 'checks'))).toBe(false);

    const ca = readFileSync(join(root, 'certs', 'ca-cert.pem'));
    const secure = await get(https, { host: '127.0.0.1', port: securePort, path: '/docs?x=1', servername: 'localhost', ca });
    expect(secure.status).toBe(200);
    expect(JSON.parse(secure.body)).toEqual({ secure: true, tlsVersion: 'TLSv1.3', url: '/docs?x=1' });
    const redirect = await get(http, { host: '127.0.0.1', port: plainPort, path: '/api/users?a=1' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://localhost:${securePort}/api/users?a=1`);

    running.child.kill('SIGINT');
    const result = await running.result;
    expect(result.code).toBe(130);
  });
});
