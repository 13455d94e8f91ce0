#!/usr/bin/env node
/**
 * Runs a TypeScript entry point under plain node: `node bench/run-ts.mjs <file.ts> [args...]`.
 * A Vite module runner (no config file, no plugins) transpiles the file and the project
 * sources it imports; packages in node_modules (tfjs and its wasm backend) load natively.
 * The file must export `main(args: string[]): Promise<void>`.
 */
import { resolve } from 'node:path';
import { createServer, createServerModuleRunner } from 'vite';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const server = await createServer({
  configFile: false,
  envDir: false,
  logLevel: 'warn',
  server: { middlewareMode: true, hmr: false, ws: false },
  appType: 'custom',
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
try {
  const module = await runner.import(resolve(file));
  if (typeof module.main !== 'function') throw new Error(`${file} does not export main(args)`);
  await module.main(args);
} finally {
  await runner.close();
  await server.close();
}
