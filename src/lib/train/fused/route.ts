import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../experiment/types';
import { probeSteps as probeTfjs, trainBatch as trainBatchTfjs, type BatchEpochCallback } from '../batched';
import { trainsAlone, type ProbeShape, type ProbeTiming } from '../batching';
import { trainTrial } from '../trainer';
import { makeRng } from '../../search/rng';
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
  if (cfgs.some((c) => trainsAlone(c.model))) {
    // conv networks and augmented images: the tfjs-layers trainer, one trial after the other
    const out: TrialResult[] = [];
    for (const c of cfgs) out.push(await trainTrial(data, c, (m) => onEpoch(c.trialId, m)));
    return out;
  }
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
export async function probeSteps(shape: ProbeShape, opts?: { trials?: number; warmup?: number; minMs?: number; maxSteps?: number }): Promise<ProbeTiming & { trainer: 'fused' | 'tfjs' | 'layers' }> {
  if (trainsAlone(shape.model)) return { ...(await probeLayers(shape, opts?.minMs ?? 150)), trainer: 'layers' };
  if (await usesFused([shape.model])) return { ...(await probeFused(shape, opts)), trainer: 'fused' };
  return { ...(await probeTfjs(shape, opts)), trainer: 'tfjs' };
}

/**
 * Times the tfjs-layers trainer (trainTrial) on random data of `shape`: a first epoch of four
 * steps builds the kernels, then epochs of four steps run until `minMs` have passed.
 */
async function probeLayers(shape: ProbeShape, minMs: number): Promise<ProbeTiming> {
  const batch = Math.max(1, shape.model.batchSize);
  const n = batch * 4;
  const rng = makeRng(1, 'probe');
  const classification = shape.task === 'classification';
  const img = shape.image;
  const data: TrainData = {
    key: 'probe', task: shape.task, d: shape.d, nClasses: shape.nClasses,
    xTrain: Float32Array.from({ length: n * shape.d }, () => rng() * 2 - 1),
    yTrain: Float32Array.from({ length: n }, () => (classification ? Math.floor(rng() * shape.nClasses) : rng())),
    xVal: new Float32Array(shape.d), yVal: new Float32Array(1),
    ...(img ? { image: { ...img, maxValue: 1, mean: new Array<number>(shape.d).fill(0), std: new Array<number>(shape.d).fill(1) } } : {}),
  };
  const ends: number[] = [];
  await trainTrial(data, { trialId: 0, model: { ...shape.model, learningRate: 1e-3, epochs: 50 }, seed: 1, boundaryGrid: 0 }, (m) => {
    ends.push(m.elapsedMs);
    return m.elapsedMs - ends[0] >= minMs && ends.length >= 2 ? 'stop' : 'continue';
  });
  const steps = 4 * (ends.length - 1);
  const stepMs = steps > 0 ? (ends[ends.length - 1] - ends[0]) / steps : ends[0] / 4;
  return { warmupMs: ends[0], stepMs, samplesPerSec: (batch * 1000) / stepMs, steps };
}
