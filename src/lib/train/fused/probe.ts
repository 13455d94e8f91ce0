import { outputUnits } from '../../model/spec';
import { makeRng } from '../../search/rng';
import type { ProbeShape, ProbeTiming } from '../batching';
import type { TrainData, TrialConfig } from '../types';
import { initialWeights } from './init';
import { blockLayout } from './layout';
import { wasmStack, type StackFactory } from './runner';

/** Options of a probe (as batched.ts' probeSteps takes them). */
export interface ProbeOptions {
  trials?: number;
  warmup?: number;
  minMs?: number;
  maxSteps?: number;
}

/**
 * Times optimisation steps of `shape` on a fused epoch stack made by `makeStack` (the wasm kernel
 * or the GPU one), as batched.ts' probeSteps does on a tfjs backend (same options, same result):
 * synthetic data of four mini-batches, `trials` stacked trials; `warmup` epochs first, then epochs
 * in growing chunks until `minMs` have passed. An epoch here is four steps, a one-row validation
 * pass and the metrics read back, so the time includes a device finishing its work.
 */
export async function probeStack(shape: ProbeShape, opts: ProbeOptions, makeStack: StackFactory): Promise<ProbeTiming> {
  const { trials = 1, warmup = 1, minMs = 150, maxSteps = 400 } = opts;
  const classification = shape.task === 'classification';
  const nOut = outputUnits(shape.task, shape.nClasses);
  const batch = Math.max(1, shape.model.batchSize);
  const n = batch * 4;
  const rng = makeRng(1, 'probe');
  const data: TrainData = {
    key: 'probe', task: shape.task, d: shape.d, nClasses: shape.nClasses,
    xTrain: Float32Array.from({ length: n * shape.d }, () => rng() * 2 - 1),
    yTrain: Float32Array.from({ length: n }, () => (classification ? Math.floor(rng() * nOut) : rng())),
    xVal: new Float32Array(shape.d), yVal: new Float32Array(1),
  };
  const cfgs: TrialConfig[] = Array.from({ length: trials }, (_, k) => ({
    trialId: k, model: { ...shape.model, learningRate: 1e-3 }, seed: k + 1, boundaryGrid: 0,
  }));
  const block = blockLayout(shape.model.layers, shape.d, nOut);
  const t0 = performance.now();
  const stack = await makeStack({ data, cfgs, block, weights: cfgs.map((c) => initialWeights(c.model.init, block, c.seed)), batch, extraRows: 0 });
  try {
    const perm = Array.from({ length: n }, (_, i) => i);
    const dropRng = makeRng(1, 'dropout');
    const seeds = (k: number) => (cfgs[k].model.dropout > 0 ? Array.from({ length: 4 }, () => shape.model.layers.map(() => Math.floor(dropRng() * 2 ** 31))) : null);
    for (let i = 0; i < warmup; i++) await stack.epoch(perm, seeds);
    const warmupMs = performance.now() - t0;
    let steps = 0;
    let chunk = 1;
    const t1 = performance.now();
    while (steps < maxSteps) {
      for (let i = 0; i < chunk; i++) await stack.epoch(perm, seeds);
      steps += 4 * chunk;
      if (performance.now() - t1 >= minMs) break;
      chunk = Math.max(1, Math.min(chunk * 2, Math.floor((maxSteps - steps) / 4)));
    }
    const stepMs = (performance.now() - t1) / steps;
    return { warmupMs, stepMs, samplesPerSec: (trials * batch) / (stepMs / 1000), steps };
  } finally {
    stack.dispose();
  }
}

/** probeStack on the fused WebAssembly kernel. */
export const probeFused = (shape: ProbeShape, opts: ProbeOptions = {}): Promise<ProbeTiming> => probeStack(shape, opts, wasmStack);
