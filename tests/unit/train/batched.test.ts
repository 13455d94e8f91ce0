import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { batchKey, trainBatch } from '../../../src/lib/train/batched';
import { trainTrial } from '../../../src/lib/train/trainer';
import type { EpochMetrics, TrainData, TrialConfig, TrialResult } from '../../../src/lib/train/types';
import type { ModelSpec } from '../../../src/lib/experiment/types';
import { blobs } from '../../fixtures/blobs';

const tr = blobs(150, 1);
const va = blobs(60, 2);
const te = blobs(30, 3);
const data: TrainData = { key: 'b3', task: 'classification', d: 3, nClasses: 3, xTrain: tr.x, yTrain: tr.y, xVal: va.x, yVal: va.y };
const withTest: TrainData = { ...data, key: 'b3+test', xTest: te.x, yTest: te.y };
const regression: TrainData = {
  key: 'reg', task: 'regression', d: 3, nClasses: 1, xTrain: tr.x, xVal: va.x,
  yTrain: Float32Array.from(tr.y, (c, i) => c - tr.x[3 * i] + 0.5 * tr.x[3 * i + 1]),
  yVal: Float32Array.from(va.y, (c, i) => c - va.x[3 * i] + 0.5 * va.x[3 * i + 1]),
};
const base: ModelSpec = {
  layers: [{ units: 12, activation: 'relu' }, { units: 8, activation: 'tanh' }], dropout: 0, l1: 1e-4, l2: 1e-3,
  init: 'glorotUniform', optimizer: 'adam', learningRate: 0.02, batchSize: 16, epochs: 5,
};
const cfg = (trialId: number, model: Partial<ModelSpec> = {}, extra: Partial<TrialConfig> = {}): TrialConfig => ({
  trialId, model: { ...base, ...model }, seed: 10 + trialId, shuffleSeed: 77, boundaryGrid: 0, ...extra,
});
const go = () => 'continue' as const;

/** Largest relative difference between two curves' metrics. */
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

const last = (r: TrialResult) => r.epochs[r.epochs.length - 1];

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('trainBatch with one trial = the plain trainer', () => {
  // Same seed, init (buildModel's), batch order (shuffleSeed) and formulas: the curves agree to
  // float rounding. Without dropout, because the plain trainer's tfjs dropout layer draws its
  // masks from an unseeded generator (see buildModel), so no two runs of it agree either.
  for (const optimizer of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
    it(`${optimizer}: same curves, test score and confusion`, async () => {
      const c = { ...cfg(1, { optimizer, learningRate: optimizer === 'sgd' ? 0.2 : 0.02 }), earlyStopping: undefined };
      const plain = await trainTrial(withTest, c, go);
      const [batched] = await trainBatch(withTest, [c], go);
      expect(batched.status).toBe('complete');
      expect(maxRelDiff(batched.epochs, plain.epochs)).toBeLessThan(1e-3);
      expect(batched.test!.loss).toBeCloseTo(plain.test!.loss, 3);
      expect(batched.test!.acc).toBeCloseTo(plain.test!.acc!, 5);
      expect(batched.confusion).toEqual(plain.confusion);
      expect(batched.paramCount).toBe(plain.paramCount);
    });
  }

  it('regression (MSE), sigmoid and a single hidden layer', async () => {
    const c = cfg(2, { layers: [{ units: 10, activation: 'sigmoid' }], l1: 0 });
    const plain = await trainTrial(regression, c, go);
    const [batched] = await trainBatch(regression, [c], go);
    expect(maxRelDiff(batched.epochs, plain.epochs)).toBeLessThan(1e-3);
  });

  it('a linear model (no hidden layer) and the 2-D decision surface', async () => {
    const flat: TrainData = { ...data, key: 'b2', d: 2, xTrain: tr.x.slice(0, 300), xVal: va.x.slice(0, 120) };
    const c = cfg(3, { layers: [] }, { boundaryGrid: 6, boundaryExtent: [-2, 2, -2, 2] });
    const plain = await trainTrial(flat, c, go);
    const [batched] = await trainBatch(flat, [c], go);
    expect(maxRelDiff(batched.epochs, plain.epochs)).toBeLessThan(1e-3);
    expect(Array.from(batched.boundary!)).toEqual(Array.from(plain.boundary!));
  });

  it('early stopping with restore-best stops at the same epoch and scores the best weights', async () => {
    const c = { ...cfg(4, { epochs: 40, learningRate: 0.2, l1: 0, l2: 0 }), earlyStopping: { patience: 3, minDelta: 0, restoreBest: true } };
    const plain = await trainTrial(withTest, c, go);
    const [batched] = await trainBatch(withTest, [c], go);
    expect(batched.stoppedEarly).toBe(plain.stoppedEarly);
    expect(batched.bestEpoch).toBe(plain.bestEpoch);
    expect(batched.restoredBest).toBe(plain.restoredBest);
    expect(batched.epochs.length).toBe(plain.epochs.length);
    expect(batched.test!.loss).toBeCloseTo(plain.test!.loss, 3);
  });
});

describe('trainBatch with several trials', () => {
  it('gives each trial the curve it gets alone (same shuffleSeed), whatever shares its batch', async () => {
    const cfgs = [
      cfg(10, { learningRate: 0.003 }),
      cfg(11, { learningRate: 0.03, l2: 0, dropout: 0.3 }),
      cfg(12, { learningRate: 0.01, l1: 0, init: 'heNormal', epochs: 3 }),
      cfg(13, { learningRate: 0.05, l2: 0.01, dropout: 0.1, init: 'leCunNormal' }),
    ];
    const together = await trainBatch(withTest, cfgs, go);
    for (const [i, c] of cfgs.entries()) {
      const [alone] = await trainBatch(withTest, [c], go);
      expect(together[i].trialId).toBe(c.trialId);
      expect(together[i].epochs.length).toBe(c.model.epochs);
      expect(maxRelDiff(together[i].epochs, alone.epochs)).toBeLessThan(1e-3);
      expect(together[i].test!.acc).toBeCloseTo(alone.test!.acc!, 5);
    }
  });

  it('final losses are statistically those of separate plain training over seeds', async () => {
    // 8 seeds, dropout on: batched (one shared data order) vs the plain trainer (own order per
    // seed, unseeded tfjs dropout). The means must agree within sampling error.
    const spec = { dropout: 0.2, epochs: 6, learningRate: 0.01 };
    const seeds = Array.from({ length: 8 }, (_, i) => 100 + i);
    const batched = await trainBatch(data, seeds.map((s) => ({ ...cfg(s, spec), seed: s })), go);
    const plain: number[] = [];
    for (const s of seeds) plain.push(last(await trainTrial(data, { ...cfg(s, spec), seed: s, shuffleSeed: undefined }, go)).valLoss);
    const b = batched.map((r) => last(r).valLoss);
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const v = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1);
    const se = Math.sqrt(v(b) / b.length + v(plain) / plain.length);
    const t = Math.abs(mean(b) - mean(plain)) / se;
    expect(t).toBeLessThan(3); // Welch t, ~14 d.f.: p ≈ 0.01 two-sided
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
    const rs = await trainBatch(withTest, cfgs, control);
    expect(rs.map((r) => r.status)).toEqual(['complete', 'diverged', 'pruned', 'cancelled', 'complete']);
    expect(rs[2].epochs.length).toBe(2);
    expect(rs[3].epochs.length).toBe(3);
    expect(rs[1].message).toMatch(/epoch \d+/);
    expect(seen.get(22)).toEqual([1, 2]);
    expect(rs[2].test).toBeDefined();
    expect(rs[3].test).toBeUndefined();
    // the survivors are unaffected by who left
    for (const i of [0, 4]) {
      const [alone] = await trainBatch(withTest, [cfgs[i]], go);
      expect(maxRelDiff(rs[i].epochs, alone.epochs)).toBeLessThan(1e-3);
    }
  });

  it('refuses trials that cannot share a batch', async () => {
    expect(batchKey(cfg(1))).toBe(batchKey(cfg(2, { learningRate: 0.5, dropout: 0.2, l2: 0, epochs: 9, init: 'heNormal' })));
    expect(batchKey(cfg(1))).not.toBe(batchKey(cfg(1, { batchSize: 8 })));
    expect(batchKey(cfg(1))).not.toBe(batchKey(cfg(1, { optimizer: 'sgd' })));
    expect(batchKey(cfg(1))).not.toBe(batchKey(cfg(1, {}, { shuffleSeed: 5 })));
    await expect(trainBatch(data, [cfg(1), cfg(2, { layers: [{ units: 3, activation: 'relu' }] })], go)).rejects.toThrow(/share/);
  });

  it('leaves tf.memory().numTensors flat', async () => {
    const mixed = (i: number) => [
      cfg(300 + i, { optimizer: (['sgd', 'momentum', 'adam', 'rmsprop'] as const)[i % 4], dropout: 0.2, epochs: 3 }, { earlyStopping: { patience: 1, minDelta: 0, restoreBest: true } }),
      cfg(310 + i, { optimizer: (['sgd', 'momentum', 'adam', 'rmsprop'] as const)[i % 4], learningRate: i === 0 || i === 4 ? 1e6 : 0.01, epochs: 2 }),
      cfg(320 + i, { optimizer: (['sgd', 'momentum', 'adam', 'rmsprop'] as const)[i % 4], l1: 0, l2: 0, epochs: 4 }),
    ];
    await trainBatch(withTest, mixed(0), go); // warm-up: tfjs caches a few constants once
    const before = tf.memory().numTensors;
    for (let i = 0; i < 8; i++) {
      const rs = await trainBatch(withTest, mixed(i), (id, m) => (id === 320 + i && m.epoch === 2 ? 'prune' : 'continue'));
      expect(rs.every((r) => r.epochs.length > 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
