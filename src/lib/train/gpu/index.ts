/**
 * The GPU fused trainer: the wasm fused trainer's epoch (fused/, asm/) as WGSL compute shaders on
 * the worker's own WebGPU device, K stacked dense trials per dispatch. Same inputs, bookkeeping
 * (fused/runner.ts) and results; used where the worker's tfjs backend is webgpu (fused/route.ts).
 */
import type { BatchEpochCallback } from '../batched';
import { trainStacked, type StackFactory } from '../fused/runner';
import type { TrainData, TrialConfig, TrialResult } from '../types';
import { gpuDevice } from './device';
import { WGSL } from './shaders';
import { GpuStack } from './stack';

export { GPU_MAX_TRIALS } from './stack';
export { probeGpu } from './probe';

/** Builds a GPU stack on the worker's device. */
export const gpuStack: StackFactory = async (inputs) => GpuStack.create(await gpuDevice(), inputs);

/** Whether the GPU trainer runs here: WebGPU with an adapter, and its shader compiles. */
export async function gpuFusedAvailable(): Promise<boolean> {
  if (!available) {
    available = (async () => {
      try {
        const device = await gpuDevice();
        const info = await device.createShaderModule({ code: WGSL }).getCompilationInfo();
        return !info.messages.some((m) => m.type === 'error');
      } catch {
        return false;
      }
    })();
    available.then((ok) => { if (!ok) available = null; });
  }
  return available;
}
let available: Promise<boolean> | null = null;

/** trainFused (fused/runner.ts) on the GPU: same signature and results; creates no tensors.
 *  Results report `backend` 'webgpu'. */
export function trainGpu(data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback): Promise<TrialResult[]> {
  return trainStacked(data, cfgs, onEpoch, gpuStack, 'webgpu');
}
