/**
 * The exported Python study on images: conv blocks and augmentation of the training images, run
 * for real with Debian's python3 (python3-torch 1.13, python3-optuna 3.1) against the app's own
 * model builder, augmentation and trainer (tfjs wasm backend under node, as
 * tests/unit/train/cnn.test.ts sets it up). Small budgets and few epochs on mnist_2500: the file
 * takes about a minute and a half on two cores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { augmentImages, type Augmentation } from '../../../src/lib/data/augment';
import { loadDataset } from '../../../src/lib/data/registry';
import { prepare } from '../../../src/lib/data/split';
import type { Dataset } from '../../../src/lib/data/types';
import { conditionalParams } from '../../../src/lib/experiment/conditions';
import { DEFAULT_CONV_BLOCK } from '../../../src/lib/experiment/defaults';
import type { ConvBlockSpec, DataSpec, Experiment, ModelSpec, ParamName, TrialParams } from '../../../src/lib/experiment/types';
import { EXTERNAL_NAMES } from '../../../src/lib/interop/names';
import { pythonBundle } from '../../../src/lib/interop/python-bundle';
import { blockParams, blocksOf, type InputShape } from '../../../src/lib/model/blocks';
import { buildModel } from '../../../src/lib/model/build';
import { resolveModel } from '../../../src/lib/model/spec';
import { activeMask } from '../../../src/lib/search/active';
import { makeRng } from '../../../src/lib/search/rng';
import { trainTrial } from '../../../src/lib/train/trainer';
import type { EpochMetrics, ImageLayout, TrainData } from '../../../src/lib/train/types';
import { pythonProblem, PYTHON, runPython, unpack, reportMissingPython } from '../../python/harness';
import { diskFetch } from '../data/fixtures';
import { moonsExperiment } from './fixtures';

const problem = pythonProblem();
if (problem) console.warn(`SKIPPED tests/unit/interop/python-cnn.test.ts: ${problem}. CI must have python3-torch and python3-optuna.`);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHECKS = new URL('./cnn_checks.py', import.meta.url).pathname;
const NOW = Date.UTC(2024, 0, 1);
const MNIST: DataSpec = { id: 'mnist_2500', noise: 0, samples: 0, valFraction: 0.2, seed: 3, testFraction: 0 };
const APP_NAME = Object.fromEntries(Object.entries(EXTERNAL_NAMES).map(([app, ext]) => [ext, app])) as Record<string, ParamName>;
const appParams = (p: Record<string, number | string>): TrialParams => Object.fromEntries(Object.entries(p).map(([k, v]) => [APP_NAME[k] ?? k, v]));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1);
const block = (b: Partial<ConvBlockSpec>): ConvBlockSpec => ({ ...DEFAULT_CONV_BLOCK, ...b });

/** The reference CNN of the bench (conv 8×3×3 same relu + max pool, dense 32 relu), Adam 1e-3, batch 32. */
const CNN: ModelSpec = {
  conv: [block({})], layers: [{ units: 32, activation: 'relu' }],
  dropout: 0, l1: 0, l2: 0, init: 'heNormal', optimizer: 'adam', learningRate: 1e-3, batchSize: 32, epochs: 2,
};

/** An mnist_2500 experiment with `model`, nothing searched, random search of `budget` trials. */
function mnistExperiment(model: ModelSpec, budget: number, data: Partial<DataSpec> = {}): Experiment {
  const e = moonsExperiment({ budget });
  e.data = { ...MNIST, ...data };
  e.model = structuredClone(model);
  return e;
}

interface PyTrial { number: number; state: string; params: Record<string, number | string>; distributions: string[]; param_count: number | null; val_acc: number | null; train_loss: number[] | null; epochs: number; message: string | null }

/** Runs cnn_checks.py on `jobs`; returns its results by job name (fails on any job's error). */
async function checks(dir: string, jobs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const file = join(dir, `jobs-${Object.keys(jobs).join('-')}.json`);
  writeFileSync(file, JSON.stringify(jobs));
  const ran = await runPython([CHECKS, file], dir);
  expect(ran.code, ran.stderr).toBe(0);
  const out = JSON.parse(ran.stdout) as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) expect((v as { error?: string }).error, `${k}: ${(v as { error?: string }).error}`).toBeUndefined();
  return out;
}

/** A seeded standard normal (Box–Muller on the app's rng). */
function normals(seed: number, n: number): number[] {
  const rng = makeRng(seed, 'test');
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
}

describe.skipIf(problem !== '')(`CNNs and augmentation in the exported study, run by ${PYTHON}`, () => {
  let dir = '';
  let mnist: Dataset;
  let data: TrainData;
  let folder = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hpp-python-cnn-'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(`${ROOT}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
    expect(await tf.setBackend('wasm')).toBe(true);
    mnist = await loadDataset(MNIST, 'datasets', diskFetch());
    data = prepare(mnist, MNIST).data;
    // one bundle of the reference CNN for the checks that call the script's functions directly
    folder = unpack(pythonBundle(mnistExperiment(CNN, 1), mnist, { now: NOW }).bytes, join(dir, 'ref'));
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
    rmSync(dir, { recursive: true, force: true });
  });

  it('(a) a CNN search on mnist_2500 finishes on SQLite with the budget, each trial with exactly its active parameters and the network the page would build', async () => {
    const e = mnistExperiment({ ...CNN, layers: [{ units: 16, activation: 'relu' }], learningRate: 2e-3, epochs: 1 }, 6, { valFraction: 0.5 });
    Object.assign(e.space, {
      convBlocks: { type: 'int', low: 0, high: 2, log: false },
      filters: { type: 'int', low: 2, high: 6, log: false },
      kernelSize: { type: 'categorical', choices: [3, 5] },
      pooling: { type: 'categorical', choices: ['max', 'avg', 'none'] },
      augShift: { type: 'int', low: 0, high: 2, log: false },
      augRotate: { type: 'float', low: 0, high: 10, log: false },
    } satisfies Partial<Experiment['space']>);
    e.strategy.seed = 3;
    const f = unpack(pythonBundle(e, mnist, { now: NOW }).bytes, join(dir, 'a'));
    const db = `sqlite:///${join(dir, 'a.db')}`;
    const ran = await runPython(['study.py', '--storage', db, '--study-name', 'a', '--threads', '1', '--quiet'], f);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('the study has 6 finished of 6');
    const trials = (await checks(dir, { trials: { kind: 'trials', url: db, study: 'a' } })).trials as PyTrial[];
    expect(trials).toHaveLength(6);
    const dims = conditionalParams(e);
    const input: InputShape = { d: 784, image: { width: 28, height: 28, channels: 1 } };
    for (const t of trials) {
      expect(t.state, `trial ${t.number}: ${t.message}`).toBe('COMPLETE');
      const p = appParams(t.params);
      const mask = activeMask(dims, dims.map((x) => p[x.name]));
      expect(Object.keys(p).sort(), `trial ${t.number}: ${JSON.stringify(t.params)}`).toEqual(dims.filter((_, i) => mask[i]).map((x) => x.name).sort());
      expect(t.distributions).toEqual(Object.keys(t.params).sort());
      expect(t.param_count, `trial ${t.number}: ${JSON.stringify(t.params)}`).toBe(blockParams(blocksOf(resolveModel(e.model, p), input, 'classification', 10)));
      expect(t.val_acc, `trial ${t.number}`).toBeGreaterThan(0.3);
    }
    // the fixed seed reaches both sides of the condition: dense-only trials and conv trials
    expect(trials.some((t) => t.params.conv_blocks === 0)).toBe(true);
    expect(trials.some((t) => Number(t.params.conv_blocks) >= 1)).toBe(true);
  }, 120_000);

  it("(b) trains as the app's trainer does: the same final validation accuracy over 5 seeds", async () => {
    const model: ModelSpec = { ...CNN, augShift: 2, augRotate: 10, augNoise: 0.05 };
    const seeds = 5;
    const e = mnistExperiment(model, seeds);
    const f = unpack(pythonBundle(e, mnist, { now: NOW }).bytes, join(dir, 'b'));
    const db = `sqlite:///${join(dir, 'b.db')}`;
    // the script (5 trials = 5 seeds) on the other core while the app's trainer runs the same 5 seeds here
    const script = runPython(['study.py', '--storage', db, '--study-name', 'b', '--threads', '1', '--quiet'], f);
    const s = e.strategy.seed;
    const app: EpochMetrics[][] = [];
    for (let id = 0; id < seeds; id++) {
      const r = await trainTrial(data, { trialId: id, model, seed: s * 1000 + id, shuffleSeed: s * 1000 + 999, boundaryGrid: 0 }, () => 'continue');
      expect(r.status).toBe('complete');
      app.push(r.epochs);
    }
    const ran = await script;
    expect(ran.code, ran.stderr).toBe(0);
    const trials = (await checks(dir, { trials: { kind: 'trials', url: db, study: 'b' } })).trials as PyTrial[];
    expect(trials.map((t) => t.state)).toEqual(new Array(seeds).fill('COMPLETE'));
    const py = trials.map((t) => t.val_acc!);
    const ours = app.map((c) => c[c.length - 1].valAcc!);
    // Tolerance: different random streams, so only the distributions can agree: the means differ by
    // at most 3 points, and by at most 3 standard errors of the difference (at least 1 point: 5
    // seeds estimate the spread roughly).
    const se = Math.sqrt(variance(py) / seeds + variance(ours) / seeds);
    const diff = Math.abs(mean(py) - mean(ours));
    console.log(`CNN final val acc over ${seeds} seeds: script ${mean(py).toFixed(4)} ± ${Math.sqrt(variance(py)).toFixed(4)}, app ${mean(ours).toFixed(4)} ± ${Math.sqrt(variance(ours)).toFixed(4)}; |diff| ${diff.toFixed(4)}, 3 SE ${(3 * se).toFixed(4)}`);
    expect(diff).toBeLessThanOrEqual(0.03);
    expect(diff).toBeLessThanOrEqual(Math.max(3 * se, 0.01));
    expect(mean(ours)).toBeGreaterThan(0.8);
    // the training loss of the first epoch agrees too (within 15 % + 3 SE)
    const a = app.map((c) => c[0].trainLoss);
    const p = trials.map((t) => t.train_loss![0]);
    const seLoss = Math.sqrt(variance(a) / seeds + variance(p) / seeds);
    expect(Math.abs(mean(a) - mean(p)), `epoch 1 train loss: app ${mean(a)}, script ${mean(p)}`).toBeLessThanOrEqual(0.15 * mean(a) + 3 * seLoss);
  }, 120_000);

  it("(c) strides, paddings, kernels and pooling: the script's network has the page's shapes and parameters, and with the page's weights computes the page's outputs", async () => {
    // [height, width, channels], conv blocks: square and not, one channel and several
    const configs: { image: [number, number, number]; conv: ConvBlockSpec[]; layers?: number[] }[] = [
      { image: [28, 28, 1], conv: [block({})] },
      { image: [28, 28, 1], conv: [block({ kernel: 5, stride: 2, activation: 'tanh', pool: 'avg' }), block({ kernel: 3, padding: 'valid' })], layers: [8, 8] },
      { image: [9, 7, 3], conv: [block({ kernel: 2, stride: 2, pool: 'none' }), block({ kernel: 1, padding: 'valid', activation: 'linear' })], layers: [] },
      { image: [9, 7, 3], conv: [block({ kernel: 4, activation: 'sigmoid', pool: 'avg' }), block({ kernel: 3, stride: 2, padding: 'valid', pool: 'none' })] },
      { image: [10, 10, 2], conv: [block({ kernel: 4, stride: 2, filters: 3 })] },
      { image: [28, 28, 1], conv: [block({ kernel: 5, padding: 'valid' }), block({ kernel: 5, stride: 2, pool: 'avg', filters: 4 }), block({ kernel: 3, stride: 2, pool: 'none', filters: 5 })] },
      { image: [11, 11, 1], conv: [block({ kernel: 3, stride: 2, padding: 'valid', pool: 'none' }), block({ kernel: 2, stride: 2, filters: 6, pool: 'none' })] },
    ];
    const n = 3;
    const cases = configs.map((c, i) => {
      const [height, width, channels] = c.image;
      const image = { width, height, channels };
      const d = width * height * channels;
      const spec: ModelSpec = { ...CNN, conv: c.conv, layers: (c.layers ?? [12]).map((units) => ({ units, activation: 'relu' })), dropout: i % 2 ? 0.25 : 0 };
      const model = buildModel(spec, d, 'classification', 5, i + 1, image);
      const x = normals(i, n * d);
      const logits = tf.tidy(() => (model.predict(tf.tensor2d(x, [n, d])) as tf.Tensor).dataSync());
      const weights = model.getWeights().map((w) => ({ data: [...w.dataSync()], shape: w.shape }));
      model.dispose();
      return { spec, d, image, x, n, weights, logits: [...logits], blocks: blocksOf(spec, { d, image }, 'classification', 5) };
    });
    const out = (await checks(dir, {
      forward: { kind: 'forward', bundle: folder, cases: cases.map(({ spec, d, image, weights, x }) => ({ spec, d, n_out: 5, image, weights, x, n })) },
    })).forward as { trace: { kind: string; out: number[] }[]; param_count: number; logits: number[] }[];
    cases.forEach((c, i) => {
      const what = `config ${i + 1}: ${JSON.stringify(configs[i])}`;
      expect(out[i].trace, what).toEqual(c.blocks.map((b) => ({ kind: b.kind, out: [...b.out] })));
      expect(out[i].param_count, what).toBe(blockParams(c.blocks));
      const worst = Math.max(...c.logits.map((v, j) => Math.abs(v - out[i].logits[j])));
      expect(worst, `${what}: largest logit difference ${worst}`).toBeLessThan(1e-4);
    });
  }, 60_000);

  it('(d) augmentation: training rows only (validation and test scores unchanged with a learning rate of ~0), the page\'s geometry, the page\'s distribution', async () => {
    // images of two layouts: mnist rows (one sd for all pixels) and a 5×7×2 image with its own
    // mean and sd per value, which tells rows from columns and channels apart
    const a: Augmentation = { shift: 3, rotate: 30, noise: 0, flip: true };
    const us = [[0.1, 0.9, 0.2, 0.7], [0.8, 0.3, 0.95, 0.05], [0.4, 0.5, 0.5, 0.5], [0.6, 0.0, 1.0, 0.33], [0.2, 0.75, 0.1, 0.9]];
    const scripted = (u: number[][]) => { const flat = u.flat(); let k = 0; return () => flat[k++]; };
    const draws = (u: number[][]) => ({
      flip: u.map((v) => v[0] < 0.5), theta: u.map((v) => ((v[1] * 2 - 1) * a.rotate * Math.PI) / 180),
      dx: u.map((v) => (v[2] * 2 - 1) * a.shift), dy: u.map((v) => (v[3] * 2 - 1) * a.shift),
    });
    const mnistLayout = data.image!;
    const xm = data.xTrain.slice(0, us.length * 784);
    const small: ImageLayout = {
      width: 7, height: 5, channels: 2, maxValue: 10,
      mean: Array.from({ length: 70 }, (_, j) => 3 + (j % 7) * 0.3), std: Array.from({ length: 70 }, (_, j) => 1 + (j % 5) * 0.2),
    };
    const raw = Array.from({ length: us.length * 70 }, (_, j) => Math.abs(Math.sin(j * 12.9898) * 10));
    const xs = Float32Array.from(raw, (v, j) => (v - small.mean[j % 70]) / small.std[j % 70]);
    const want = { mnist: augmentImages(xm, us.length, mnistLayout, a, scripted(us)), small: augmentImages(xs, us.length, small, a, scripted(us)) };
    // the distribution, noise included: 2000 augmentations of one image, per-pixel mean and sd
    const reps = 2000;
    const noisy: Augmentation = { shift: 2, rotate: 15, noise: 0.1, flip: true };
    const one = data.xTrain.slice(784 * 7, 784 * 8);
    const many = new Float32Array(reps * 784);
    for (let i = 0; i < reps; i++) many.set(one, i * 784);
    const appAug = augmentImages(many, reps, mnistLayout, noisy, makeRng(1, 'augment'));
    const frozen = { optimizer: 'sgd', learningRate: 1e-30, epochs: 1, dropout: 0 };
    const out = await checks(dir, {
      mnist: { kind: 'warp', bundle: folder, image: mnistLayout, x: [...xm], n: us.length, ...draws(us) },
      small: { kind: 'warp', bundle: folder, image: small, x: [...xs], n: us.length, ...draws(us) },
      stats: { kind: 'augstats', bundle: folder, image: mnistLayout, x: [...one], n: reps, aug: noisy, seed: 5 },
      leak: { kind: 'leak', bundle: folder, seed: 2, head: 256, specs: [frozen, { ...frozen, augShift: 3, augRotate: 20, augNoise: 0.3, augFlip: 'horizontal' }] },
    });
    for (const k of ['mnist', 'small'] as const) {
      const got = out[k] as number[];
      expect(got).toHaveLength(want[k].length);
      const worst = Math.max(...got.map((v, j) => Math.abs(v - want[k][j])));
      expect(worst, `${k}: largest difference from the page's augmentImages ${worst}`).toBeLessThan(1e-4);
    }
    // and the draws did move the images
    expect(Math.max(...(out.mnist as number[]).map((v, j) => Math.abs(v - xm[j])))).toBeGreaterThan(1);

    const st = out.stats as { mean: number[]; std: number[]; x_unchanged: boolean };
    expect(st.x_unchanged).toBe(true);
    const appMean = Array.from({ length: 784 }, (_, j) => { let s = 0; for (let i = 0; i < reps; i++) s += appAug[i * 784 + j]; return s / reps; });
    const appSd = appMean.map((m, j) => { let s = 0; for (let i = 0; i < reps; i++) s += (appAug[i * 784 + j] - m) ** 2; return Math.sqrt(s / (reps - 1)); });
    // per pixel, the means differ by less than 5 standard errors (784 pixels: a 5-SE miss has odds ~1e-6 per pixel)
    let worstZ = 0;
    for (let j = 0; j < 784; j++) worstZ = Math.max(worstZ, Math.abs(st.mean[j] - appMean[j]) / (Math.sqrt((st.std[j] ** 2 + appSd[j] ** 2) / reps) + 1e-6));
    expect(worstZ, `largest per-pixel z of the mean images ${worstZ}`).toBeLessThan(5);
    expect(Math.abs(mean(st.std) / mean(appSd) - 1), `mean per-pixel sd: script ${mean(st.std)}, app ${mean(appSd)}`).toBeLessThan(0.03);

    // augmentation never reaches validation or test rows: the same weights score them the same
    const [plain, aug] = out.leak as { epochs: EpochMetrics[]; test: { loss: number; acc: number } }[];
    expect(aug.epochs[0].valLoss).toBe(plain.epochs[0].valLoss);
    expect(aug.epochs[0].valAcc).toBe(plain.epochs[0].valAcc);
    expect(aug.test).toEqual(plain.test);
    // while the training rows did change: same weights, other images, another training loss
    expect(Math.abs(aug.epochs[0].trainLoss - plain.epochs[0].trainLoss)).toBeGreaterThan(1e-3);
  }, 90_000);
});

// without a usable Python: a failure in CI, a skip that says why elsewhere
reportMissingPython(problem);
