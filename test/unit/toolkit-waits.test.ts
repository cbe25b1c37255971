import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/engine/toolkit/waits.js';

describe('pollUntil', () => {
  it('returns the first value read, as soon as the state changes', async () => {
    let reads = 0;
    const started = performance.now();
    const value = await pollUntil(() => (++reads >= 3 ? 'ready' : undefined), { timeoutMs: 1000, everyMs: 5 });
    expect(value).toBe('ready');
    expect(reads).toBe(3);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('gives up at once when read returns null', async () => {
    let reads = 0;
    expect(await pollUntil(() => (++reads, null), { timeoutMs: 1000 })).toBeNull();
    expect(reads).toBe(1);
  });

  it('returns null at the deadline when nothing changed', async () => {
    const started = performance.now();
    expect(await pollUntil(() => undefined, { timeoutMs: 50, everyMs: 5 })).toBeNull();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(49);
    expect(waited).toBeLessThan(1000);
  });

  it('stops when the signal aborts, before the deadline', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = performance.now();
    expect(await pollUntil(() => undefined, { timeoutMs: 5000, signal: controller.signal })).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('keeps a falsy value that is not null or undefined', async () => {
    expect(await pollUntil(() => false, { timeoutMs: 100 })).toBe(false);
    expect(await pollUntil(() => 0, { timeoutMs: 100 })).toBe(0);
  });
});
