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
// https is never loaded here: the class is found from the listening server.
// https://nodejs.org/docs/latest-v20.x/api/https.html#class-httpsserver

import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

export function recordHttpsRequests(): void {
  const originalListen = net.Server.prototype.listen;
  let done = false;
  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    if (!done && this instanceof tls.Server && !(this instanceof http.Server)) {
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
    if (Object.getPrototypeOf(proto) !== tls.Server.prototype) continue;
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
