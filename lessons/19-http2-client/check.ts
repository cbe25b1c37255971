// Lesson 19: `client.js <origin> <ca-file> <path>...` opens one HTTP/2 session
// with http2.connect(origin, { ca }), sends every request at once on it and
// prints `<status> <body>` per path in argument order; exit 0 when every status
// is 2xx, else 1; a refused connection, a certificate to refuse, a refused
// stream or a dropped connection: a line starting with `Error:` on stderr, exit
// 1, no stack trace. Always: exit within 2 s of the last response.
//
// Each check starts its own HTTP/2 test server (ctx.tls.h2Servers: TLS with the
// test CA's localhost certificate, HTTP/1.1 answered 505 and counted, seeded
// 20-200 ms delays, answers held until all requests arrived or 500 ms), runs the
// program against it (ctx.client.run) and judges what our server saw (TLS
// connections, streams in flight, GOAWAY) and what the program printed
// (ctx.tls.h2Servers.expect). The probe does not see http2 clients: the
// learner's lines come from the source and from a crash's stack.
//
// The generic ids mean, here: `wrong-body` stdout or stderr is not what was
// asked; `wrong-status` the exit code is not; `crash` an uncaught error that is
// not a connection's; `timeout` still running for a reason no pitfall explains.
// Floor: the hold (500 ms when fewer requests than expected arrive) and the
// greeting's two 40 ms pauses; a correct program waits at most ~250 ms per check.
import type { LessonChecks } from 'httpdojo/check';

export default {
  checks: [
    {
      id: 'uses-node-http2',
      title: 'the program GETs one path over HTTP/2 (node:http2, the test CA trusted) and prints "200 item 7", exit code 0',
      timeoutMs: 15_000,
      async run(ctx) {
        const paths = ['/items/7'];
        const server = await ctx.tls.h2Servers.start({ expect: paths.length, seed: 7 });
        const result = await ctx.client.run(server, [server.origin, ctx.tls.certs.caFile, ...paths], undefined, { exchanges: paths.length });
        const sent = `We ran your program with ${server.origin} (our HTTP/2 server, certificate for localhost from the test CA in ${ctx.tls.certs.caFile}) and /items/7, answered 200 "item 7"`;
        ctx.tls.h2Servers.expect(result, server, sent, paths, { lines: ['200 item 7'], code: 0 });
      },
    },
    {
      id: 'all-at-once',
      title: 'five paths go as five streams at once on one TLS connection, answered out of order, printed in argument order, exit code 0',
      needs: ['uses-node-http2'],
      timeoutMs: 15_000,
      async run(ctx) {
        const paths = ['/items/3', '/items/1', '/items/4', '/items/2', '/items/5'];
        const server = await ctx.tls.h2Servers.start({ expect: paths.length, seed: 5 });
        const result = await ctx.client.run(server, [server.origin, ctx.tls.certs.caFile, ...paths], undefined, { exchanges: paths.length });
        const order = server.streams.filter((stream) => stream.endAtMs !== null).sort((a, b) => (a.endAtMs ?? 0) - (b.endAtMs ?? 0)).map((stream) => stream.path);
        const sent = `We gave your program ${paths.length} paths (${paths.join(' ')}); our HTTP/2 server held its answers until all had arrived (or 500 ms), then answered 200 "item <n>" after 20-200 ms each, finishing in the order ${order.join(' ') || '(none)'}; it saw ${server.connections} TLS connection(s) and at most ${server.maxInFlight} stream(s) at once`;
        ctx.tls.h2Servers.expect(result, server, sent, paths, { lines: paths.map((path) => `200 item ${path.slice('/items/'.length)}`), code: 0 });
      },
    },
    {
      id: 'greeting-in-pieces',
      title: 'a body whose DATA frames cut ë and 😀 in two is printed whole ("200 Zoë 😀"), exit code 0',
      needs: ['uses-node-http2'],
      timeoutMs: 15_000,
      async run(ctx) {
        const paths = ['/greeting', '/items/8'];
        const server = await ctx.tls.h2Servers.start({ expect: paths.length, seed: 8 });
        const result = await ctx.client.run(server, [server.origin, ctx.tls.certs.caFile, ...paths], undefined, { exchanges: paths.length });
        const sent = 'We answered /greeting with 200 and "Zoë 😀" in three DATA frames, cut inside ë and inside 😀 with 40 ms pauses, and /items/8 with 200 "item 8"';
        ctx.tls.h2Servers.expect(result, server, sent, paths, { lines: ['200 Zoë 😀', '200 item 8'], code: 0 });
      },
    },
    {
      id: 'not-found',
      title: 'a 404 among 200s is printed as "404 no such item" in its place, and the program exits with code 1',
      needs: ['uses-node-http2'],
      timeoutMs: 15_000,
      async run(ctx) {
        const paths = ['/items/1', '/nothing/here', '/items/2'];
        const server = await ctx.tls.h2Servers.start({ expect: paths.length, seed: 404 });
        const result = await ctx.client.run(server, [server.origin, ctx.tls.certs.caFile, ...paths], undefined, { exchanges: paths.length });
        const sent = 'We answered /items/1 and /items/2 with 200 "item <n>", and /nothing/here with 404 "no such item"';
        ctx.tls.h2Servers.expect(result, server, sent, paths, { lines: ['200 item 1', '404 no such item', '200 item 2'], code: 1 });
      },
    },
    {
      id: 'connection-refused',
      title: 'a refused connection prints a line starting with "Error:" on stderr and exits with code 1, without a stack trace',
      needs: ['uses-node-http2'],
      timeoutMs: 20_000,
      async run(ctx) {
        const origin = await ctx.tls.h2Servers.refusedOrigin();
        // An idle server of ours: the harness watches it; nothing ever reaches it.
        const server = await ctx.tls.h2Servers.start();
        const paths = ['/items/1', '/items/2'];
        const result = await ctx.client.run(server, [origin, ctx.tls.certs.caFile, ...paths]);
        ctx.tls.h2Servers.expect(result, server, `We gave your program ${origin}, a port where nothing listens (connection refused), and ${paths.join(' ')}`, paths, { error: 'refused' });
      },
    },
    {
      id: 'bad-certificates',
      title: 'a certificate for another name, and one from another CA, are refused: "Error:" on stderr, exit code 1, no stack trace',
      needs: ['uses-node-http2'],
      timeoutMs: 20_000,
      async run(ctx) {
        const paths = ['/items/1'];
        const runs = await Promise.all((['wrong-host', 'other-ca'] as const).map(async (cert) => {
          const server = await ctx.tls.h2Servers.start({ cert, expect: paths.length });
          return { cert, server, result: await ctx.client.run(server, [server.origin, ctx.tls.certs.caFile, ...paths], undefined, { exchanges: 1 }) };
        }));
        for (const { cert, server, result } of runs) {
          const what = cert === 'wrong-host' ? 'a certificate from the test CA for wrong.example only (not localhost)' : 'a certificate for localhost issued by another CA (not the test CA)';
          ctx.tls.h2Servers.expect(result, server, `Our HTTP/2 server at ${server.origin} presented ${what}`, paths, { error: 'certificate' });
        }
      },
    },
    {
      id: 'refused-stream',
      title: 'a stream refused with RST_STREAM REFUSED_STREAM prints "Error:" on stderr and exits with code 1, without a stack trace',
      needs: ['uses-node-http2'],
      timeoutMs: 15_000,
      async run(ctx) {
        const paths = ['/items/1', '/items/2', '/items/3'];
        const server = await ctx.tls.h2Servers.start({ expect: paths.length, refuse: ['/items/2'], seed: 3 });
        const result = await ctx.client.run(server, [server.origin, ctx.tls.certs.caFile, ...paths], undefined, { exchanges: paths.length });
        ctx.tls.h2Servers.expect(result, server, 'We answered /items/1 and /items/3 with 200 "item <n>" and refused the stream of /items/2 with RST_STREAM REFUSED_STREAM', paths, { error: 'refused-stream' });
      },
    },
    {
      id: 'dropped-connection',
      title: 'a TLS connection dropped after the headers and part of a body prints "Error:" on stderr and exits with code 1 (not the partial body)',
      needs: ['uses-node-http2'],
      timeoutMs: 15_000,
      async run(ctx) {
        const paths = ['/items/1', '/greeting', '/items/3'];
        const server = await ctx.tls.h2Servers.start({ expect: paths.length, drop: '/greeting', seed: 11 });
        const result = await ctx.client.run(server, [server.origin, ctx.tls.certs.caFile, ...paths], undefined, { exchanges: paths.length });
        const cut = server.streams.find((stream) => stream.path === '/greeting');
        const sent = `We answered /items/1 and /items/3 with 200 "item <n>", then sent /greeting's 200 headers and its first ${cut?.bytes ?? 0} body bytes of "Zoë 😀" and dropped the TLS connection`;
        ctx.tls.h2Servers.expect(result, server, sent, paths, { error: 'drop' });
      },
    },
  ],
} satisfies LessonChecks;
