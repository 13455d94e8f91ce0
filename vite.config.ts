import { defineConfig, type Plugin } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Serves ./datasets at <base>datasets/ in dev and copies it into dist/datasets on build. */
function shippedDatasets(): Plugin {
  const dir = resolve(import.meta.dirname, 'datasets');
  return {
    name: 'shipped-datasets',
    configureServer(server) {
      server.middlewares.use('/datasets', (req, res, next) => {
        const file = join(dir, decodeURIComponent((req.url ?? '').split('?')[0]));
        if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
    writeBundle(options) {
      cpSync(dir, join(options.dir ?? 'dist', 'datasets'), { recursive: true });
    },
  };
}

// Relative base: dist/ works from any sub-path of a static host.
export default defineConfig({
  base: './',
  plugins: [svelte(), shippedDatasets()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120000,
  },
});
