import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName, BackendPref } from '../experiment/types';
import type { BackendInfo } from './types';
import { webGlNote, webGpuNote } from './adapters';

/** Fallback order after a requested backend fails. */
export const BACKEND_CHAIN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Why `name` runs in software here ('' when it does not, or when that cannot be told):
 *  a WebGPU fallback adapter or a SwiftShader/llvmpipe WebGL renderer. */
export async function softwareNote(name: BackendName): Promise<string> {
  if (name === 'webgpu') return webGpuNote();
  if (name === 'webgl') return webGlNote();
  return '';
}

async function trySet(name: BackendName): Promise<boolean> {
  try {
    if (name === 'wasm') {
      // The threaded build was slower than SIMD on small models and hangs when minified: never use it.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
      });
    }
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    // A tiny op proves the backend really runs (a lost WebGPU device fails here, not mid-trial).
    const t = tf.tensor1d([1, 2]).square().sum();
    await t.data();
    t.dispose();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Picks the tfjs backend for this worker. `auto` takes the first hardware GPU backend
 * (WebGPU, then WebGL), passing over software adapters, and otherwise wasm (SIMD), then cpu.
 * An explicit choice is honoured when it works; otherwise the chain continues after it.
 */
export async function selectBackend(pref: BackendPref): Promise<BackendInfo> {
  const notes: string[] = [];
  let chain: BackendName[];
  if (pref === 'auto') {
    chain = [];
    const gpu = await webGpuNote();
    if (gpu) notes.push(`skipped webgpu: ${gpu}`); else chain.push('webgpu');
    const gl = webGlNote();
    if (gl) notes.push(`skipped webgl: ${gl}`); else chain.push('webgl');
    chain.push('wasm', 'cpu');
  } else {
    chain = [pref, ...BACKEND_CHAIN.slice(BACKEND_CHAIN.indexOf(pref) + 1)];
  }
  for (const name of chain) {
    if (await trySet(name)) return { backend: name, requested: pref, note: notes.join('; '), software: await softwareNote(name) };
    const why = name === 'webgpu' && self.isSecureContext === false ? ' (WebGPU needs a secure page: https, or localhost; this one is plain http)' : '';
    notes.push(`${name} failed to start${why}`);
  }
  throw new Error(`No TensorFlow.js backend could start (${notes.join('; ')}).`);
}
