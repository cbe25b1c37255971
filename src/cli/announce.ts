// What `httpdojo run` says once a server program is up: for each port its source
// names, a curl line to try. A port that completes a TLS handshake trusting the
// lesson's CA gets `curl --cacert <ca> https://localhost:<port>/` (lessons 16 and
// 18; lesson 16 also listens in plain HTTP, which gets its own line). The program
// runs without the probe here, so its ports are read from its source.

import { connect } from 'node:net';
import { relative } from 'node:path';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { styleFor } from '../report/style.js';

type Style = ReturnType<typeof styleFor>;

/**
 * The ports a program's `listen()` calls name, in order: a literal
 * (`listen(3000)`) or a name given a literal (`const HTTPS_PORT = 8443`,
 * `PORT = process.env.PORT ?? 4000`, `|| 4000`); else 3000.
 */
export function portsIn(source: string): number[] {
  const ports: number[] = [];
  for (const [, literal, name] of source.matchAll(/\.listen\(\s*(?:(\d{2,5})\b|([A-Za-z_$][\w$]*))/g)) {
    if (literal) ports.push(Number(literal));
    else {
      const given = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}\\s*=\\s*(?:[^\\n;]*(?:\\?\\?|\\|\\|)\\s*)?(\\d{2,5})\\b`).exec(source);
      if (given) ports.push(Number(given[1]));
    }
  }
  if (ports.length === 0) ports.push(3000);
  return [...new Set(ports)];
}

/** The curl line for a port: HTTPS with the CA when `speaksTls`, plain HTTP otherwise. */
export function curlLine(port: number, speaksTls: boolean, caFile: string | null, cwd = process.cwd()): string {
  if (speaksTls && caFile) return `curl -i --cacert ${relative(cwd, caFile) || caFile} https://localhost:${port}/`;
  return `curl -i http://localhost:${port}/`;
}

export async function announceUrls(file: string, style: Style, running: () => boolean, caFile: string | null): Promise<void> {
  const ports = portsIn(readFileSync(file, 'utf8'));
  const deadline = Date.now() + 5000;
  const waiting = new Set(ports);
  // Bounded: 5 s, one try per port every 100 ms.
  while (running() && waiting.size > 0 && Date.now() < deadline) {
    for (const port of [...waiting]) {
      if (!(await accepts(port))) continue;
      waiting.delete(port);
      const secure = caFile !== null && (await handshakes(port, caFile));
      process.stdout.write(`${style.green(`Listening on port ${port}${secure ? ' (HTTPS)' : ''}.`)} Try it in another terminal:  ${style.bold(curlLine(port, secure, caFile))}\n`);
    }
    if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (running() && waiting.size === ports.length) process.stdout.write(style.yellow(`Nothing accepts connections on port ${ports.join(' or ')} yet; is listen() called?\n`));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(500, () => done(false));
  });
}

/** Whether the port completes a TLS handshake that verifies against the CA for the name localhost. */
function handshakes(port: number, caFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: readFileSync(caFile), ALPNProtocols: ['h2', 'http/1.1'] });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('secureConnect', () => done(socket.authorized));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}
