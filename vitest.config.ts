import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/fixtures/**', 'test/bench/**', 'test/deploy/**'],
    reporters: ['default', './test/reporters/summary-line.ts'],
    // Most of the suite waits on child processes (bundlers, services, nats-server): two files at a
    // time on two cores, where vitest's default (cores - 1) would run them one by one.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
