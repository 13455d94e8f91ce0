/// <reference lib="webworker" />
/**
 * The screening worker: before calibration measures anything, tells which backends are worth
 * measuring (software GPU adapters are not, and the cpu backend is not when WebAssembly SIMD
 * works). No tfjs here: it starts in a few milliseconds. Posts what it knows as it learns it
 * (SIMD and WebGPU first: a browser's first WebGL context can take seconds), the last message
 * completing a `Screen`; then it is terminated.
 */
import { webGlNote, webGpuNote, wasmSimd } from './adapters';
import type { Screen } from './calibrate';

const first: Pick<Screen, 'simd' | 'webgpu'> = { simd: wasmSimd(), webgpu: await webGpuNote().catch(() => 'WebGPU did not answer') };
postMessage(first);
const rest: Pick<Screen, 'webgl'> = { webgl: webGlNote() };
postMessage(rest);
