// refusedOrigin: a port nothing listens on, outside the kernel's ephemeral
// range, so that a test server another check opens with listen(0) at the same
// time can never be given it (client checks run two at a time).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.ts';
import { refusedOrigin } from '../../src/engine/client-harness/server.ts';

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });

it('gives a refused port below the ephemeral range', async () => {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const ctx = { upstream: () => Promise.reject(new Error('not needed below the range')) } as unknown as CheckContext;
  for (let i = 0; i < 5; i++) {
    const port = Number(new URL(await refusedOrigin(ctx)).port);
    expect(port).toBeGreaterThanOrEqual(1024);
    expect(port).toBeLessThan(low);
    expect(await refused(port)).toBe('ECONNREFUSED');
  }
});
