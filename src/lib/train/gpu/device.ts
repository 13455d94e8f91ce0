/**
 * The GPU fused trainer's own WebGPU device, one per worker, asked for with the adapter's largest
 * storage-buffer limits (datasets of a few MB and K stacked trials' activations need more than
 * the 128 MiB default on big sweeps). Its own rather than tfjs-webgpu's: the trainer then runs the
 * same with or without tfjs (the browser test page has none), its validation errors and buffers
 * never reach tfjs' device, and a device loss resets only this one.
 */
let device: Promise<GPUDevice> | null = null;

/** Whether this context has WebGPU at all (dedicated workers and pages do; it may still find no adapter). */
export function hasWebGpu(): boolean {
  return typeof navigator !== 'undefined' && Boolean((navigator as Navigator & { gpu?: GPU }).gpu);
}

/** The worker's device for the GPU trainer; rejects without WebGPU or an adapter. */
export function gpuDevice(): Promise<GPUDevice> {
  if (!device) {
    const p = open();
    device = p;
    // a failed request may be retried; a lost device is replaced on the next request
    p.then((d) => d.lost.then(() => { if (device === p) device = null; }), () => { if (device === p) device = null; });
  }
  return device;
}

async function open(): Promise<GPUDevice> {
  if (!hasWebGpu()) throw new Error('WebGPU is not available here.');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('No WebGPU adapter.');
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  return adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
}
