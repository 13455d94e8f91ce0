import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadDataset } from '../../../src/lib/data/registry';
import { prepare } from '../../../src/lib/data/split';
import { trainTrial } from '../../../src/lib/train/trainer';
import { trainBatch, probeSteps } from '../../../src/lib/train/fused/route';
import type { DataSpec, ModelSpec } from '../../../src/lib/experiment/types';
import type { TrainData } from '../../../src/lib/train/types';
import { diskFetch } from '../data/fixtures';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const spec: DataSpec = { id: 'mnist_2500', noise: 0, samples: 0, valFraction: 0.2, seed: 3, testFraction: 0 };
const cnn: ModelSpec = {
  conv: [{ filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu', pool: 'max' }],
  layers: [{ units: 32, activation: 'relu' }],
  dropout: 0, l1: 0, l2: 0, init: 'heNormal', optimizer: 'adam', learningRate: 2e-3, batchSize: 32, epochs: 3,
};
let data: TrainData;

/** The first `n` training rows of `d` (and its validation and test rows as they are). */
function head(d: TrainData, n: number): TrainData {
  return { ...d, key: `${d.key}|head${n}`, xTrain: d.xTrain.slice(0, n * d.d), yTrain: d.yTrain.slice(0, n) };
}

beforeAll(async () => {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(`${ROOT}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  expect(await tf.setBackend('wasm')).toBe(true);
  data = prepare(await loadDataset(spec, 'datasets', diskFetch()), spec).data;
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('a CNN on mnist_2500', () => {
  it('keeps the shipped test split, and standardises the image as a whole', () => {
    expect([data.yTrain.length, data.yVal.length, data.yTest?.length]).toEqual([1600, 400, 500]);
    expect(data.image).toMatchObject({ width: 28, height: 28, channels: 1, maxValue: 255 });
    expect(new Set(data.image!.mean).size).toBe(1);
  });

  it('learns: validation accuracy far above chance (10%) in 3 epochs, with shapes, filters and misclassified images', async () => {
    const r = await trainTrial(data, { trialId: 1, model: cnn, seed: 1, boundaryGrid: 0 }, () => 'continue');
    expect(r.status).toBe('complete');
    expect(r.epochs.at(-1)!.valAcc).toBeGreaterThan(0.8);
    expect(r.test?.acc).toBeGreaterThan(0.75);
    expect(r.paramCount).toBe(80 + 1568 * 32 + 32 + 330);
    expect(r.filters).toMatchObject({ kernel: 3, channels: 1, count: 8 });
    expect(r.filters!.weights).toHaveLength(72);
    const wrong = r.misclassified!;
    expect(wrong.length).toBeGreaterThan(0);
    const confusionWrong = r.confusion!.flatMap((row, i) => row.filter((_, j) => j !== i)).reduce((a, b) => a + b, 0);
    expect(wrong.length).toBe(Math.min(32, confusionWrong));
    for (const w of wrong) {
      expect(w.label).toBe(data.yVal[w.index]);
      expect(w.predicted).not.toBe(w.label);
    }
  }, 120_000);

  it('augments the training rows only: with no learning, validation and test scores are the same with or without augmentation', async () => {
    const frozen: ModelSpec = { ...cnn, optimizer: 'sgd', learningRate: 1e-30, epochs: 1 };
    const small = head(data, 256);
    const plain = await trainTrial(small, { trialId: 1, model: frozen, seed: 2, boundaryGrid: 0 }, () => 'continue');
    const aug = await trainTrial(small, { trialId: 2, model: { ...frozen, augShift: 3, augRotate: 20, augNoise: 0.3 }, seed: 2, boundaryGrid: 0 }, () => 'continue');
    expect(aug.epochs[0].valLoss).toBe(plain.epochs[0].valLoss);
    expect(aug.test).toEqual(plain.test);
    expect(aug.confusion).toEqual(plain.confusion);
    // the training rows did change: same weights, other images, another training loss
    expect(Math.abs(aug.epochs[0].trainLoss - plain.epochs[0].trainLoss)).toBeGreaterThan(1e-3);
  }, 60_000);

  it('leaves no tensor behind across 20 CNN trials (augmented, early-stopped, pruned, cancelled)', async () => {
    const small = head(data, 128);
    const run = (i: number) => trainTrial(small, {
      trialId: i, seed: i, boundaryGrid: 0,
      model: { ...cnn, conv: [{ ...cnn.conv![0], stride: i % 4 === 0 ? 2 : 1, padding: i % 3 ? 'same' : 'valid' }], epochs: 3, augShift: i % 2 ? 2 : 0, augFlip: 'off', dropout: i % 3 ? 0.2 : 0 },
      earlyStopping: { patience: 1, minDelta: 0, restoreBest: true },
    }, (m) => (i % 5 === 1 && m.epoch === 2 ? 'prune' : i % 7 === 3 ? 'stop' : 'continue'));
    await run(0); // the first trial builds the kernels
    const before = tf.memory().numTensors;
    const statuses = new Set<string>();
    for (let i = 1; i <= 20; i++) {
      statuses.add((await run(i)).status);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect([...statuses].sort()).toEqual(['cancelled', 'complete', 'pruned']);
  }, 120_000);

  it('the worker trains conv trials one at a time on the layers trainer, and probes them there', async () => {
    const small = head(data, 64);
    const cfgs = [1, 2].map((i) => ({ trialId: i, model: { ...cnn, epochs: 1 }, seed: i, boundaryGrid: 0 }));
    const seen: number[] = [];
    const rs = await trainBatch(small, cfgs, (id) => (seen.push(id), 'continue'));
    expect(rs.map((r) => [r.trialId, r.status])).toEqual([[1, 'complete'], [2, 'complete']]);
    expect(seen).toEqual([1, 2]);
    const p = await probeSteps({ model: cnn, d: 784, nClasses: 10, task: 'classification', image: { width: 28, height: 28, channels: 1 } }, { minMs: 30 });
    expect(p.trainer).toBe('layers');
    expect(p.samplesPerSec).toBeGreaterThan(0);
  }, 60_000);
});
