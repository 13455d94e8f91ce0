import type { ProbeShape, ProbeTiming } from '../batching';
import { probeStack, type ProbeOptions } from '../fused/probe';
import { gpuDevice } from './device';
import { GpuStack } from './stack';

/** Times optimisation steps of `shape` on the GPU trainer, as probeFused does on the wasm kernel
 *  (same synthetic data, options and result; the time includes the GPU finishing each epoch). */
export async function probeGpu(shape: ProbeShape, opts: ProbeOptions = {}): Promise<ProbeTiming> {
  return probeStack(shape, opts, async (inputs) => GpuStack.create(await gpuDevice(), inputs));
}
