import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The search benchmark (`npm run bench:search`): only bench/**\/*.bench.ts, never the unit suite. */
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['bench/**/*.bench.ts'],
    environment: 'node',
    testTimeout: 30 * 60 * 1000,
  },
});
