// Connections to the program's own port.
//
// A program that calls itself on the port it asked for (a start-up self-check,
// one of its servers in front of another) would reach nothing there, or another
// program: that port was never bound. A connection to a port one of its
// servers would hold, on an address that binding takes, goes to the real port
// instead, so the same server answers as without the probe. Socket#connect
// (lib/net.js) takes the caller's arguments, or an array net.connect() already
// normalized and marked with an internal symbol, which the copy keeps.
// https://nodejs.org/docs/latest-v20.x/api/net.html#socketconnect

import net from 'node:net';
import { bindingsOverlap, connectTargets, type AsIf } from './bind-address.js';

const LOOPBACK = '127.0.0.1';

/** What listen.ts knows of the program's servers. */
interface Servers {
  listening: Set<net.Server>;
  asIfBound: WeakMap<object, AsIf>;
  originalAddress: typeof net.Server.prototype.address;
}

export function redirectConnects(servers: Servers): void {
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function patchedConnect(this: net.Socket, ...args: unknown[]) {
    return originalConnect.apply(this, (servers.listening.size > 0 ? redirectedToOwnServer(servers, args) : null) ?? (args as never));
  } as typeof net.Socket.prototype.connect;
}

/** The same arguments aimed at 127.0.0.1 and the real port, or null when they are not for one of this program's servers. */
function redirectedToOwnServer(servers: Servers, args: unknown[]): never | null {
  const normalized = Array.isArray(args[0]) ? (args[0] as unknown[]) : null;
  const first = normalized ? normalized[0] : args[0];
  const given = first !== null && typeof first === 'object' ? (first as { port?: unknown; host?: unknown; path?: unknown }) : null;
  if (given?.path != null || (!given && typeof first !== 'number' && !(typeof first === 'string' && /^\d+$/.test(first)))) return null;
  const host = given ? given.host : typeof args[1] === 'string' ? args[1] : undefined;
  const port = ownServerPort(servers, Number(given ? given.port : first), host ?? 'localhost');
  if (port === null) return null;
  if (!given) return [port, LOOPBACK, ...args.slice(typeof args[1] === 'string' ? 2 : 1)] as never;
  const options = { ...given, port, host: LOOPBACK };
  if (!normalized) return [options, ...args.slice(1)] as never;
  const copy = [options, ...normalized.slice(1)] as unknown[] & Record<symbol, unknown>;
  for (const symbol of Object.getOwnPropertySymbols(normalized)) copy[symbol] = (normalized as unknown as Record<symbol, unknown>)[symbol];
  return [copy] as never;
}

function ownServerPort({ listening, asIfBound, originalAddress }: Servers, port: number, host: unknown): number | null {
  if (!Number.isInteger(port) || port <= 0 || typeof host !== 'string') return null;
  const targets = connectTargets(host, port);
  for (const server of listening) {
    const held = asIfBound.get(server);
    if (!server.listening || !held || held.port !== port || !targets.some((target) => bindingsOverlap(held, target))) continue;
    const real = originalAddress.call(server);
    return real && typeof real === 'object' ? real.port : null;
  }
  return null;
}
