// ctx.tls.servers.findings: what a client program's run against one of our
// HTTPS test servers says about its TLS, as data for the check to judge (the
// check names the pitfall; this says what happened, why Node does it, and the
// learner's line). Each finding is null when the run shows no sign of it.
//
// Node 20 facts behind each one (test/facts/lesson-17.test.ts):
// - fetch() takes no `ca`: undici's Agent is not importable from Node 20 itself,
//   and NODE_EXTRA_CA_CERTS is read at start-up only, so fetch refuses a server
//   whose CA is private ("fetch failed", cause UNABLE_TO_VERIFY_LEAF_SIGNATURE).
// - http.get on an https: URL throws ERR_INVALID_PROTOCOL synchronously
//   (https://nodejs.org/docs/latest-v20.x/api/errors.html#err_invalid_protocol);
//   plain HTTP sent to our TLS port fails the handshake with ERR_SSL_HTTP_REQUEST.
// - `ca` given a path is silently ignored (a string that is not PEM adds no CA).

import type { CheckContext, Location } from '../../check-api.js';
import { eventsOf, focusRun, outcome, requestLine, show, type ClientResult } from '../../client-harness/run.js';
import type { TlsTestServer } from './servers.js';

export interface TlsFinding {
  /** What happened and why, as the continuation of the check's "We ... ; " sentence. */
  text: string;
  at: Location | null;
}

export interface TlsFindings {
  /** The request went through fetch(), which cannot be given the CA. */
  fetch: TlsFinding | null;
  /** node:http on an https: URL: ERR_INVALID_PROTOCOL, or plain HTTP reached our TLS port. */
  plainHttp: TlsFinding | null;
  /** Our server presented the lesson's certificate and was refused as unknown: the test CA is not trusted. */
  untrusted: TlsFinding | null;
  /** Our server presented a certificate the client must refuse, and requests arrived anyway: how verification was bypassed. */
  accepted: TlsFinding | null;
}

const UNTRUSTED_CODES = /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/;

export function tlsFindings(ctx: CheckContext, result: ClientResult, server: TlsTestServer): TlsFindings {
  // A check that ran the program several times at once is located with the run it judges.
  focusRun(result);
  return { fetch: fetchFinding(ctx, result), plainHttp: plainHttpFinding(ctx, result, server), untrusted: untrustedFinding(ctx, result, server), accepted: acceptedFinding(ctx, result, server) };
}

function fetchFinding(ctx: CheckContext, result: ClientResult): TlsFinding | null {
  const fetched = eventsOf(result, 'fetch')[0];
  if (!fetched) return null;
  return {
    text: `your program made its request with fetch(), not node:https. In Node 20 fetch cannot be given a CA per request (no undici Agent to import; NODE_EXTRA_CA_CERTS is read at start-up only), so it refuses the lesson's server unless verification is switched off; ${outcome(result)}.`,
    at: fetched.at ?? ctx.source.find(/\bfetch\s*\(/),
  };
}

function plainHttpFinding(ctx: CheckContext, result: ClientResult, server: TlsTestServer): TlsFinding | null {
  const plaintext = server.failedHandshakes.some((failed) => failed.plaintext);
  const thrown = result.uncaught?.code === 'ERR_INVALID_PROTOCOL' || /ERR_INVALID_PROTOCOL|Protocol "https:" not supported/.test(result.stderr);
  if (!plaintext && !thrown) return null;
  const what = plaintext
    ? 'your program spoke plain HTTP to our TLS port (our server read "http request" where a TLS ClientHello belongs, and hung up)'
    : 'http.get/http.request threw ERR_INVALID_PROTOCOL (Protocol "https:" not supported. Expected "http:") before anything was sent';
  return {
    text: `${what}; ${outcome(result)}. node:http speaks plain HTTP only; an https: URL needs node:https (https.get / https.request), the same API with TLS underneath.`,
    at: result.uncaught?.at ?? ctx.source.find(/\bhttp\s*\.\s*(?:get|request)\s*\(/, /\b(?:get|request)\s*\(/),
  };
}

function untrustedFinding(ctx: CheckContext, result: ClientResult, server: TlsTestServer): TlsFinding | null {
  if (server.presented !== 'localhost' || server.upstream.received.length > 0) return null;
  const error = eventsOf(result, 'client-error').find((event) => UNTRUSTED_CODES.test(event.code ?? ''));
  if (!error && !/unable to verify the first certificate/i.test(result.stderr)) return null;
  const extra = ctx.source.find(/NODE_EXTRA_CA_CERTS/);
  const ca = ctx.source.find(/\bca\s*:/, /\bca\b/);
  const why = extra
    ? 'NODE_EXTRA_CA_CERTS set from inside the program changes nothing: Node reads it once, at start-up.'
    : ca
    ? 'The `ca` option must hold the PEM text (fs.readFileSync(caFile)), not the path: a string that is not PEM is silently ignored.'
    : 'Without a `ca` option Node trusts only its bundled public CAs, and the test CA is not one of them.';
  return {
    text: `your program refused the lesson's own server (${error ? `${error.code}: ${error.message}` : 'unable to verify the first certificate'}) and sent no request; ${outcome(result)}. ${why} Pass the CA file's contents as \`ca\`.`,
    at: extra ?? ca ?? requestLine(result),
  };
}

function acceptedFinding(ctx: CheckContext, result: ClientResult, server: TlsTestServer): TlsFinding | null {
  if (server.presented === 'localhost' || server.upstream.received.length === 0) return null;
  const [off, env, identity] = [/\brejectUnauthorized\s*:\s*(?:false|0|null)\b/, /NODE_TLS_REJECT_UNAUTHORIZED/, /\bcheckServerIdentity\b/].map((pattern) => ctx.source.find(pattern));
  const warned = /NODE_TLS_REJECT_UNAUTHORIZED/.test(result.stderr);
  const how = off
    ? 'rejectUnauthorized: false makes Node check the certificate and ignore the answer'
    : env || warned
    ? `NODE_TLS_REJECT_UNAUTHORIZED=0 switches verification off for every TLS connection of the process, also when set at run time${warned ? ' (Node printed its warning on stderr)' : ''}`
    : identity
    ? 'your checkServerIdentity accepts any name: the chain and the dates are still checked, but a valid certificate for another host passes (with res.socket.authorized === true)'
    : 'certificate verification was turned off or overridden';
  const sent = server.upstream.received.map((record) => `${record.method} ${record.url}`).join(', ');
  return {
    text: `your program completed the handshake and sent ${sent} anyway (stdout ${show(result.stdout)}). ${how}, so a server you did not mean can impersonate yours. Leave rejectUnauthorized, NODE_TLS_REJECT_UNAUTHORIZED and checkServerIdentity alone: trust the lesson's CA with \`ca\` instead.`,
    at: off ?? env ?? identity ?? ctx.source.find(/\brejectUnauthorized\b/, /process\.env\s*\[/) ?? requestLine(result),
  };
}
