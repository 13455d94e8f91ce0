import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { setKernelSource } from '../../../src/lib/train/fused';
import { probeSteps, trainBatch, usesFused } from '../../../src/lib/train/fused/route';
import type { ModelSpec } from '../../../src/lib/experiment/types';
import type { TrainData, TrialConfig } from '../../../src/lib/train/types';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const n = 64;
const xTrain = Float32Array.from({ length: 3 * n }, (_, i) => Math.sin(i * 1.7));
const data: TrainData = {
  key: 'route', task: 'classification', d: 3, nClasses: 2, xTrain, yTrain: Float32Array.from({ length: n }, (_, i) => (xTrain[3 * i] > 0 ? 1 : 0)),
  xVal: xTrain.slice(0, 30), yVal: Float32Array.from({ length: 10 }, (_, i) => (xTrain[3 * i] > 0 ? 1 : 0)),
};
const model: ModelSpec = { layers: [{ units: 8, activation: 'relu' }], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 3 };
const cfg: TrialConfig = { trialId: 1, model, seed: 3, shuffleSeed: 4, boundaryGrid: 0 };
const shape = { model, d: 3, nClasses: 2, task: 'classification' as const };
const go = () => 'continue' as const;

beforeAll(() => {
  setKernelSource(() => readFile(new URL('../../../src/lib/train/fused/kernel.wasm', import.meta.url)));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(`${ROOT}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('the worker\'s trainer choice (route.ts)', () => {
  it('trains and probes with the fused kernel on the wasm backend, creating no tensors', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
    expect(await usesFused([model])).toBe(true);
    const before = tf.memory().numTensors;
    const [r] = await trainBatch(data, [cfg], go);
    expect(r.status).toBe('complete');
    expect(r.backend).toBe('wasm');
    expect(r.peakTensors).toBe(0);
    expect((await probeSteps(shape, { minMs: 5 })).trainer).toBe('fused');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the batched tfjs trainer on other backends, and for models the kernel does not cover', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(await usesFused([model])).toBe(false);
    const [r] = await trainBatch(data, [cfg], go);
    expect(r.backend).toBe('cpu');
    expect(r.peakTensors).toBeGreaterThan(0);
    expect((await probeSteps(shape, { minMs: 5 })).trainer).toBe('tfjs');
    await tf.setBackend('wasm');
    expect(await usesFused([{ ...model, layers: [{ units: 4, activation: 'softsign' as unknown as 'relu' }] }])).toBe(false);
  });
});
