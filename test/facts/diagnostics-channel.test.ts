// The probe can watch requests without patching: which diagnostics_channel names fire.
import { describe, it, expect } from 'vitest';
import dc from 'node:diagnostics_channel';
import net from 'node:net';
import { HOST, httpGet, listenServer, startServer, withDeadline } from './support.ts';

const HTTP_CHANNELS = [
  'http.client.request.start',
  'http.client.request.error',
  'http.client.response.finish',
  'http.server.request.start',
  'http.server.response.finish',
  'http.server.response.created',
  'http.client.request.created',
  'net.client.socket',
  'net.server.socket',
  'undici:request:create',
];

async function record<T>(action: () => Promise<T>): Promise<Set<string>> {
  const seen = new Set<string>();
  const listeners = HTTP_CHANNELS.map((name) => {
    const listener = () => seen.add(name);
    dc.subscribe(name, listener);
    return [name, listener] as const;
  });
  try {
    await action();
    // let late events (response.finish on the server) arrive
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    for (const [name, listener] of listeners) dc.unsubscribe(name, listener);
  }
  return seen;
}

describe('diagnostics_channel', () => {
  it('an http.get to a node:http server fires http.client.request.start, http.client.response.finish, http.server.request.start, http.server.response.finish, net.client.socket, net.server.socket; no response.created channel', async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const seen = await record(() => httpGet(`http://${HOST}:${srv.port}/`, { agent: false }));
      for (const name of [
        'http.client.request.start',
        'http.client.response.finish',
        'http.server.request.start',
        'http.server.response.finish',
        'net.client.socket',
        'net.server.socket',
      ]) {
        expect(seen.has(name), name).toBe(true);
      }
      expect(seen.has('http.server.response.created')).toBe(false);
      expect(seen.has('http.client.request.created')).toBe(false);
    } finally {
      await srv.close();
    }
  });

  it('a refused http.get fires http.client.request.error', async () => {
    const probe = await listenServer(net.createServer());
    const port = probe.port;
    await probe.close();
    const seen = await record(() =>
      withDeadline(
        httpGet(`http://${HOST}:${port}/`, { agent: false }).catch(() => undefined),
        3_000,
        'refused request',
      ),
    );
    expect(seen.has('http.client.request.start')).toBe(true);
    expect(seen.has('http.client.request.error')).toBe(true);
  });

  it('fetch fires undici:* channels only, no http.client.* ones', async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const seen = await record(async () => {
        const response = await fetch(`http://${HOST}:${srv.port}/`, { signal: AbortSignal.timeout(3_000) });
        await response.text();
      });
      expect(seen.has('undici:request:create')).toBe(true);
      expect(seen.has('http.client.request.start')).toBe(false);
      expect(seen.has('http.server.request.start')).toBe(true);
    } finally {
      await srv.close();
    }
  });
});
