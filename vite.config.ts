import { defineConfig, type Plugin } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
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

/**
 * An installable app that works offline after the first visit: a service worker (workbox, via
 * vite-plugin-pwa) precaches the page, the training worker, tfjs's wasm files and the shipped
 * datasets. Registered by a separate script file (the CSP allows no inline script). Relative
 * paths throughout, so it works from any sub-path.
 */
const offline = VitePWA({
  registerType: 'autoUpdate',
  injectRegister: 'script',
  manifest: {
    name: 'Hyperparameter Playground',
    short_name: 'HP Playground',
    description: 'Define a small neural network and a search space; your browser runs the search and shows over- and underfitting.',
    start_url: '.',
    scope: '.',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#0072b2',
    icons: [
      { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{js,css,html,wasm,json,bin,png,svg,webmanifest}'],
    // The training worker (tfjs and its backends) is a few MB.
    maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
    navigateFallback: 'index.html',
    cleanupOutdatedCaches: true,
    // A new version takes over at once (the study lives in IndexedDB, not in the page).
    clientsClaim: true,
    skipWaiting: true,
  },
});

// Relative base: dist/ works from any sub-path of a static host.
export default defineConfig({
  base: './',
  plugins: [svelte(), shippedDatasets(), contentSecurityPolicy(), offline],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120000,
  },
});
