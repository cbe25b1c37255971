import { defineConfig } from 'vitest/config';

// Tests spawn real processes and talk to 127.0.0.1; the machine has 2 cores,
// so keep parallelism modest and give every test a bounded, generous timeout.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
