/**
 * Every trainer trains each epoch at its schedule's learning rate, and with the model's momentum
 * and Adam betas: the fused kernel, the batched tfjs trainer and the reference trainer agree, and
 * report the rate of each epoch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { setKernelSource, trainBatch as trainFused } from '../../../src/lib/train/fused';
import { trainBatch } from '../../../src/lib/train/batched';
import { batchKey } from '../../../src/lib/train/batching';
import { trainTrial } from '../../../src/lib/train/trainer';
import { lrCurve } from '../../../src/lib/train/schedule';
import type { EpochMetrics, TrainData, TrialConfig } from '../../../src/lib/train/types';
import type { ModelSpec } from '../../../src/lib/experiment/types';
import { makeRng, normal } from '../../../src/lib/search/rng';

function blobs(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = makeRng(seed, 'blobs3');
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 3; j++) x[3 * i + j] = (j === i % 3 ? 1 : 0) + normal(rng) * 0.7;
  }
  return { x, y };
}
const tr = blobs(120, 1);
const va = blobs(45, 2);
const data: TrainData = { key: 'sched', task: 'classification', d: 3, nClasses: 3, xTrain: tr.x, yTrain: tr.y, xVal: va.x, yVal: va.y };
const base: ModelSpec = {
  layers: [{ units: 10, activation: 'tanh' }], dropout: 0, l1: 0, l2: 1e-3,
  init: 'glorotUniform', optimizer: 'adam', learningRate: 0.05, batchSize: 16, epochs: 6,
};
const cfg = (trialId: number, model: Partial<ModelSpec>): TrialConfig => ({ trialId, model: { ...base, ...model }, seed: 3 + trialId, shuffleSeed: 9, boundaryGrid: 0 });
const go = () => 'continue' as const;

function maxRelDiff(a: EpochMetrics[], b: EpochMetrics[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.flatMap((e, i) => (['trainLoss', 'valLoss'] as const).map((k) => Math.abs(e[k] - b[i][k]) / Math.max(1e-3, Math.abs(b[i][k])))));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  setKernelSource(() => readFile(new URL('../../../src/lib/train/fused/kernel.wasm', import.meta.url)));
});

describe('learning-rate schedules in the trainers', () => {
  it.each([
    ['cosine with warm-up, Adam', { lrSchedule: 'cosine', lrWarmup: 2, lrFinal: 0.05 }],
    ['step decay, SGD with momentum 0.5', { optimizer: 'momentum', momentum: 0.5, lrSchedule: 'step', lrStepSize: 2, lrDecay: 0.3 }],
    ['exponential, RMSprop', { optimizer: 'rmsprop', learningRate: 0.01, lrSchedule: 'exponential', lrFinal: 0.1 }],
    ['constant, SGD', { optimizer: 'sgd', learningRate: 0.3 }],
    ['constant, Adam with β1 0.8, β2 0.99', { beta1: 0.8, beta2: 0.99 }],
  ] as [string, Partial<ModelSpec>][])('%s: fused = batched = reference, at the scheduled rates', async (_what, model) => {
    const c = cfg(1, model);
    const [fused] = await trainFused(data, [c], go);
    const [batched] = await trainBatch(data, [c], go);
    const plain = await trainTrial(data, c, go);
    const lrs = lrCurve(c.model);
    for (const r of [fused, batched, plain]) {
      expect(r.status).toBe('complete');
      expect(r.epochs.map((e) => e.lr)).toEqual(lrs);
    }
    expect(maxRelDiff(fused.epochs, batched.epochs)).toBeLessThan(1e-4);
    expect(maxRelDiff(fused.epochs, plain.epochs)).toBeLessThan(1e-3);
  });

  it('trials of one batch follow their own schedules, each as it would alone', async () => {
    const cfgs = [cfg(1, { lrSchedule: 'cosine', lrFinal: 0 }), cfg(2, { learningRate: 0.01 }), cfg(3, { lrSchedule: 'step', lrStepSize: 1, lrDecay: 0.5, epochs: 4 })];
    for (const train of [trainFused, trainBatch]) {
      const together = await train(data, cfgs, go);
      for (const [i, c] of cfgs.entries()) {
        const [alone] = await train(data, [c], go);
        expect(together[i].epochs.map((e) => e.lr)).toEqual(lrCurve(c.model));
        expect(maxRelDiff(together[i].epochs, alone.epochs)).toBeLessThan(1e-4);
      }
    }
  });

  it('a schedule changes training (a cosine to zero ends with a smaller step than a constant rate)', async () => {
    const [constant] = await trainBatch(data, [cfg(1, {})], go);
    const [cosine] = await trainBatch(data, [cfg(1, { lrSchedule: 'cosine', lrFinal: 0 })], go);
    expect(cosine.epochs[0].trainLoss).toBe(constant.epochs[0].trainLoss);
    expect(cosine.epochs[5].trainLoss).not.toBe(constant.epochs[5].trainLoss);
  });

  it('trials with other momentum or betas never share a batch; other schedules do', () => {
    const key = (m: Partial<ModelSpec>) => batchKey(cfg(1, m));
    expect(key({ lrSchedule: 'cosine', lrWarmup: 3 })).toBe(key({}));
    expect(key({ beta1: 0.8 })).not.toBe(key({}));
    expect(key({ optimizer: 'momentum', momentum: 0.5 })).not.toBe(key({ optimizer: 'momentum' }));
    // constants of another optimizer do not split a batch
    expect(key({ optimizer: 'sgd', beta1: 0.5 })).toBe(key({ optimizer: 'sgd' }));
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await trainBatch(data, [cfg(1, { lrSchedule: 'step', lrStepSize: 1, lrDecay: 0.5 }), cfg(2, { epochs: 3 })], go);
    await trainTrial(data, cfg(3, { optimizer: 'momentum', lrSchedule: 'cosine' }), go);
    expect(tf.memory().numTensors).toBe(before);
  });
});
