/**
 * What this device's GPU backends would run on, told without tfjs: a software WebGPU adapter
 * (SwiftShader, a fallback adapter) or a software WebGL renderer (SwiftShader, llvmpipe) is not a
 * GPU. Used by the training worker (backend.ts) and, before calibration measures anything, by a
 * small screening worker (screen.worker.ts). Never call the WebGL check on the main thread: creating
 * a context blocks for seconds while a cold GPU process starts.
 */

/** Why WebGPU would not run on a GPU here ('' when a hardware adapter was found). */
export async function webGpuNote(): Promise<string> {
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

/** Why WebGL would not run on a GPU here ('' when its renderer is hardware, or cannot be told). */
export function webGlNote(): string {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return 'WebGL 2 is not available';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    // the context is not needed: give the GPU process its resources back now
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    if (/swiftshader|llvmpipe|software/i.test(renderer)) return 'WebGL renders in software here';
    return '';
  } catch {
    return 'WebGL is not available';
  }
}

/** The smallest module using a SIMD instruction (i32x4.splat; i8x16.popcnt): valid only where
 *  WebAssembly SIMD works. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether WebAssembly with 128-bit SIMD works here (the fused kernel and tfjs' SIMD build need it). */
export function wasmSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
