import { outputUnits } from '../../model/spec';
import { makeRng } from '../../search/rng';
import type { ProbeShape, ProbeTiming } from '../batching';
import { initialWeights } from '../fused/init';
import { blockLayout } from '../fused/layout';
import type { TrainData, TrialConfig } from '../types';
import { gpuDevice } from './device';
import { GpuStack } from './stack';

/**
 * Times optimisation steps of `shape` on the GPU trainer, as probeFused does on the wasm kernel
 * (same synthetic data of four mini-batches, same options, same result): an epoch is four steps,
 * a one-row validation pass and the metrics readback, so the time includes the GPU finishing.
 */
export async function probeGpu(shape: ProbeShape, opts: { trials?: number; warmup?: number; minMs?: number; maxSteps?: number } = {}): Promise<ProbeTiming> {
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
  const stack = await GpuStack.create(await gpuDevice(), { data, cfgs, block, weights: cfgs.map((c) => initialWeights(c.model.init, block, c.seed)), batch, extraRows: 0 });
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
