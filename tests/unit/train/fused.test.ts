import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { FUSED_MAX_LAYERS, fusedSupports, probeFused, setKernelSource, trainBatch as trainFused } from '../../../src/lib/train/fused';
import { instantiateKernel } from '../../../src/lib/train/fused/kernel';
import { initialWeights } from '../../../src/lib/train/fused/init';
import { blockLayout } from '../../../src/lib/train/fused/layout';
import { trainBatch } from '../../../src/lib/train/batched';
import { trainTrial } from '../../../src/lib/train/trainer';
import { buildModel } from '../../../src/lib/model/build';
import type { EpochMetrics, TrainData, TrialConfig, TrialResult } from '../../../src/lib/train/types';
import type { ModelSpec } from '../../../src/lib/experiment/types';
import { blobData, blobFlat, blobRegression } from '../../fixtures/blobs';

const [data, regression, flat] = [blobData, blobRegression, blobFlat];
const base: ModelSpec = {
  layers: [{ units: 12, activation: 'relu' }, { units: 8, activation: 'tanh' }], dropout: 0, l1: 1e-4, l2: 1e-3,
  init: 'glorotUniform', optimizer: 'adam', learningRate: 0.02, batchSize: 16, epochs: 5,
};
const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
const cfg = (trialId: number, model: Partial<ModelSpec> = {}, extra: Partial<TrialConfig> = {}): TrialConfig => ({
  trialId, model: { ...base, ...model }, seed: 10 + trialId, shuffleSeed: 77, boundaryGrid: 0, ...extra,
});
const go = () => 'continue' as const;
/** A learning rate each optimizer trains well with. */
const lrOf = (o: ModelSpec['optimizer']) => (o === 'sgd' ? 0.2 : o === 'momentum' ? 0.05 : 0.02);

/** Largest relative difference between two curves' metrics (floor 1e-3 on the denominator). */
function maxRelDiff(a: EpochMetrics[], b: EpochMetrics[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((e, i) => {
    for (const k of ['trainLoss', 'valLoss', 'trainAcc', 'valAcc'] as const) {
      const x = e[k];
      const y = b[i][k];
      if (x === undefined && y === undefined) continue;
      worst = Math.max(worst, Math.abs(x! - y!) / Math.max(1e-3, Math.abs(y!)));
    }
  });
  return worst;
}

/** The fused result agrees with a tfjs trainer's: curves, test score, confusion, bookkeeping. */
function expectSame(fused: TrialResult, ref: TrialResult, tol = 1e-4): void {
  expect(fused.trialId).toBe(ref.trialId);
  expect(fused.status).toBe(ref.status);
  expect(maxRelDiff(fused.epochs, ref.epochs)).toBeLessThan(tol);
  if (ref.test) {
    expect(Math.abs(fused.test!.loss - ref.test.loss) / ref.test.loss).toBeLessThan(tol);
    expect(fused.test!.acc).toBe(ref.test.acc);
  }
  expect(fused.confusion).toEqual(ref.confusion);
  expect(fused.paramCount).toBe(ref.paramCount);
  expect(fused.bestEpoch).toBe(ref.bestEpoch);
  expect(fused.stoppedEarly).toBe(ref.stoppedEarly);
  expect(fused.restoredBest).toBe(ref.restoredBest);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  setKernelSource(() => readFile(new URL('../../../src/lib/train/fused/kernel.wasm', import.meta.url)));
});

describe('initial weights', () => {
  it.each(['glorotUniform', 'heNormal', 'leCunNormal', 'randomNormal'] as const)('%s: exactly buildModel\'s', (init) => {
    for (const [layers, seed] of [[base.layers, 5], [[{ units: 7, activation: 'relu' as const }], 123], [[], 9]] as const) {
      const spec: ModelSpec = { ...base, init, layers: [...layers] };
      const model = buildModel(spec, 3, 'classification', 3, seed);
      const ref = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
      model.dispose();
      const block = blockLayout(spec.layers, 3, 3);
      expect(block.params).toBe(ref.length);
      expect(Array.from(initialWeights(init, block, seed).subarray(0, block.params))).toEqual(ref);
    }
  });
});

describe('one trial: fused = the reference trainer (tfjs-layers) and the batched trainer', () => {
  it.each(OPTIMIZERS)('%s with L1 and L2: same curves, test score and confusion', async (optimizer) => {
    const c = cfg(1, { optimizer, learningRate: lrOf(optimizer) });
    const [fused] = await trainFused(data, [c], go);
    const plain = await trainTrial(data, c, go);
    const [batched] = await trainBatch(data, [c], go);
    expect(fused.status).toBe('complete');
    expect(fused.epochs.length).toBe(5);
    expectSame(fused, plain, 1e-3); // the reference sums in another order (autograd): float rounding only
    expectSame(fused, batched);
    expect(fused.peakTensors).toBe(0);
  });

  it.each(OPTIMIZERS)('%s with dropout (seeded masks, as the batched trainer draws them)', async (optimizer) => {
    const c = cfg(2, { optimizer, learningRate: lrOf(optimizer), dropout: 0.3, epochs: 4 });
    const [fused] = await trainFused(data, [c], go);
    const [batched] = await trainBatch(data, [c], go);
    expectSame(fused, batched);
  });

  it('regression (MSE), sigmoid, a single hidden layer, heNormal', async () => {
    const c = cfg(3, { layers: [{ units: 10, activation: 'sigmoid' }], init: 'heNormal', l1: 0, dropout: 0.2 });
    const [fused] = await trainFused(regression, [c], go);
    const [batched] = await trainBatch(regression, [c], go);
    expectSame(fused, batched);
    expect(fused.epochs[0].trainAcc).toBeUndefined();
    expect(fused.test!.acc).toBeUndefined();
    const plain = await trainTrial(regression, { ...c, model: { ...c.model, dropout: 0 } }, go);
    const [fusedNoDrop] = await trainFused(regression, [{ ...c, model: { ...c.model, dropout: 0 } }], go);
    expectSame(fusedNoDrop, plain, 1e-3);
  });

  it('a linear model (no hidden layer) and a linear hidden layer, with the 2-D decision surface', async () => {
    for (const layers of [[], [{ units: 6, activation: 'linear' as const }]]) {
      const c = cfg(4, { layers, init: 'leCunNormal' }, { boundaryGrid: 7, boundaryExtent: [-2, 2, -2, 2] });
      const [fused] = await trainFused(flat, [c], go);
      const [batched] = await trainBatch(flat, [c], go);
      expectSame(fused, batched);
      expect(fused.boundary!.length).toBe(49);
      fused.boundary!.forEach((p, i) => expect(p).toBeCloseTo(batched.boundary![i], 5));
    }
  });

  it('argmax decision surface for three classes', async () => {
    const three: TrainData = { ...data, key: 'b3-2d', d: 2, xTrain: flat.xTrain, xVal: flat.xVal, xTest: undefined, yTest: undefined };
    const c = cfg(5, {}, { boundaryGrid: 6, boundaryExtent: [-2, 2, -2, 2] });
    const [fused] = await trainFused(three, [c], go);
    const plain = await trainTrial(three, c, go);
    expect(Array.from(fused.boundary!)).toEqual(Array.from(plain.boundary!));
  });

  // Learning rates where the three trainers' curves stay within float rounding for the whole run
  // (at Adam 0.2, say, this problem is chaotic and any two summation orders part after a few epochs).
  it.each([['sgd', 0.3], ['momentum', 0.05], ['adam', 0.05], ['rmsprop', 0.02]] as const)('%s: early stopping with restore-best stops at the same epoch and scores the best weights', async (optimizer, learningRate) => {
    const c = { ...cfg(6, { optimizer, epochs: 40, learningRate, l1: 0, l2: 0 }), earlyStopping: { patience: 3, minDelta: 0, restoreBest: true } };
    const [fused] = await trainFused(data, [c], go);
    const plain = await trainTrial(data, c, go);
    const [batched] = await trainBatch(data, [c], go);
    expect(fused.stoppedEarly).toBe(true);
    expect(fused.restoredBest).toBe(true);
    expect(fused.epochs.length).toBeLessThan(40);
    expectSame(fused, plain, 1e-3);
    expectSame(fused, batched);
  });
});

describe('K trials as one batch', () => {
  const mixed = (optimizer: ModelSpec['optimizer']): TrialConfig[] => [
    cfg(10, { optimizer, learningRate: lrOf(optimizer) * 0.2 }),
    cfg(11, { optimizer, learningRate: lrOf(optimizer), l2: 0, dropout: 0.3 }),
    cfg(12, { optimizer, learningRate: lrOf(optimizer) * 0.5, l1: 0, init: 'heNormal', epochs: 3 }),
    cfg(13, { optimizer, learningRate: lrOf(optimizer), l2: 0.01, dropout: 0.1, init: 'leCunNormal' }),
    cfg(14, { optimizer, learningRate: lrOf(optimizer) * 2, l1: 0, l2: 0, init: 'randomNormal', epochs: 4 }),
    cfg(15, { optimizer, learningRate: lrOf(optimizer), l1: 1e-3, l2: 0, dropout: 0.5, epochs: 2 }),
    cfg(16, { optimizer, learningRate: lrOf(optimizer) * 0.7 }, { earlyStopping: { patience: 1, minDelta: 0, restoreBest: true } }),
    cfg(17, { optimizer, learningRate: lrOf(optimizer) * 1.5, dropout: 0.2, l1: 0 }),
  ];

  it.each(OPTIMIZERS)('%s, K = 8: each trial matches the batched trainer and its own K = 1 run', async (optimizer) => {
    const cfgs = mixed(optimizer);
    const fused = await trainFused(data, cfgs, go);
    const batched = await trainBatch(data, cfgs, go);
    for (const [i, c] of cfgs.entries()) {
      expect(fused[i].trialId).toBe(c.trialId);
      expectSame(fused[i], batched[i]);
      const [alone] = await trainFused(data, [c], go);
      expectSame(fused[i], alone, 1e-6);
    }
  });

  it('K = 8 regression matches the batched trainer', async () => {
    const cfgs = mixed('adam').map((c) => ({ ...c, model: { ...c.model, layers: [{ units: 9, activation: 'sigmoid' as const }, { units: 5, activation: 'relu' as const }] } }));
    const fused = await trainFused(regression, cfgs, go);
    const batched = await trainBatch(regression, cfgs, go);
    cfgs.forEach((_, i) => expectSame(fused[i], batched[i]));
  });

  it('drops pruned, stopped and diverged trials and keeps training the others', async () => {
    const sgd = { optimizer: 'sgd' as const, learningRate: 0.2, layers: [{ units: 12, activation: 'relu' as const }] };
    const cfgs = [cfg(20, sgd), cfg(21, { ...sgd, learningRate: 1e6, l1: 0, l2: 0 }), cfg(22, sgd), cfg(23, sgd), cfg(24, sgd)];
    const seen = new Map<number, number[]>();
    const control = (id: number, m: EpochMetrics) => {
      seen.set(id, [...(seen.get(id) ?? []), m.epoch]);
      if (id === 22 && m.epoch === 2) return 'prune' as const;
      if (id === 23 && m.epoch === 3) return 'stop' as const;
      return 'continue' as const;
    };
    const rs = await trainFused(data, cfgs, control);
    expect(rs.map((r) => r.status)).toEqual(['complete', 'diverged', 'pruned', 'cancelled', 'complete']);
    expect(rs[1].message).toMatch(/epoch \d+.*learning rate 1000000/);
    expect(rs[2].epochs.length).toBe(2);
    expect(rs[3].epochs.length).toBe(3);
    expect(seen.get(22)).toEqual([1, 2]);
    expect(rs[2].test).toBeDefined();
    expect(rs[3].test).toBeUndefined();
    const batched = await trainBatch(data, cfgs, control);
    rs.forEach((r, i) => {
      expect(r.epochs.length).toBe(batched[i].epochs.length);
      if (r.status !== 'diverged') expectSame(r, batched[i]);
    });
  });

  it('refuses trials that cannot share a batch', async () => {
    await expect(trainFused(data, [cfg(1), cfg(2, { layers: [{ units: 3, activation: 'relu' }] })], go)).rejects.toThrow(/share/);
    expect(await trainFused(data, [], go)).toEqual([]);
  });
});

describe('the fused path', () => {
  it('creates no tensors', async () => {
    const before = tf.memory().numTensors;
    const cfgs = [cfg(30, { dropout: 0.2 }, { earlyStopping: { patience: 1, minDelta: 0, restoreBest: true } }), cfg(31, { learningRate: 1e6 }), cfg(32)];
    await trainFused(data, cfgs, (id, m) => (id === 32 && m.epoch === 2 ? 'prune' : 'continue'));
    await probeFused({ model: base, d: 3, nClasses: 3, task: 'classification' }, { trials: 2, minMs: 5 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('covers every activation, init and optimizer of the app, within the kernel\'s layer limit', async () => {
    const k = await instantiateKernel();
    expect(FUSED_MAX_LAYERS).toBe(k.MAX_LAYERS.value);
    expect(fusedSupports(base)).toBe(true);
    expect(fusedSupports({ ...base, layers: Array.from({ length: FUSED_MAX_LAYERS }, () => ({ units: 2, activation: 'relu' as const })) })).toBe(false);
    expect(fusedSupports({ ...base, layers: [{ units: 4, activation: 'gelu' as unknown as 'relu' }] })).toBe(false);
  });

  it('probe: steady-state step time of K stacked trials', async () => {
    const t = await probeFused({ model: base, d: 3, nClasses: 3, task: 'classification' }, { trials: 3, minMs: 10 });
    expect(t.steps).toBeGreaterThan(0);
    expect(t.stepMs).toBeGreaterThan(0);
    expect(t.samplesPerSec).toBeCloseTo((3 * base.batchSize) / (t.stepMs / 1000), 0);
  });
});
