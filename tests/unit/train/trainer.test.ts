import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { trainTrial } from '../../../src/lib/train/trainer';
import type { TrainData, TrialConfig } from '../../../src/lib/train/types';
import type { ModelSpec } from '../../../src/lib/experiment/types';
import { makeRng, normal } from '../../../src/lib/search/rng';

/** Two Gaussian blobs in 2-D, separable: a model that learns reaches high accuracy. */
function blobs(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = makeRng(seed, 'blobs');
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    x[2 * i] = (c ? 1.5 : -1.5) + normal(rng) * 0.6;
    x[2 * i + 1] = (c ? 1 : -1) + normal(rng) * 0.6;
  }
  return { x, y };
}

const tr = blobs(120, 1);
const va = blobs(60, 2);
const data: TrainData = { key: 'blobs', task: 'classification', d: 2, nClasses: 2, xTrain: tr.x, yTrain: tr.y, xVal: va.x, yVal: va.y };
const base: ModelSpec = {
  layers: [{ units: 8, activation: 'relu' }], dropout: 0.1, l1: 1e-4, l2: 1e-3, init: 'glorotUniform',
  optimizer: 'adam', learningRate: 0.05, batchSize: 16, epochs: 5,
};
const cfg = (trialId: number, model: Partial<ModelSpec> = {}): TrialConfig => ({
  trialId, model: { ...base, ...model }, seed: trialId, boundaryGrid: 8, boundaryExtent: [-3, 3, -3, 3],
});

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('trainTrial', () => {
  it('learns separable blobs and reports every epoch', async () => {
    const seen: number[] = [];
    const r = await trainTrial(data, cfg(0, { epochs: 15 }), (m) => (seen.push(m.epoch), 'continue'));
    expect(r.status).toBe('complete');
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const last = r.epochs[r.epochs.length - 1];
    expect(last.valAcc).toBeGreaterThan(0.9);
    expect(last.trainLoss).toBeLessThan(r.epochs[0].trainLoss);
    expect(r.confusion?.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(r.boundary?.length).toBe(64);
    expect(r.paramCount).toBe(2 * 8 + 8 + 8 * 2 + 2);
  });

  it('stops a diverging trial as diverged, without throwing', async () => {
    const r = await trainTrial(data, cfg(1, { optimizer: 'sgd', learningRate: 1e6, epochs: 30, dropout: 0 }), () => 'continue');
    expect(r.status).toBe('diverged');
    expect(r.epochs.length).toBeLessThan(30);
    expect(r.message).toMatch(/epoch \d+/);
  });

  it('honours stop and prune from the epoch callback', async () => {
    const s = await trainTrial(data, cfg(2, { epochs: 10 }), (m) => (m.epoch === 3 ? 'stop' : 'continue'));
    expect(s.status).toBe('cancelled');
    expect(s.epochs.length).toBe(3);
    const p = await trainTrial(data, cfg(3, { epochs: 10 }), (m) => (m.epoch === 2 ? 'prune' : 'continue'));
    expect(p.status).toBe('pruned');
    expect(p.epochs.length).toBe(2);
  });

  it('leaves tf.memory().numTensors flat across 20 trials', async () => {
    await trainTrial(data, cfg(100), () => 'continue'); // warm-up: tfjs caches a few constants once
    const before = tf.memory().numTensors;
    const optimizers = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
    for (let i = 0; i < 20; i++) {
      const r = await trainTrial(data, cfg(200 + i, { optimizer: optimizers[i % 4], epochs: 2, learningRate: i === 7 ? 1e6 : 0.05 }), () => 'continue');
      expect(r.epochs.length).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});

describe('trainTrial: early stopping and the test split', () => {
  const withTest: TrainData = { ...data, key: 'blobs+test', xTest: va.x.slice(0, 40), yTest: va.y.slice(0, 20) };

  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    // A big learning rate on plain SGD makes the validation loss bounce, so it stops improving early.
    const r = await trainTrial(withTest, { ...cfg(5, { epochs: 60, optimizer: 'adam', learningRate: 0.3, dropout: 0 }), earlyStopping: { patience: 3, minDelta: 0, restoreBest: true } }, () => 'continue');
    expect(r.status).toBe('complete');
    expect(r.stoppedEarly).toBe(true);
    const n = r.epochs.length;
    expect(n).toBeLessThan(60);
    const vals = r.epochs.map((e) => e.valLoss);
    const best = vals.indexOf(Math.min(...vals)) + 1;
    expect(r.bestEpoch).toBe(best);
    // stopped exactly `patience` epochs after the best one
    expect(n - best).toBe(3);
    expect(r.restoredBest).toBe(true);
    // the test score comes from the restored (best-epoch) model
    expect(r.test?.acc).toBeGreaterThan(0.8);
    expect(Number.isFinite(r.test?.loss)).toBe(true);
  });

  it('scores the test rows once per trial and leaves no tensors behind', async () => {
    await trainTrial(withTest, { ...cfg(6), earlyStopping: { patience: 2, minDelta: 0, restoreBest: true } }, () => 'continue');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const r = await trainTrial(withTest, { ...cfg(300 + i, { epochs: 6 }), earlyStopping: { patience: 2, minDelta: 0.5, restoreBest: true } }, () => 'continue');
      expect(r.test).toBeDefined();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
