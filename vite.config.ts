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

/**
 * The built page's Content-Security-Policy: scripts only from the app's own origin and no
 * `eval` of strings. 'wasm-unsafe-eval' is needed to compile WebAssembly (tfjs's wasm backend);
 * 'unsafe-inline' for styles only, because Svelte writes style attributes (chart colours).
 * Not in dev, where Vite's module reloading needs more.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
  };
}

// Relative base: dist/ works from any sub-path of a static host.
export default defineConfig({
  base: './',
  plugins: [svelte(), shippedDatasets(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120000,
  },
});
