// Outgoing requests (client lessons 10-12, proxies): where each request was
// made, what it sent, its socket, its response, its errors; fetch() calls.
// Most of it comes from Node's diagnostics channels, which only observe.
// https://nodejs.org/docs/latest-v20.x/api/diagnostics_channel.html#http

import * as diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import type net from 'node:net';
import { byteLengthOf, type Location, type Probe } from './context.js';
import { describeError, here } from './stack.js';

const clientIds = new WeakMap<object, number>();
let nextClientId = 1;
const clientCreatedAt = new WeakMap<object, Location | null>();

export function recordClientRequests(probe: Probe): void {
  recordCreation(probe);
  subscribeToClientChannels(probe);
  recordClientCalls(probe);
  recordFetch(probe);
}

// ---- where each client request was made (lessons 10-12; additive) ---------
// 'http.client.request.start' is published from ClientRequest._finish, i.e.
// only once end() was called, and usually on a later tick: its stack has no
// learner frame, a request that is never ended never shows up, and write()/
// end()/setHeader() on a new request came before it had an id (so no
// 'client-call' was recorded). Every request passes through Agent#addRequest
// inside its constructor, on the learner's stack (also for `agent: false`,
// which makes a fresh Agent): the id and the learner's line are taken there.
// Only reads the stack; the request and the agent are untouched.
function recordCreation({ emit, currentRequest }: Probe): void {
  const agentProto = http.Agent.prototype as unknown as { addRequest: (...a: unknown[]) => unknown };
  const originalAddRequest = agentProto.addRequest;
  agentProto.addRequest = function patchedAddRequest(this: http.Agent, ...args: unknown[]) {
    const request = args[0];
    if (request instanceof http.ClientRequest && !clientIds.has(request)) {
      const id = nextClientId++;
      clientIds.set(request, id);
      const at = here();
      clientCreatedAt.set(request, at);
      emit({ t: 'client-create', id, method: request.method, host: request.host, path: request.path, inRequest: currentRequest.getStore() ?? null, at });
    }
    return originalAddRequest.apply(this, args);
  };
}

function subscribeToClientChannels({ emit, currentRequest }: Probe): void {
  diagnosticsChannel.subscribe('http.client.request.start', (message) => {
    const request = (message as { request: http.ClientRequest }).request;
    // The id given at creation, when the request went through addRequest above.
    const id = clientIds.get(request) ?? nextClientId++;
    clientIds.set(request, id);
    emit({
      t: 'client-req', id, method: request.method, host: request.host, path: request.path,
      agent: describeAgent(request), inRequest: currentRequest.getStore() ?? null, at: here() ?? clientCreatedAt.get(request) ?? null,
    });
    request.once('close', () => emit({ t: 'client-close', id, ended: request.writableEnded, destroyed: request.destroyed }));
    const onSocket = (socket: net.Socket) => {
      emit({ t: 'client-socket', id, reused: Boolean((request as unknown as { reusedSocket?: boolean }).reusedSocket), localPort: socket.localPort ?? null });
    };
    // This channel fires from _finish, by which time the request usually has its
    // socket and 'socket' was already emitted: listening for it alone never saw it.
    if (request.socket) onSocket(request.socket);
    else request.once('socket', onSocket);
  });
  diagnosticsChannel.subscribe('http.client.request.error', (message) => {
    const { request, error } = message as { request: http.ClientRequest; error: unknown };
    emit({ t: 'client-error', id: clientIds.get(request) ?? null, handled: request.listenerCount('error') > 0, ...describeError(error) });
  });
  diagnosticsChannel.subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: http.ClientRequest; response: http.IncomingMessage };
    const id = clientIds.get(request) ?? null;
    emit({ t: 'client-res', id, status: response.statusCode });
    response.once('end', () => emit({ t: 'client-res-end', id }));
  });
}

function recordClientCalls({ emit, calls }: Probe): void {
  const clientProto = http.ClientRequest.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const fn of ['write', 'end', 'setHeader'] as const) {
    const original = clientProto[fn];
    clientProto[fn] = function patchedClientMethod(this: http.ClientRequest, ...args: unknown[]) {
      const id = clientIds.get(this);
      if (id !== undefined && calls.depth === 0) {
        const chunk = typeof args[0] === 'function' ? undefined : args[0];
        emit({
          t: 'client-call', id, fn, at: here(),
          ...(fn === 'setHeader' ? { name: args[0], value: String(args[1]) } : { bytes: byteLengthOf(chunk, args[1]) }),
        });
      }
      calls.depth++;
      try {
        return original.apply(this, args);
      } finally {
        calls.depth--;
      }
    };
  }
}

function describeAgent(request: http.ClientRequest): Record<string, unknown> | null {
  const agent = (request as unknown as { agent?: http.Agent & { keepAlive?: boolean } }).agent;
  if (!agent) return null;
  return { global: agent === http.globalAgent, keepAlive: Boolean(agent.keepAlive), maxSockets: agent.maxSockets };
}

function recordFetch({ emit }: Probe): void {
  if (typeof globalThis.fetch !== 'function') return;
  const originalFetch = globalThis.fetch;
  globalThis.fetch = function patchedFetch(this: unknown, ...args: Parameters<typeof fetch>) {
    emit({ t: 'fetch', url: String(args[0]).slice(0, 200), at: here() });
    return originalFetch.apply(this, args);
  } as typeof fetch;
}
