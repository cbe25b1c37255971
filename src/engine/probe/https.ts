// HTTPS servers (lesson 16): an https.Server is a tls.Server, not an http.Server
// (node20-facts.md "TLS and HTTP/2"), so its 'request' events never pass
// requests.ts's patch of http.Server#emit, and a check saw no record of an HTTPS
// request (no missing-res-end, no line). Its requests are the same
// IncomingMessage/ServerResponse as http's (response-calls.ts already sees their
// calls); only the 'request' and 'clientError' events need recording. So at the
// first listen() of an https.Server, its prototype's emit hands those two events to
// http.Server#emit as requests.ts patched it (which records, then runs the
// handler through EventEmitter#emit, what https.Server inherits too).
//
// Not tls.Server.prototype: Http2SecureServer inherits from it, and http2.ts wraps
// that class's own emit (its allowHTTP1 requests would be recorded twice).
// https is never loaded here: the class is found from the listening server; nor
// is tls until a server that can be one listens (a plain HTTP program never pays
// the 2-5 ms node:tls costs to load).
// https://nodejs.org/docs/latest-v20.x/api/https.html#class-httpsserver

import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import type * as Tls from 'node:tls';

let tlsModule: typeof Tls | null = null;

/** node:tls, loaded at first need (the learner's program has loaded it by then). */
function tls(): typeof Tls {
  tlsModule ??= createRequire(import.meta.url)('node:tls') as typeof Tls;
  return tlsModule;
}

/**
 * Whether `server` is a tls.Server (https.Server, Http2SecureServer). Only a
 * tls.Server has setSecureContext()
 * (https://nodejs.org/docs/latest-v20.x/api/tls.html#serversetsecurecontextoptions),
 * so any other server is answered without loading node:tls.
 */
export function isTlsServer(server: object): boolean {
  if (typeof (server as { setSecureContext?: unknown }).setSecureContext !== 'function') return false;
  return server instanceof tls().Server;
}

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

export function recordHttpsRequests(): void {
  const originalListen = net.Server.prototype.listen;
  let done = false;
  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    if (!done && isTlsServer(this)) {
      const proto = httpsServerPrototype(this);
      if (proto) {
        done = true;
        patchEmit(proto);
      }
    }
    return originalListen.apply(this, args as never);
  } as typeof net.Server.prototype.listen;
}

/** https.Server.prototype: the class directly above tls.Server named Server whose instances have http's request handling. */
function httpsServerPrototype(server: object): { emit: Emit } | null {
  for (let proto = Object.getPrototypeOf(server) as object | null, depth = 0; proto && depth < 8; proto = Object.getPrototypeOf(proto) as object | null, depth++) {
    if (Object.getPrototypeOf(proto) !== tls().Server.prototype) continue;
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: string } | undefined;
    // https.Server borrows http.Server's setTimeout (lib/https.js); Http2SecureServer does not.
    const borrowsHttp = (proto as { setTimeout?: unknown }).setTimeout === http.Server.prototype.setTimeout;
    return ctor?.name === 'Server' && borrowsHttp ? (proto as { emit: Emit }) : null;
  }
  return null;
}

function patchEmit(proto: { emit: Emit }): void {
  const originalEmit = proto.emit;
  const recorded = http.Server.prototype.emit as Emit;
  const wrapper = function emit(this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'request' || event === 'clientError') return recorded.call(this, event, ...args);
    return originalEmit.call(this, event, ...args);
  } as Emit;
  for (const property of ['name', 'length']) {
    const descriptor = Object.getOwnPropertyDescriptor(originalEmit, property);
    if (descriptor) Object.defineProperty(wrapper, property, descriptor);
  }
  proto.emit = wrapper;
}
