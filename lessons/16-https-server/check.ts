// Lesson 16: an HTTPS server and a plain-HTTP server that redirects to it.
// - HTTPS (a tls.Server): every request gets 200 {"secure":true,"tlsVersion":V,"url":req.url},
//   V "TLSv1.3", or "TLSv1.2" when we cap our client; the handshake verifies against
//   the test CA for the name localhost (and for the IP 127.0.0.1);
// - HTTP: every request gets a redirect to the same target on the HTTPS server:
//   GET/HEAD 301 (308), POST 308 (307), PUT/DELETE/PATCH 301/307/308, Location
//   https://localhost:<P><target> (host 127.0.0.1, the bound port, no port for 443 accepted),
//   followed to the HTTPS server, whose `url` must equal the target; the origin is fixed:
//   Host evil.example, evil.example:8080, empty, HTTP/1.0 without Host, target //evil.example/x.
// mutant byte-length-to-length#1: every body this server sends is ASCII (req.url arrives percent-encoded, tlsVersion is ASCII), so characters and bytes are the same count
// The program gets the certs folder as argv[2]. ctx.http talks to the plain listener (the
// engine prefers the first http.Server); ctx.tls.https to the tls.Server.
import type { CheckContext, HttpResponse, LessonChecks } from 'httpdojo/check';

type Https = CheckContext['tls']['https'];
type HttpsListeners = Awaited<ReturnType<Https['listeners']>>;
type HttpsRequestOptions = NonNullable<Parameters<Https['request']>[0]>;
type HttpsOk = Extract<Awaited<ReturnType<Https['request']>>, { ok: true }>;

const TARGETS = ['/', '/docs/a%20b?x=1&y=%C3%A9', '/api/users', '/login?next=%2Fadmin'];
const HOSTILE_HOSTS = ['evil.example', 'evil.example:8080', ''];
const TLS_OPTIONS_WHY = 'That port speaks plaintext HTTP: http.createServer accepts an options object and ignores key and cert without a word, so Node\'s HTTP parser answered our ClientHello with "HTTP/1.1 400 Bad Request", which OpenSSL reads as a "wrong version number". Use https.createServer({ key, cert }, handler).';

export default {
  setup: (s) => ({ args: [s.certs.dir] }),
  // https.createServer throws synchronously when key or cert is a file name, not PEM text.
  crashes: { ERR_OSSL_PEM_NO_START_LINE: 'pem-path-not-contents', ERR_OSSL_UNSUPPORTED: 'pem-path-not-contents' },
  checks: [
    {
      id: 'two-servers',
      title: 'the program runs two servers: an HTTPS server (https.createServer, a tls.Server) and a plain HTTP server',
      async run(ctx) {
        const found = await ctx.tls.https.listeners(1000);
        const lines = found.all.map((l) => `port ${String(l.requested.port)} (${l.tls ? 'tls.Server' : 'plain http.Server'}${l.at ? `, line ${l.at.line}` : ''})`).join(' and ');
        if (found.tls && found.plain) return;
        if (!found.tls) {
          const createLine = ctx.source.find(/\bhttp\.createServer\s*\(\s*(?:\{[^)]*?\b(?:key|cert)\b|[A-Za-z_$][\w$]*\s*,)/s, /\bhttp\.createServer\s*\(\s*\{/);
          const other = found.all.find((l) => /443$/.test(String(l.requested.port))) ?? found.all.find((l) => l.port !== ctx.server.port);
          if (other || createLine) {
            const wire = other ? await ctx.tls.https.request({ port: other.port }) : null;
            const got = wire && !wire.ok ? `we opened a TLS connection to port ${String(other?.requested.port)} (bound ${other?.port}) and the handshake failed with ${wire.code}: "${wire.message}"` : 'no listener is a tls.Server';
            ctx.fail('tls-options-on-http-server', `Your program listens on ${lines}, but none is an HTTPS server: ${got}. ${TLS_OPTIONS_WHY}`, createLine ?? other?.at ?? ctx.server.lineOf('listen'));
          }
          ctx.fail('never-listens', `Only one server listens: ${lines}. The task needs two: an HTTPS server made with https.createServer({ key, cert }) and a plain HTTP server that redirects to it, each with its own listen().`, ctx.source.find(/\bhttps\.createServer\s*\(/) ?? ctx.server.lineOf('listen'));
        }
        if (found.all.length >= 2) ctx.fail('never-listens', `Your program listens on ${lines}: both are HTTPS servers. The redirect server must speak plain HTTP (http.createServer, no key or cert), or a browser typing http://localhost:8080 gets no answer it can read.`, ctx.source.find(/\bhttps\.createServer\s*\(/) ?? ctx.server.lineOf('listen'));
        ctx.fail('never-listens', `Only the HTTPS server listens (${lines}); the plain HTTP server that redirects to it never called listen(), so a client typing http://localhost:8080 gets "connection refused". Create it with http.createServer and listen on a second port.`, ctx.source.find(/\bhttp\.createServer\s*\(/) ?? ctx.server.lineOf('listen'));
      },
    },
    {
      id: 'https-get',
      title: 'GET / over TLS 1.3 (verified for localhost against the test CA) gets 200 {"secure":true,"tlsVersion":"TLSv1.3","url":"/"}',
      needs: ['two-servers'],
      async run(ctx) {
        const answer = await secureAnswer(ctx, { target: '/' }, 'TLSv1.3');
        // A body complete by its Content-Length reaches the client whole even when res.end() never came.
        const record = await ctx.server.settled('GET', '/', { timeoutMs: 500 });
        if (record && !record.ended) ctx.fail('missing-res-end', `We sent GET / over HTTPS; the body arrived whole (its Content-Length said so), but your server never called res.end(): the response is never finished, so the next request on this connection would wait forever.`, record.lastCallAt);
        if (answer.protocol !== 'TLSv1.3') ctx.fail('wrong-body', `We connected with TLS 1.2 and 1.3 allowed; the handshake chose ${answer.protocol}, but a Node 20 server negotiates TLS 1.3 unless told otherwise: remove any maxVersion or secureProtocol from the server's options.`, ctx.source.find(/\b(?:maxVersion|secureProtocol)\b/));
      },
    },
    {
      id: 'https-any-request',
      title: 'every HTTPS request (POST /api/users with a body, DELETE /login?next=%2Fadmin, GET /docs/a%20b?x=1&y=%C3%A9) gets 200 with url equal to the target as sent',
      needs: ['two-servers'],
      async run(ctx) {
        await secureAnswer(ctx, { method: 'POST', target: '/api/users', body: '{"name":"Zoë"}', headers: { 'Content-Type': 'application/json' } }, 'TLSv1.3');
        await secureAnswer(ctx, { method: 'DELETE', target: '/login?next=%2Fadmin' }, 'TLSv1.3');
        await secureAnswer(ctx, { target: '/docs/a%20b?x=1&y=%C3%A9' }, 'TLSv1.3');
      },
    },
    {
      id: 'https-tls12-and-ip',
      title: 'a client capped at TLS 1.2 gets tlsVersion "TLSv1.2"; the certificate also verifies for the IP 127.0.0.1, and ALPN http/1.1 is fine',
      needs: ['two-servers'],
      async run(ctx) {
        await secureAnswer(ctx, { target: '/api/users', maxVersion: 'TLSv1.2' }, 'TLSv1.2');
        await secureAnswer(ctx, { target: '/', verifyIp: true, alpn: ['http/1.1'] }, 'TLSv1.3');
      },
    },
    {
      id: 'redirect-get',
      title: 'plain-HTTP GET of /, /docs/a%20b?x=1&y=%C3%A9, /api/users, /login?next=%2Fadmin gets 301 (or 308) to https://localhost:<https port><same target>, and following it reaches that target',
      needs: ['two-servers'],
      async run(ctx) {
        const found = await ctx.tls.https.listeners(0);
        for (const target of TARGETS) {
          const res = await ctx.http.request('GET', target, { headers: { Host: `localhost:${String(found.plain?.requested.port)}` } });
          await judgeRedirect(ctx, res, found, [301, 308], target);
        }
      },
    },
    {
      id: 'redirect-head',
      title: 'plain-HTTP HEAD /api/users gets 301 (or 308) with the same Location',
      needs: ['two-servers'],
      async run(ctx) {
        const found = await ctx.tls.https.listeners(0);
        await judgeRedirect(ctx, await ctx.http.request('HEAD', '/api/users'), found, [301, 308], '/api/users');
      },
    },
    {
      id: 'redirect-post',
      title: 'plain-HTTP POST /api/users with a JSON body gets 308 (or 307), which keeps the method and body, and the POST followed reaches the HTTPS server',
      needs: ['two-servers'],
      async run(ctx) {
        const found = await ctx.tls.https.listeners(0);
        const body = '{"name":"Zoë"}';
        const res = await ctx.http.request('POST', '/api/users', { body, headers: { 'Content-Type': 'application/json' } });
        await judgeRedirect(ctx, res, found, [307, 308], '/api/users', body);
      },
    },
    {
      id: 'redirect-other-methods',
      title: 'plain-HTTP PUT /api/users, DELETE /login?next=%2Fadmin and PATCH /api/users get 301, 307 or 308 to the same target',
      needs: ['two-servers'],
      async run(ctx) {
        const found = await ctx.tls.https.listeners(0);
        for (const [method, target] of [['PUT', '/api/users'], ['DELETE', '/login?next=%2Fadmin'], ['PATCH', '/api/users']]) {
          const res = await ctx.http.request(method, target, { body: '{}' });
          await judgeRedirect(ctx, res, found, [301, 307, 308], target);
        }
      },
    },
    {
      id: 'redirect-fixed-origin',
      title: 'the redirect\'s origin is fixed in the program: Host evil.example, evil.example:8080, an empty Host and HTTP/1.0 without Host all get a Location on https://localhost:<https port>',
      needs: ['two-servers'],
      async run(ctx) {
        const found = await ctx.tls.https.listeners(0);
        for (const host of HOSTILE_HOSTS) {
          const res = await ctx.http.request('GET', '/login?next=%2Fadmin', { headers: { Host: host } });
          await judgeRedirect(ctx, res, found, [301, 308], '/login?next=%2Fadmin', undefined, host === '' ? 'with an empty Host header' : `with Host: ${host}`);
        }
        // HTTP/1.0 has no Host header at all (RFC 9112 §3.2 makes it mandatory only in 1.1).
        const connection = await ctx.http.connect();
        connection.methods.push('GET');
        await connection.write('GET /api/users HTTP/1.0\r\n\r\n');
        const parsed = await connection.readResponse({ timeoutMs: 2000, signal: ctx.signal });
        connection.destroy();
        const location = parsed.headers.location;
        const redirect = ctx.tls.https.redirectTarget(location, found);
        if (![301, 308].includes(parsed.status) || !redirect.ok) {
          ctx.fail(location && !redirect.ok ? 'open-redirect' : 'wrong-status', `We sent "GET /api/users HTTP/1.0" with no Host header at all (legal in HTTP/1.0); we got status ${parsed.status}${location ? ` and Location ${JSON.stringify(location)}` : ' and no Location'}: ${redirect.ok ? 'a redirect must be 301 or 308' : redirect.why}. An origin taken from req.headers.host is "undefined" here; fix the origin in the program.`, ctx.server.callLine(ctx.server.request({ method: 'GET', url: '/api/users' }), { header: 'location' }) ?? ctx.source.find(/headers\.host\b/) ?? ctx.server.lineOf('request-handler'));
        }
      },
    },
    {
      id: 'redirect-double-slash',
      title: 'plain-HTTP GET //evil.example/x gets a Location still on https://localhost:<https port> (not https://evil.example/x), and the server keeps serving',
      needs: ['two-servers'],
      async run(ctx) {
        const found = await ctx.tls.https.listeners(0);
        await judgeRedirect(ctx, await ctx.http.request('GET', '//evil.example/x'), found, [301, 308], null);
        await judgeRedirect(ctx, await ctx.http.request('GET', '/api/users'), found, [301, 308], '/api/users', undefined, 'after //evil.example/x');
      },
    },
  ],
} satisfies LessonChecks;

/** An HTTPS request that must get 200 {"secure":true,"tlsVersion":version,"url":target}; each failure diagnosed. */
async function secureAnswer(ctx: CheckContext, options: HttpsRequestOptions, version: string): Promise<HttpsOk> {
  const method = options.method ?? 'GET';
  const target = options.target ?? '/';
  const how = `${method} ${target} over HTTPS${options.maxVersion ? ' (our client capped at TLS 1.2)' : ''}${options.verifyIp ? ' (verifying the IP 127.0.0.1, no SNI, ALPN http/1.1)' : ''}`;
  const result = await ctx.tls.https.request(options);
  const record = ctx.server.request({ method, url: target });
  if (!result.ok) {
    if (result.code === 'ERR_SSL_WRONG_VERSION_NUMBER') ctx.fail('tls-options-on-http-server', `We sent ${how}; the handshake failed: "${result.message}". ${TLS_OPTIONS_WHY}`, ctx.source.find(/\bhttp\.createServer\s*\(\s*\{/));
    if (result.code === 'TIMEOUT' && record && !record.ended) {
      ctx.fail('missing-res-end', `We sent ${how}; your HTTPS server received it and never called res.end(): ${result.message}. Node never ends a response for you, on HTTPS as on HTTP.`, record.lastCallAt ?? ctx.server.lineOf('request-handler'));
    }
    ctx.fail(result.code === 'TIMEOUT' ? 'timeout' : 'wrong-status', `We sent ${how}; ${result.stage === 'handshake' ? 'the TLS handshake failed' : 'no complete response came back'}: ${result.code}: ${result.message}.`, ctx.source.find(/\bhttps\.createServer\s*\(/));
  }
  // Read only to point at a line: the probe's record of an answered request trails its bytes by a few ms.
  const answered = result.status === 200 && ctx.json.equal(result.json, { secure: true, tlsVersion: version, url: target }) ? record : (await ctx.server.settled(method, target, { timeoutMs: 500 })) ?? record;
  const where = ctx.server.callLine(answered, { fn: ['end', 'write', 'writeHead'] }) ?? ctx.server.lineOf('request-handler');
  const got = `status ${result.status} and ${ctx.format.body(result.text)}`;
  if (result.status !== 200) ctx.fail('wrong-status', `We sent ${how}; we got ${got}: every HTTPS request gets 200.`, ctx.server.callLine(answered, { status: result.status }) ?? where);
  const expected = { secure: true, tlsVersion: version, url: target };
  const type = String(result.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) ctx.fail('wrong-content-type', `We sent ${how}; we got Content-Type ${JSON.stringify(type || '(none)')}: the JSON answer must say application/json.`, ctx.server.callLine(answered, { header: 'content-type' }) ?? where);
  if (!ctx.json.equal(result.json, expected)) {
    const why = ctx.json.isObject(result.json) && result.json.tlsVersion !== version ? ` (tlsVersion is what req.socket.getProtocol() returns for this connection: ${result.protocol})` : '';
    ctx.fail('wrong-body', `We sent ${how}; we got ${got}, expected ${JSON.stringify(expected)}${why}.`, (why && ctx.source.find(/\btlsVersion\b/)) || where);
  }
  return result;
}

/**
 * A plain-HTTP answer must be a redirect with one of `statuses` to the same target on the
 * HTTPS server (target null: only the origin is judged), followed with the same method.
 */
async function judgeRedirect(ctx: CheckContext, res: HttpResponse, found: HttpsListeners, statuses: number[], target: string | null, body?: string, aside = ''): Promise<void> {
  const { method } = res.request;
  const sent = `We sent ${method} ${res.request.target} to your plain HTTP server${aside ? ` ${aside}` : ''}`;
  const record = await ctx.server.recordOf(res);
  const location = res.headers.location;
  const got = `status ${res.status}${location ? ` with Location ${JSON.stringify(location)}` : ' with no Location header'}`;
  if (!statuses.includes(res.status)) {
    if (method === 'POST' && [301, 302, 303].includes(res.status)) {
      ctx.fail('redirect-changes-method', `${sent} with a ${res.request.bodyBytes}-byte body; we got ${got}. After a ${res.status}, fetch and curl -L send the request again as a GET without its body (RFC 9110 §15.4.2 allows it for 301 and 302, §15.4.4 requires it for 303); 307 and 308 forbid changing the method. Answer a POST with 308.`, ctx.server.callLine(record, { status: res.status, named: true }) ?? ctx.source.find(new RegExp(`\\b${res.status}\\b`)) ?? ctx.server.callLine(record, { status: res.status }));
    }
    ctx.fail('wrong-status', `${sent}; we got ${got}: the answer must be a redirect, ${statuses.join(' or ')}.`, ctx.server.callLine(record, { status: res.status }) ?? ctx.server.lineOf('request-handler'));
  }
  const redirect = ctx.tls.https.redirectTarget(location, found);
  const locationLine = ctx.server.callLine(record, { header: 'location' }) ?? ctx.server.lineOf('request-handler');
  if (!redirect.ok) {
    let url: URL | null = null;
    try {
      url = location ? new URL(location) : null;
    } catch { /* judged below */ }
    const plainPorts = [found.plain?.port, Number(found.plain?.requested.port)];
    const fromRequest = url && (!['localhost', '127.0.0.1'].includes(url.hostname) || plainPorts.includes(Number(url.port)));
    if (fromRequest) ctx.fail('open-redirect', `${sent}; we got ${got}: ${redirect.why}. The origin came from the request (its Host header, which the client chooses, or a target such as //evil.example/x read as a URL), so anyone can make your server send users elsewhere. Write the origin in the program: 'https://localhost:8443' + req.url.`, locationLine);
    ctx.fail('wrong-header', `${sent}; we got ${got}: ${redirect.why}. The Location must be https://localhost:<the HTTPS server's port> followed by req.url.`, locationLine);
  }
  if (target !== null && redirect.target !== target) {
    const dropped = redirect.target === '/' || target.startsWith(redirect.target) || target.split('?')[0] === redirect.target.split('?')[0];
    ctx.fail(dropped ? 'redirect-drops-target' : 'wrong-header', `${sent}; we got ${got}, which leads to ${redirect.target}, not ${target}: ${dropped ? 'the path or the query was lost, so a user who typed a deep link lands somewhere else. Append req.url as received (it holds the path and the query).' : 'the target must be req.url byte for byte.'}`, locationLine);
  }
  const { result } = await ctx.tls.https.follow(location, found, { method, ...(body !== undefined ? { body, headers: { 'Content-Type': 'application/json' } } : {}) });
  if (target !== null && result && (!result.ok || result.status !== 200 || (method !== 'HEAD' && (!ctx.json.isObject(result.json) || result.json.url !== target)))) {
    const what = !result.ok ? `${result.code}: ${result.message}` : `status ${result.status} and ${ctx.format.body(result.text)}`;
    ctx.fail('wrong-body', `${sent}; we got ${got} and followed it with ${method} over HTTPS: we got ${what}, where the HTTPS server must answer 200 with url ${JSON.stringify(target)}.`, ctx.server.lineOf('request-handler'));
  }
}
