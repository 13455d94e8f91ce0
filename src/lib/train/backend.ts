import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName, BackendPref } from '../experiment/types';
import type { BackendInfo } from './types';

/** Fallback order after a requested backend fails. */
export const BACKEND_CHAIN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Is there a hardware WebGPU adapter? A software (fallback/SwiftShader) adapter is not a GPU. */
async function hardwareWebGpu(): Promise<string> {
  const gpu = (self.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    // Browsers offer WebGPU only to secure pages: a school server on plain http gets none.
    return self.isSecureContext === false
      ? 'WebGPU needs a secure page (https, or localhost), and this one was opened over plain http'
      : 'WebGPU is not available in this browser';
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) return 'no WebGPU adapter';
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`.toLowerCase();
  if (info?.isFallbackAdapter || legacy || text.includes('swiftshader')) return 'the WebGPU adapter is a software fallback, not a GPU';
  return '';
}

/** Is WebGL hardware accelerated here? SwiftShader/llvmpipe renderers are software. */
function hardwareWebGl(): string {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return 'WebGL 2 is not available';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)).toLowerCase();
    if (/swiftshader|llvmpipe|software/.test(renderer)) return 'WebGL renders in software here';
    return '';
  } catch {
    return 'WebGL is not available';
  }
}

/** Why `name` runs in software here ('' when it does not, or when that cannot be told):
 *  a WebGPU fallback adapter or a SwiftShader/llvmpipe WebGL renderer. */
export async function softwareNote(name: BackendName): Promise<string> {
  if (name === 'webgpu') return hardwareWebGpu();
  if (name === 'webgl') return hardwareWebGl();
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
    const gpu = await hardwareWebGpu();
    if (gpu) notes.push(`skipped webgpu: ${gpu}`); else chain.push('webgpu');
    const gl = hardwareWebGl();
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
