// Lesson 17 (an HTTPS client trusting exactly the lesson's CA): every claim of its
// lesson text, pitfall pages (tls-verification-disabled, test-ca-not-trusted,
// http-module-for-https) and quiz, on the running Node, with the lesson's own
// certificates and the checks' bad ones, talking only to 127.0.0.1.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST, listenServer, runChild, withDeadline } from './support.ts';

const CERTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lessons/certs');
const read = (name: string) => fs.readFileSync(path.join(CERTS, name), 'utf8');
const CA_FILE = path.join(CERTS, 'ca-cert.pem');
const CA = read('ca-cert.pem');
const PAIRS = {
  localhost: { key: read('localhost-key.pem'), cert: read('localhost-cert.pem') },
  'wrong-host': { key: read('checks/wrong-host-key.pem'), cert: read('checks/wrong-host-cert.pem') },
  'other-ca': { key: read('checks/other-ca-key.pem'), cert: read('checks/other-ca-cert.pem') },
  'self-signed': { key: read('checks/self-signed-key.pem'), cert: read('checks/self-signed-cert.pem') },
  expired: { key: read('checks/expired-key.pem'), cert: read('checks/expired-cert.pem') },
};
type Present = keyof typeof PAIRS;

interface Seen { requests: string[]; secure: Array<{ protocol: string | null; sni: string | false | undefined; alpn: string | false }>; clientErrors: string[] }

/** An HTTPS server presenting `present`; records requests (decrypted request heads), completed handshakes and handshake errors. */
async function server(present: Present, handler: http.RequestListener = (_req, res) => res.end('{"ok":true}'), options: https.ServerOptions = {}) {
  const seen: Seen = { requests: [], secure: [], clientErrors: [] };
  const srv = https.createServer({ ...PAIRS[present], ...options }, (req, res) => {
    seen.requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  srv.on('secureConnection', (socket: tls.TLSSocket) => seen.secure.push({ protocol: socket.getProtocol(), sni: (socket as tls.TLSSocket & { servername?: string | false }).servername, alpn: socket.alpnProtocol ?? false }));
  srv.on('tlsClientError', (error: NodeJS.ErrnoException) => seen.clientErrors.push(error.code ?? error.message));
  const running = await listenServer(srv);
  return { ...running, seen };
}

type Answer = { status?: number; body?: string; authorized?: boolean; authorizationError?: string; code?: string; message?: string };

function get(url: string, options: https.RequestOptions = {}): Promise<Answer> {
  return withDeadline(new Promise<Answer>((resolve) => {
    const req = https.get(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), authorized: (res.socket as tls.TLSSocket).authorized, authorizationError: String((res.socket as tls.TLSSocket).authorizationError ?? '') }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code, message: error.message }));
  }), 3_000, `GET ${url}`);
}

describe('lesson 17: what Node checks and how a refusal looks', () => {
  it('with ca set to the test CA, the lesson certificate is accepted for 127.0.0.1 and for localhost', async () => {
    const srv = await server('localhost');
    try {
      expect(await get(`https://127.0.0.1:${srv.port}/`, { ca: CA })).toMatchObject({ status: 200, authorized: true });
      expect(await get(`https://localhost:${srv.port}/`, { ca: CA })).toMatchObject({ status: 200, authorized: true });
    } finally {
      await srv.close();
    }
  });

  it('each bad certificate is refused with its code, before any request: wrong host, other CA, self-signed, expired', async () => {
    const expected: Record<Exclude<Present, 'localhost'>, string> = {
      'wrong-host': 'ERR_TLS_CERT_ALTNAME_INVALID', 'other-ca': 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'self-signed': 'DEPTH_ZERO_SELF_SIGNED_CERT', expired: 'CERT_HAS_EXPIRED',
    };
    for (const [present, code] of Object.entries(expected)) {
      const srv = await server(present as Present);
      try {
        expect(await get(`https://127.0.0.1:${srv.port}/`, { ca: CA }), present).toMatchObject({ code });
        expect(srv.seen.requests, present).toEqual([]);
      } finally {
        await srv.close();
      }
    }
  });

  it('a refusing client destroys the socket mid-handshake without a TLS alert: the server sees ECONNRESET and never secureConnection', async () => {
    const srv = await server('self-signed');
    try {
      await get(`https://127.0.0.1:${srv.port}/`, { ca: CA });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(srv.seen.secure).toEqual([]);
      expect(srv.seen.clientErrors).toEqual(['ECONNRESET']);
    } finally {
      await srv.close();
    }
  });

  it('the client checks the certificate before its Finished: a refusing client sends nothing after the server flight (no Finished, no alert)', async () => {
    const flights: Record<string, string[]> = {};
    for (const present of ['self-signed', 'localhost'] as const) {
      const srv = await server(present);
      const log: string[] = (flights[present] = []);
      // A TCP relay that logs who sent how much, in order.
      const relay = await listenServer(net.createServer((client) => {
        const upstream = net.connect(srv.port, HOST);
        // A flight may arrive in several reads: consecutive server reads count once.
        client.on('data', (data: Buffer) => { log.push(`client ${data[0]}`); upstream.write(data); });
        upstream.on('data', (data: Buffer) => { if (log.at(-1) !== 'server') log.push('server'); client.write(data); });
        for (const [a, b] of [[client, upstream], [upstream, client]]) {
          a.on('error', () => {});
          a.on('close', () => b.destroy());
        }
      }));
      try {
        await get(`https://127.0.0.1:${relay.port}/`, { ca: CA });
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await relay.close();
        await srv.close();
      }
    }
    // 22 = a handshake record (ClientHello); 20 = ChangeCipherSpec, sent with the client's Finished.
    expect(flights['self-signed']).toEqual(['client 22', 'server']);
    expect(flights.localhost.slice(0, 3)).toEqual(['client 22', 'server', 'client 20']);
  });

  it('https.get negotiates TLS 1.3, offers no ALPN, and sends SNI for localhost but not for 127.0.0.1', async () => {
    // The server offers h2 and http/1.1: a client offering either would get one.
    const srv = await server('localhost', undefined, { ALPNProtocols: ['h2', 'http/1.1'] });
    try {
      await get(`https://127.0.0.1:${srv.port}/`, { ca: CA });
      await get(`https://localhost:${srv.port}/`, { ca: CA });
      expect(srv.seen.secure).toEqual([{ protocol: 'TLSv1.3', sni: false, alpn: false }, { protocol: 'TLSv1.3', sni: 'localhost', alpn: false }]);
    } finally {
      await srv.close();
    }
  });

  it("the decrypted request is lesson 10's bytes: GET, Host, Connection: keep-alive", async () => {
    let head = '';
    const srv = await listenServer(tls.createServer(PAIRS.localhost, (socket) => {
      socket.on('data', (data: Buffer) => {
        head += data.toString('latin1');
        if (head.includes('\r\n\r\n')) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
      });
    }));
    try {
      await get(`https://127.0.0.1:${srv.port}/items`, { ca: CA, agent: undefined });
      expect(head).toBe(`GET /items HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: keep-alive\r\n\r\n`);
    } finally {
      await srv.close();
    }
  });

  it('without ca, or with ca given the file path, the lesson server is refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE, no error about the path', async () => {
    const srv = await server('localhost');
    try {
      expect(await get(`https://127.0.0.1:${srv.port}/`)).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' });
      expect(await get(`https://127.0.0.1:${srv.port}/`, { ca: CA_FILE })).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      expect(srv.seen.requests).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it('rejectUnauthorized: false accepts a self-signed server, with res.socket.authorized false', async () => {
    const srv = await server('self-signed');
    try {
      expect(await get(`https://127.0.0.1:${srv.port}/`, { rejectUnauthorized: false })).toMatchObject({ status: 200, authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(srv.seen.requests).toEqual(['GET /']);
    } finally {
      await srv.close();
    }
  });

  it('a checkServerIdentity returning undefined lets the wrong-host certificate through (authorized true) but still refuses other-ca, self-signed and expired', async () => {
    const checkServerIdentity = () => undefined;
    const wrong = await server('wrong-host');
    try {
      expect(await get(`https://127.0.0.1:${wrong.port}/`, { ca: CA, checkServerIdentity })).toMatchObject({ status: 200, authorized: true });
    } finally {
      await wrong.close();
    }
    for (const present of ['other-ca', 'self-signed', 'expired'] as const) {
      const srv = await server(present);
      try {
        expect((await get(`https://127.0.0.1:${srv.port}/`, { ca: CA, checkServerIdentity })).code, present).toBeDefined();
        expect(srv.seen.requests, present).toEqual([]);
      } finally {
        await srv.close();
      }
    }
  });

  it('https.get follows no redirect: a 302 is returned as the response', async () => {
    const srv = await server('localhost', (_req, res) => {
      res.writeHead(302, { Location: '/items' });
      res.end('Found');
    });
    try {
      expect(await get(`https://127.0.0.1:${srv.port}/moved`, { ca: CA })).toMatchObject({ status: 302, body: 'Found' });
      expect(srv.seen.requests).toEqual(['GET /moved']);
    } finally {
      await srv.close();
    }
  });

  it('a body written in pieces reaches the client as separate data events, a character cut between two of them', async () => {
    const bytes = Buffer.from('Köln');
    const srv = await server('localhost', (_req, res) => {
      res.write(bytes.subarray(0, 2));
      setTimeout(() => res.end(bytes.subarray(2)), 50);
    });
    try {
      const chunks = await withDeadline(new Promise<Buffer[]>((resolve, reject) => {
        https.get(`https://127.0.0.1:${srv.port}/`, { ca: CA, agent: false }, (res) => {
          const got: Buffer[] = [];
          res.on('data', (chunk: Buffer) => got.push(chunk));
          res.on('end', () => resolve(got));
        }).on('error', reject);
      }), 3_000, 'pieces');
      expect(chunks.length).toBeGreaterThanOrEqual(2);
      expect(chunks[0].toString('utf8')).toBe('K\uFFFD');
      expect(Buffer.concat(chunks).toString('utf8')).toBe('Köln');
    } finally {
      await srv.close();
    }
  });
});

describe('lesson 17: node:http, fetch and environment variables', () => {
  it('http.get on an https: URL throws ERR_INVALID_PROTOCOL synchronously', () => {
    expect(() => http.get('https://127.0.0.1:1/')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_PROTOCOL', message: 'Protocol "https:" not supported. Expected "http:"' }));
  });

  it('plain HTTP sent to a TLS port: the server fails the handshake with ERR_SSL_HTTP_REQUEST and the client gets socket hang up', async () => {
    const srv = await server('localhost');
    try {
      const answer = await withDeadline(new Promise<{ code?: string; message: string }>((resolve) => {
        http.get(`http://127.0.0.1:${srv.port}/`, { agent: false }, () => resolve({ message: 'answered' })).on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code, message: error.message }));
      }), 3_000, 'plain http');
      expect(answer).toEqual({ code: 'ECONNRESET', message: 'socket hang up' });
      expect(srv.seen.clientErrors).toEqual(['ERR_SSL_HTTP_REQUEST']);
    } finally {
      await srv.close();
    }
  });

  it("fetch refuses the lesson's server even given a ca option, and its error is fetch failed with the certificate code as cause", async () => {
    const srv = await server('localhost');
    try {
      const error = await fetch(`https://127.0.0.1:${srv.port}/`, { ca: CA } as RequestInit).then(() => null, (err: Error & { cause?: { code?: string } }) => err);
      expect(error?.message).toBe('fetch failed');
      expect(error?.cause?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect(srv.seen.requests).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  // Child processes: the environment is the process's own, so each runs alone.
  const client = (before: string) => `
    import https from 'node:https';
    ${before}
    https.get(process.argv[2], { agent: false }, (res) => { res.resume(); res.on('end', () => console.log('STATUS ' + res.statusCode)); })
      .on('error', (err) => { console.log('ERROR ' + err.code); process.exitCode = 1; });
  `;
  const cleanEnv = () => {
    const env = { ...process.env };
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    delete env.NODE_EXTRA_CA_CERTS;
    return env;
  };

  it("NODE_TLS_REJECT_UNAUTHORIZED='0' set in process.env at run time disables verification, and Node prints a warning on stderr", async () => {
    const srv = await server('self-signed');
    try {
      const result = await runChild(client("process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';"), { args: [`https://127.0.0.1:${srv.port}/`], env: cleanEnv(), deadlineMs: 10_000 });
      expect(result.stdout).toContain('STATUS 200');
      expect(result.stderr).toContain("Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections and HTTPS requests insecure");
    } finally {
      await srv.close();
    }
  });

  it('NODE_EXTRA_CA_CERTS set from inside the program is ignored; set before start-up it is read', async () => {
    const srv = await server('localhost');
    try {
      const late = await runChild(client(`process.env.NODE_EXTRA_CA_CERTS = ${JSON.stringify(CA_FILE)};`), { args: [`https://127.0.0.1:${srv.port}/`], env: cleanEnv(), deadlineMs: 10_000 });
      expect(late.stdout).toContain('ERROR UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      const early = await runChild(client(''), { args: [`https://127.0.0.1:${srv.port}/`], env: { ...cleanEnv(), NODE_EXTRA_CA_CERTS: CA_FILE }, deadlineMs: 10_000 });
      expect(early.stdout).toContain('STATUS 200');
    } finally {
      await srv.close();
    }
  });

  it("the global agent's idle keep-alive socket does not keep a client that read its response alive", async () => {
    const srv = await server('localhost');
    try {
      const started = performance.now();
      const result = await runChild(`
        import https from 'node:https'; import fs from 'node:fs';
        https.get(process.argv[2], { ca: fs.readFileSync(process.argv[3], 'utf8') }, (res) => {
          console.log('KEEPALIVE ' + https.globalAgent.keepAlive); res.resume(); res.on('end', () => console.log('END'));
        });
      `, { args: [`https://127.0.0.1:${srv.port}/`, CA_FILE], env: cleanEnv(), deadlineMs: 10_000 });
      expect(result.stdout).toContain('KEEPALIVE true');
      expect(result.stdout).toContain('END');
      expect(result.timedOut).toBe(false);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await srv.close();
    }
  });

  it("undici's Agent cannot be imported from Node 20 itself (no undici package, no node:undici)", async () => {
    const result = await runChild(`
      for (const name of ['undici', 'node:undici']) {
        await import(name).then(() => console.log(name + ' LOADED'), (err) => console.log(name + ' ' + err.code));
      }
    `, { env: cleanEnv(), deadlineMs: 10_000 });
    expect(result.stdout).toBe('undici ERR_MODULE_NOT_FOUND\nnode:undici ERR_UNKNOWN_BUILTIN_MODULE\n');
  });

  it('a refused connection to an https URL emits error ECONNREFUSED on the request', async () => {
    const probe = await listenServer(net.createServer());
    const port = probe.port;
    await probe.close();
    expect(await get(`https://127.0.0.1:${port}/`, { ca: CA })).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
