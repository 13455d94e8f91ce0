#!/usr/bin/env node
// Builds the fused trainer's WebAssembly kernel from its AssemblyScript source (asm/):
//
//   node scripts/build-kernel.mjs           writes src/lib/train/fused/kernel.wasm
//   node scripts/build-kernel.mjs --check   exits 1 when that file differs from a fresh build
//
// The committed kernel.wasm is what the app bundles and the unit tests load; CI (and
// tests/unit/train/fused-build.test.ts) run --check, so it can never drift from its source.
import asc from 'assemblyscript/asc';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** The kernel's entry file and output, relative to the repository root. */
export const KERNEL_ENTRY = 'asm/fused.ts';
export const KERNEL_OUT = 'src/lib/train/fused/kernel.wasm';
/** The compiler flags: SIMD, optimised for speed, no runtime (the kernel never allocates). */
export const ASC_FLAGS = ['--enable', 'simd', '-O3', '--noAssert', '--runtime', 'stub'];

/** Compiles the kernel in memory; resolves with the .wasm bytes. */
export async function buildKernel() {
  let binary = null;
  const stderr = [];
  const { error } = await asc.main([KERNEL_ENTRY, ...ASC_FLAGS, '--baseDir', ROOT, '--outFile', 'kernel.wasm'], {
    writeFile: (name, contents) => { if (name.endsWith('.wasm')) binary = contents; },
    stderr: { write: (s) => { stderr.push(String(s)); return true; } },
  });
  if (error || !binary) throw new Error(`asc failed: ${error?.message ?? 'no output'}\n${stderr.join('')}`);
  return binary;
}

async function main() {
  const bytes = await buildKernel();
  const out = join(ROOT, KERNEL_OUT);
  if (process.argv.includes('--check')) {
    let committed;
    try { committed = readFileSync(out); } catch { committed = Buffer.alloc(0); }
    if (!Buffer.from(bytes).equals(committed)) {
      console.error(`${KERNEL_OUT} differs from a fresh build of ${KERNEL_ENTRY}: run node scripts/build-kernel.mjs`);
      process.exit(1);
    }
    console.error(`${KERNEL_OUT} matches its source (${bytes.length} bytes).`);
    return;
  }
  writeFileSync(out, bytes);
  console.error(`wrote ${KERNEL_OUT} (${bytes.length} bytes)`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
