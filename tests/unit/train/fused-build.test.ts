import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the fused kernel binary', () => {
  it('is exactly a fresh build of its AssemblyScript source (asm/)', async () => {
    // scripts/build-kernel.mjs --check compiles asm/fused.ts in memory and compares the bytes with
    // src/lib/train/fused/kernel.wasm, exiting 1 (rejecting here) on any difference.
    const { stderr } = await promisify(execFile)(process.execPath, ['scripts/build-kernel.mjs', '--check'], { cwd: ROOT });
    expect(stderr).toMatch(/matches its source/);
  });
});
