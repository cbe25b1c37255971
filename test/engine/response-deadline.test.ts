// CURRICULUM.md: a response must be complete 2 s after its request was sent.
// Bytes that keep arriving never extend that deadline (issue 8 §3): a server
// that streams padding forever is diagnosed as fast as one that stalls, and the
// message says what came and that it was still coming.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NoResponseError } from '../../src/engine/clients/connection.ts';
import { HttpClient } from '../../src/engine/clients/http-client.ts';
import { Transcript } from '../../src/engine/clients/transcript.ts';

let server: http.Server | null = null;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

async function serve(handler: http.RequestListener): Promise<number> {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function noResponse(port: number): Promise<{ error: NoResponseError; ms: number }> {
  const client = new HttpClient(() => port, new Transcript());
  const started = performance.now();
  const error = await client.get('/').then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(NoResponseError);
  return { error: error as NoResponseError, ms: performance.now() - started };
}

describe('the 2 s response deadline', () => {
  it('is not extended by a response that keeps streaming', { timeout: 10_000 }, async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(' '.repeat(4096)), 5);
      res.on('close', () => clearInterval(timer));
    });
    const { error, ms } = await noResponse(port);
    expect(error.reason).toBe('timeout');
    // 2 s, plus room for a loaded machine; far from "as long as bytes come".
    expect(ms).toBeGreaterThanOrEqual(1990);
    expect(ms).toBeLessThan(3500);
    expect(error.receivedBytes).toBeGreaterThan(4096);
    expect(error.message).toMatch(/^we received the status line and headers \(200\) and \d+ body bytes in 2\.\d s, still arriving \d+ ms before we stopped waiting, and never the end of the response$/);
  });

  it('says "no end of the response for 2 s" when the bytes stopped', { timeout: 10_000 }, async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"message":');
    });
    const { error, ms } = await noResponse(port);
    expect(error.reason).toBe('timeout');
    expect(ms).toBeLessThan(3500);
    expect(error.message).toMatch(/^we received the status line and headers \(200\) and 11 body bytes, then no end of the response for 2\.\d s$/);
  });
});
