import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../experiment/types';
import { probeSteps as probeTfjs, trainBatch as trainBatchTfjs, type BatchEpochCallback } from '../batched';
import type { ProbeShape, ProbeTiming } from '../batching';
import type { TrainData, TrialConfig, TrialResult } from '../types';
import { fusedAvailable, fusedSupports, probeFused, trainFused } from './index';

/**
 * Whether a worker on the current tfjs backend trains `models` with the fused kernel: on the wasm
 * backend (the kernel is WebAssembly too, and the calibration measures it there through
 * probeSteps below), for models the kernel covers, when it loads. GPU backends keep the batched
 * tfjs trainer, so calibration compares fused-on-wasm against them.
 */
export async function usesFused(models: ModelSpec[]): Promise<boolean> {
  return tf.getBackend() === 'wasm' && models.every(fusedSupports) && (await fusedAvailable());
}

/**
 * batched.ts' trainBatch, on the fused kernel where usesFused says so. Same signature and
 * results. Should the kernel fail before reporting anything (say, memory for a huge dataset),
 * the tfjs trainer takes the batch over; after a report it is a failure like any other.
 */
export async function trainBatch(data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback): Promise<TrialResult[]> {
  if (!(await usesFused(cfgs.map((c) => c.model)))) return trainBatchTfjs(data, cfgs, onEpoch);
  let reported = false;
  try {
    return await trainFused(data, cfgs, (id, m) => ((reported = true), onEpoch(id, m)), { backend: 'wasm' });
  } catch (e) {
    if (reported) throw e;
    return trainBatchTfjs(data, cfgs, onEpoch);
  }
}

/** batched.ts' probeSteps, timing the trainer trainBatch above would use for `shape`. */
export async function probeSteps(shape: ProbeShape, opts?: { trials?: number; warmup?: number; minMs?: number; maxSteps?: number }): Promise<ProbeTiming & { trainer: 'fused' | 'tfjs' }> {
  if (await usesFused([shape.model])) return { ...(await probeFused(shape, opts)), trainer: 'fused' };
  return { ...(await probeTfjs(shape, opts)), trainer: 'tfjs' };
}
