/**
 * The fused trainer: dense networks trained in one WebAssembly SIMD kernel (asm/, built to
 * ./kernel.wasm), K trials at once, one call per epoch. Same inputs and results as the batched
 * tfjs trainer (batched.ts), which remains the path for the webgl and cpu backends and anything
 * the kernel does not cover (see fusedSupports). On webgpu the same epoch runs as WGSL shaders
 * (../gpu/); route.ts picks between them.
 */
import type { Activation, ModelSpec, OptimizerName, WeightInit } from '../../experiment/types';
import type { BatchEpochCallback } from '../batched';
import type { TrainData, TrialConfig, TrialResult } from '../types';
import { compiledKernel } from './kernel';
import { trainFused } from './runner';

export { setKernelSource, type KernelSource } from './kernel';
export { probeFused } from './probe';
export { trainFused, type FusedRunOptions } from './runner';

/** Dense layers (hidden + output) the kernel's tables hold (asm/fused.ts MAX_LAYERS; a test checks they agree). */
export const FUSED_MAX_LAYERS = 32;

const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'linear'];
const INITS: readonly WeightInit[] = ['glorotUniform', 'heNormal', 'leCunNormal', 'randomNormal'];
const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'rmsprop'];

/** Whether the fused kernel trains `model` (its activations, init, optimizer and dropout). */
export function fusedSupports(model: ModelSpec): boolean {
  return model.layers.length + 1 <= FUSED_MAX_LAYERS
    && model.layers.every((l) => ACTIVATIONS.includes(l.activation) && Number.isInteger(l.units) && l.units >= 1)
    && INITS.includes(model.init) && OPTIMIZERS.includes(model.optimizer)
    && model.dropout >= 0 && model.dropout < 1;
}

/** Whether the kernel loads here (WebAssembly with SIMD); compiles it once. */
export async function fusedAvailable(): Promise<boolean> {
  try {
    await compiledKernel();
    return true;
  } catch {
    return false;
  }
}

/** trainBatch (batched.ts) on the fused kernel: same signature, same results; creates no tensors. */
export function trainBatch(data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback): Promise<TrialResult[]> {
  return trainFused(data, cfgs, onEpoch);
}
