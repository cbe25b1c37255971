// ctx.tls.servers: HTTPS test servers for client lessons (lesson 17). Each one
// is the client harness's test server (client-harness/server.ts: the handler
// decides the answer, received requests, connections and in-flight counted), so
// ctx.client.run, failCommon, expectSuccessOutput and expectErrorLine judge a
// run against it unchanged; it speaks TLS and presents the certificate the check
// chooses: the lesson's `localhost` leaf, or one a client must refuse.
//
// What a refusal looks like from our side (observed on Node 20.20, see
// test/facts/lesson-17.test.ts): Node's client checks the certificate itself
// once OpenSSL has it (https://nodejs.org/docs/latest-v20.x/api/tls.html#tlsconnectoptions-callback,
// `rejectUnauthorized`) and destroys the socket without sending a TLS alert:
// our server sees the handshake fail with ECONNRESET, never 'secureConnection',
// and no request. A client that speaks plain HTTP to us fails the handshake
// with ERR_SSL_HTTP_REQUEST.

import type https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { CheckContext } from '../../check-api.js';
import type { ClientResult } from '../../client-harness/run.js';
import { escapeBytes, testServer, type Handler, type TestServer } from '../../client-harness/server.js';
import { startUpstream } from '../../upstreams/test-upstream.js';
import type { CertPair, Certs } from './certs.js';
import { tlsFindings, type TlsFindings } from './findings.js';

export type { TlsFinding, TlsFindings } from './findings.js';

/** The certificate a test server presents (CURRICULUM.md 17-https-client). */
export type Presented = 'localhost' | 'wrong-host' | 'other-ca' | 'self-signed' | 'expired';

/** A handshake that did not complete, as our server saw it. */
export interface FailedHandshake {
  code: string;
  message: string;
  /** The TLS alert the client sent (e.g. "unknown ca"), when OpenSSL reported one; Node's own certificate checks send none. */
  alert: string | null;
  /** The client spoke plain HTTP to our TLS port (ERR_SSL_HTTP_REQUEST). */
  plaintext: boolean;
}

export interface TlsTestServer extends TestServer {
  presented: Presented;
  /** What we present, in words, for messages ("a certificate from the test CA for wrong.example only"). */
  certificate: string;
  /** https://127.0.0.1:<port> (`origin` says the same). */
  origin: string;
  /** https://localhost:<port>: the name the lesson's certificate was issued for. */
  localhostOrigin: string;
  /** TLS handshakes completed ('secureConnection'). */
  handshakes: number;
  /** Handshakes that failed ('tlsClientError'), in order. */
  failedHandshakes: FailedHandshake[];
  /** The SNI names clients sent (none for an IP address URL: RFC 6066 section 3 forbids IP literals). */
  serverNames: string[];
}

export interface TlsServers {
  /** An HTTPS test server on 127.0.0.1 presenting `present`; `handler` answers as in ctx.client.server. Closed when the check ends. */
  server(present: Presented, handler: Handler): Promise<TlsTestServer>;
  /** The words for a certificate, as messages use them. */
  describe(present: Presented): string;
  /** What a run against `server` shows about its TLS (fetch, node:http, the CA not trusted, verification bypassed), as data for the check to judge (findings.ts). */
  findings(result: ClientResult, server: TlsTestServer): TlsFindings;
}

const DESCRIPTIONS: Record<Presented, string> = {
  localhost: "the lesson's localhost certificate, issued by the test CA",
  'wrong-host': 'a certificate from the test CA for wrong.example only (not localhost, not 127.0.0.1)',
  'other-ca': 'a localhost certificate issued by another CA',
  'self-signed': 'a self-signed localhost certificate',
  expired: 'an expired localhost certificate from the test CA (valid 2020-2021)',
};

export function pairFor(certs: Certs, present: Presented): CertPair {
  const { bad } = certs;
  const pairs: Record<Presented, CertPair> = { localhost: certs.localhost, 'wrong-host': bad.wrongHost, 'other-ca': bad.otherCa, 'self-signed': bad.selfSigned, expired: bad.expired };
  return pairs[present];
}

/** The alert name in an OpenSSL error ("...:tlsv1 alert unknown ca:..." or code ERR_SSL_TLSV1_ALERT_UNKNOWN_CA), else null. */
export function alertOf(error: { code?: string; message?: string }): string | null {
  const fromCode = /^ERR_SSL_(?:TLSV1|SSLV3)_ALERT_(\w+)$/.exec(error.code ?? '');
  if (fromCode) return fromCode[1].toLowerCase().replace(/_/g, ' ');
  const fromMessage = /(?:tlsv1|sslv3|tlsv13) alert ([a-z ]+?)(?::|$)/i.exec(error.message ?? '');
  return fromMessage ? fromMessage[1] : null;
}

/** One line of transcript for a handshake that failed. */
export function describeFailedHandshake(failed: FailedHandshake, certificate: string): string {
  if (failed.plaintext) return `your client sent plain HTTP to our TLS port (${failed.code}): no handshake, no request`;
  const how = failed.alert ? `with the TLS alert "${failed.alert}"` : `without a TLS alert (Node checks the certificate itself and destroys the socket)`;
  return `your client aborted the TLS handshake after we presented ${certificate}, ${how}: ${failed.code}${failed.message ? ` ${failed.message.split('\n')[0].slice(0, 120)}` : ''}; no request`;
}

export function tlsServers(ctx: CheckContext, certs: Certs): TlsServers {
  return {
    describe: (present) => DESCRIPTIONS[present],
    findings: (result, server) => tlsFindings(ctx, result, server),
    async server(present, handler) {
      const certificate = DESCRIPTIONS[present];
      const pair = pairFor(certs, present);
      const tls: Pick<TlsTestServer, 'handshakes' | 'failedHandshakes' | 'serverNames'> = { handshakes: 0, failedHandshakes: [], serverNames: [] };
      const onServer = (server: https.Server) => watchHandshakes(ctx, server, tls, certificate);
      // The harness's testServer starts its server with ctx.upstream: this view of
      // the context starts ours, with TLS, instead. Everything else is the context.
      const tlsCtx = Object.create(ctx, {
        upstream: {
          value: async (upstreamHandler: Parameters<CheckContext['upstream']>[0]) => {
            const upstream = await startUpstream(upstreamHandler, { tls: { key: pair.key, cert: pair.cert, onServer } });
            if (ctx.signal.aborted) void upstream.close();
            else ctx.signal.addEventListener('abort', () => void upstream.close(), { once: true });
            return upstream;
          },
        },
      }) as CheckContext;
      const base = await testServer(tlsCtx, noted(ctx, handler));
      const server = Object.assign(base, { presented: present, certificate, localhostOrigin: `https://localhost:${base.upstream.port}`, failedHandshakes: tls.failedHandshakes, serverNames: tls.serverNames }) as TlsTestServer;
      // The count goes on growing in `tls` (the server's listeners were attached before this object existed).
      Object.defineProperty(server, 'handshakes', { get: () => tls.handshakes, enumerable: true });
      ctx.note(`our HTTPS test server at ${server.origin} presents ${certificate}`);
      return server;
    },
  };
}

function watchHandshakes(ctx: CheckContext, server: https.Server, tls: Pick<TlsTestServer, 'handshakes' | 'failedHandshakes' | 'serverNames'>, certificate: string): void {
  server.on('secureConnection', (socket: TLSSocket) => {
    tls.handshakes++;
    const name = (socket as TLSSocket & { servername?: string | false }).servername;
    if (name) tls.serverNames.push(name);
    ctx.note(`TLS handshake completed: ${socket.getProtocol() ?? 'TLS'}, ${socket.getCipher()?.name ?? 'cipher unknown'}, ALPN ${socket.alpnProtocol || 'none'}, SNI ${name ? JSON.stringify(name) : 'none'}; we presented ${certificate}`);
  });
  server.on('tlsClientError', (error: Error & { code?: string }) => {
    const failed: FailedHandshake = { code: error.code ?? error.name, message: error.message, alert: alertOf(error), plaintext: error.code === 'ERR_SSL_HTTP_REQUEST' };
    tls.failedHandshakes.push(failed);
    ctx.note(describeFailedHandshake(failed, certificate));
  });
}

/** The handler, with the decrypted request head and response head in the transcript. */
function noted(ctx: CheckContext, handler: Handler): Handler {
  return (req, res, record, srv) => {
    const head = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length && i < 40; i += 2) head.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    ctx.note(`→ (decrypted) ${escapeBytes(Buffer.from(`${head.join('\r\n')}\r\n\r\n`))}`);
    // The head as sent, before the body pieces sendPieces notes: writeHead(status,
    // headers) keeps its headers out of getHeader(), only in the serialised head
    // (`_header`, the bytes TLS then encrypts). An implicit head is noted at 'finish'.
    let headNoted = false;
    const noteHead = () => {
      const sentHead = (res as unknown as { _header?: string | null })._header;
      if (headNoted || !sentHead) return;
      headNoted = true;
      ctx.note(`← (decrypted) ${escapeBytes(Buffer.from(sentHead))}`);
    };
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      const out = writeHead(...args);
      noteHead();
      return out;
    }) as typeof res.writeHead;
    res.on('finish', noteHead);
    return handler(req, res, record, srv);
  };
}
