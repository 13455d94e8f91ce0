// Shared helpers for the end-to-end tests and the benchmark: a static server for dist/ and
// Debian's Chromium driven by playwright-core.
import { createServer } from 'node:http';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.svg': 'image/svg+xml', '.md': 'text/markdown',
  '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

/** The Content-Security-Policy the built page declares (its <meta>), or '' when it has none. */
function pageCsp(root) {
  const html = existsSync(join(root, 'index.html')) ? readFileSync(join(root, 'index.html'), 'utf8') : '';
  return (/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '').replaceAll('&#39;', "'");
}

/** Serves `root` on 127.0.0.1 at a free port under `prefix` (to prove the build works from a sub-path).
 *  Every response carries the page's own Content-Security-Policy as a header, as a careful host
 *  would send it: so the workers (which a <meta> does not reach) run under it too. */
export async function serve(root = resolve(process.env.E2E_DIST ?? 'dist'), prefix = '/app/') {
  const csp = pageCsp(root);
  const server = createServer((req, res) => {
    if (csp) res.setHeader('Content-Security-Policy', csp);
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (!url.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
    let file = join(root, url.slice(prefix.length));
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((r) => server.close(r)) };
}

/** Launches headless Debian Chromium with software WebGPU enabled. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--no-sandbox',
      '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Registers node:test hooks that serve dist/ and start Chromium once for the calling test file;
 *  the returned object holds `server` and `browser` once the hooks have run. */
export function useApp() {
  const app = { server: null, browser: null };
  before(async () => {
    app.server = await serve();
    app.browser = await launch();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}
