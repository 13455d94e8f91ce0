import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../experiment/types';
import { probeSteps as probeTfjs, trainBatch as trainBatchTfjs, type BatchEpochCallback } from '../batched';
import { trainsAlone, type ProbeShape, type ProbeTiming } from '../batching';
import { trainTrial } from '../trainer';
import { makeRng } from '../../search/rng';
import type { TrainData, TrialConfig, TrialResult } from '../types';
import { gpuFusedAvailable, probeGpu, trainGpu } from '../gpu';
import { fusedAvailable, fusedSupports, probeFused, trainFused } from './index';

/** Which fused trainer a worker uses: the WebAssembly kernel or the WGSL one (gpu/). */
export type FusedKind = 'wasm' | 'webgpu';

/**
 * The fused trainer a worker on the current tfjs backend trains `models` with, or null for the
 * batched tfjs trainer: the wasm kernel on the wasm backend, the GPU kernel on the webgpu backend
 * (each where it loads), for models the kernels cover. The calibration measures whichever is
 * chosen through probeSteps below, so it compares fused-on-wasm, fused-on-webgpu and the tfjs
 * trainer on webgl or cpu honestly. Other backends keep the batched tfjs trainer.
 */
export async function fusedKind(models: ModelSpec[]): Promise<FusedKind | null> {
  if (!models.every(fusedSupports)) return null;
  const backend = tf.getBackend();
  if (backend === 'wasm') return (await fusedAvailable()) ? 'wasm' : null;
  if (backend === 'webgpu') return (await gpuFusedAvailable()) ? 'webgpu' : null;
  return null;
}

/** Whether a worker on the current tfjs backend trains `models` with a fused trainer (see fusedKind). */
export async function usesFused(models: ModelSpec[]): Promise<boolean> {
  return (await fusedKind(models)) !== null;
}

/**
 * batched.ts' trainBatch, on the fused kernel fusedKind chooses. Same signature and results.
 * Should the kernel fail before reporting anything (say, memory for a huge dataset, or a GPU
 * device that refuses the shader), the tfjs trainer takes the batch over; after a report it is a
 * failure like any other.
 */
export async function trainBatch(data: TrainData, cfgs: TrialConfig[], onEpoch: BatchEpochCallback): Promise<TrialResult[]> {
  if (cfgs.some((c) => trainsAlone(c.model))) {
    // conv networks and augmented images: the tfjs-layers trainer, one trial after the other
    const out: TrialResult[] = [];
    for (const c of cfgs) out.push(await trainTrial(data, c, (m) => onEpoch(c.trialId, m)));
    return out;
  }
  const kind = await fusedKind(cfgs.map((c) => c.model));
  if (!kind) return trainBatchTfjs(data, cfgs, onEpoch);
  let reported = false;
  const report: BatchEpochCallback = (id, m) => ((reported = true), onEpoch(id, m));
  try {
    return await (kind === 'wasm' ? trainFused(data, cfgs, report, { backend: 'wasm' }) : trainGpu(data, cfgs, report));
  } catch (e) {
    if (reported) throw e;
    return trainBatchTfjs(data, cfgs, onEpoch);
  }
}

/** batched.ts' probeSteps, timing the trainer trainBatch above would use for `shape`. */
export async function probeSteps(shape: ProbeShape, opts?: { trials?: number; warmup?: number; minMs?: number; maxSteps?: number }): Promise<ProbeTiming & { trainer: 'fused' | 'tfjs' | 'layers' }> {
  if (trainsAlone(shape.model)) return { ...(await probeLayers(shape, opts?.minMs ?? 150)), trainer: 'layers' };
  const kind = await fusedKind([shape.model]);
  if (kind === 'wasm') return { ...(await probeFused(shape, opts)), trainer: 'fused' };
  if (kind === 'webgpu') return { ...(await probeGpu(shape, opts)), trainer: 'fused' };
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
