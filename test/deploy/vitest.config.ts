import { defineConfig } from 'vitest/config';

/** `npm run test:deploy`: real podman and systemd, kept out of `npm test` (see the README). */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/fixtures/**'],
    globalSetup: ['./global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
