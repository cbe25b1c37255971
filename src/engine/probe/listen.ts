// listen(): every TCP listen binds a free loopback port, and nothing else changes.
//
// Only the bind changes. Server#listen stays Node's own, called with the
// learner's arguments: its validation (ERR_SOCKET_BAD_PORT), the synchronous
// ERR_SERVER_ALREADY_LISTEN check on `this._handle`, the dns lookup of a host,
// the 'listening' callback and the tick it runs on are all Node's (an earlier
// probe rewrote the arguments to { port: 0, host: '127.0.0.1' }: a host meant a
// lookup, so `this._handle` was still unset at a second listen() and it passed).
// The bind itself happens one level down, in Server#_listen2 (setupListenHandle
// in lib/net.js), called by listenInCluster with the resolved address and
// port; lib/net.js keeps that name "to avoid breaking code that wraps this
// method". The wrapper of listen() below only records what was asked for and
// where; the wrapper of _listen2 binds 127.0.0.1:0 instead.
// https://nodejs.org/docs/latest-v20.x/api/net.html#serverlisten
//
// The state lives in this module: the probe is installed once per process.

import * as diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';
import util from 'node:util';
import { addressAsIf, bindingsOverlap, isLocal, type AsIf } from './bind-address.js';
import type { Location, Probe } from './context.js';
import { redirectConnects } from './own-port.js';
import { listenedNow } from './settle.js';
import { isTlsServer } from './https.js';
import { here } from './stack.js';

const LOOPBACK = '127.0.0.1';

type Listen2 = (this: net.Server, address: string | null, port: number, addressType: number, backlog: unknown, fd: unknown, flags: unknown) => void;

let probe: Probe;
let nextServerId = 1;
const listenCalls = new WeakMap<object, { requested: { port: unknown; host: unknown }; at: Location | null }>();
/** TCP servers of this program bound by the rebinding, with the address they would have had. */
const asIfBound = new WeakMap<object, AsIf>();
const listening = new Set<net.Server>();
let originalListen2: Listen2;
let originalAddress: typeof net.Server.prototype.address;

export function rebindListens(given: Probe): void {
  probe = given;
  const originalListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
    const previous = listenCalls.get(this);
    listenCalls.set(this, { requested: requestedBy(args), at: here() });
    try {
      return originalListen.apply(this, args as never);
    } catch (error) {
      // Node threw before binding anything (already listening, a bad port): what
      // listens now, if anything, is what the earlier call asked for.
      if (previous) listenCalls.set(this, previous);
      else listenCalls.delete(this);
      throw error;
    }
  } as typeof net.Server.prototype.listen;

  const serverProto = net.Server.prototype as unknown as { _listen2: Listen2 };
  originalListen2 = serverProto._listen2;
  serverProto._listen2 = patchedListen2;

  // address() gives the program the address and family its own bind would have
  // had (listen(port) binds '::' when IPv6 is available, lib/net.js
  // setupListenHandle), with the real port: only the port may differ.
  originalAddress = net.Server.prototype.address;
  net.Server.prototype.address = function patchedAddress(this: net.Server) {
    const real = originalAddress.call(this);
    const asIf = asIfBound.get(this);
    if (!asIf || !real || typeof real !== 'object') return real;
    // Node's own key order: getsockname fills address, family, port.
    return { address: asIf.address, family: asIf.family, port: real.port };
  } as typeof net.Server.prototype.address;

  redirectConnects({ listening, asIfBound, originalAddress });

  const originalClose = net.Server.prototype.close;
  net.Server.prototype.close = function patchedClose(this: net.Server, ...args: unknown[]) {
    const serverId = probe.serverIds.get(this);
    if (serverId !== undefined) probe.emit({ t: 'server-close', server: serverId, at: here() });
    return originalClose.apply(this, args as never);
  } as typeof net.Server.prototype.close;
}

/** What the learner asked for, in the report's shape; Node's normalizeArgs reads the same arguments. */
function requestedBy(args: unknown[]): { port: unknown; host: unknown } {
  const first = args[0];
  if (first !== null && typeof first === 'object') {
    const given = first as { port?: unknown; host?: unknown };
    return { port: given.port ?? 0, host: given.host };
  }
  return { port: typeof first === 'function' ? 0 : first ?? 0, host: typeof args[1] === 'string' ? args[1] : undefined };
}

const patchedListen2: Listen2 = function patchedListen2(this: net.Server, address, port, addressType, backlog, fd, flags) {
  const self = this as net.Server & { _handle?: unknown };
  asIfBound.delete(this);
  // Not a TCP bind to make: a unix socket or pipe (port -1), an fd, a handle
  // passed to listen(), or a cluster worker given its primary's handle.
  if (self._handle || typeof fd === 'number' || typeof port !== 'number' || port < 0) {
    return originalListen2.call(this, address, port, addressType, backlog, fd, flags);
  }
  const asIf = addressAsIf(address, addressType, flags, port);
  // An address this machine does not have: Node's own bind fails (EADDRNOTAVAIL)
  // exactly as without the probe, and binds nothing (were it to succeed, it is
  // not loopback and goes unreported: verify then says the program never listened).
  if (!isLocal(asIf.address)) return originalListen2.call(this, address, port, addressType, backlog, fd, flags);
  if (port > 0 && heldInThisProcess(asIf)) return emitAddressInUse(this, asIf, port);
  originalListen2.call(this, LOOPBACK, 0, 4, backlog, fd, flags);
  if (!self._handle) return; // the loopback bind failed; Node emits that error itself
  asIfBound.set(this, asIf);
  listening.add(this);
  reportListen(this);
};

function reportListen(server: net.Server): void {
  const serverId = probe.serverIds.get(server) ?? nextServerId++;
  probe.serverIds.set(server, serverId);
  const real = originalAddress.call(server);
  if (!real || typeof real !== 'object') return;
  // Reported at the bind, not on 'listening' (a listener of ours would change
  // listenerCount('listening')); connections are served no earlier than on the
  // next turn of the loop, after 'listening' ran, so nothing reaches the program sooner.
  const call = listenCalls.get(server) ?? { requested: { port: 0, host: undefined }, at: null };
  probe.emit({ t: 'listen', server: serverId, http: server instanceof http.Server, tls: isTlsServer(server), port: real.port, host: real.address, requested: call.requested, at: call.at });
  // Then a 'settled' event once nothing of the start-up is left to run (settle.ts).
  listenedNow(probe.emit);
}

// ---- a port this program already holds: EADDRINUSE, as Node reports it ----
// Rebound servers never collide in the kernel, so a program listening twice on
// its own port would pass (two servers on 3000 both "worked"). Each server's
// would-be binding is kept while it listens, and a new one that overlaps it
// fails as Linux fails it: same port and same address, or either side the
// unspecified address of that family (an IPv6 '::' without ipv6Only takes
// IPv4 too). A port held by another process is not seen: that is the
// machine, not the program.
function heldInThisProcess(wanted: AsIf): boolean {
  for (const server of listening) {
    if (!server.listening) {
      listening.delete(server);
      continue;
    }
    const held = asIfBound.get(server);
    if (held && held.port === wanted.port && bindingsOverlap(held, wanted)) return true;
  }
  return false;
}

// What setupListenHandle does when the kernel refuses (lib/net.js): an
// UVExceptionWithHostPort (message `listen EADDRINUSE: address already in use
// <address>:<port>`, then code, errno, syscall, address, port in that order),
// emitted as 'error' on the next tick, the server left without a handle.
// Unhandled, it crashes the program as any 'error' event does.
// https://nodejs.org/docs/latest-v20.x/api/net.html#event-error
function emitAddressInUse(server: net.Server, asIf: AsIf, port: number): void {
  const code = 'EADDRINUSE';
  const [errno, [, text]] = [...util.getSystemErrorMap()].find(([, [name]]) => name === code) ?? [-98, [code, 'address already in use']];
  const error = Object.assign(new Error(`listen ${code}: ${text} ${asIf.address}:${port}`), { code, errno, syscall: 'listen', address: asIf.address, port });
  // The stack starts where Node's would (listenInCluster), not inside the probe.
  Error.captureStackTrace(error, patchedListen2);
  const listenChannel = diagnosticsChannel.tracingChannel('net.server.listen');
  if (listenChannel.error.hasSubscribers) listenChannel.error.publish({ server, error });
  process.nextTick(function emitErrorNT() {
    server.emit('error', error);
  });
}
