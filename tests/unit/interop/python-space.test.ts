/**
 * The exported Python study carries what the page's trainer does beyond a plain network: a
 * searched learning-rate schedule, conditional parameters (momentum under optimizer=momentum,
 * Adam's betas under adam, units of layers 2 and 3 under depth), per-layer units, the kept feature
 * columns and top-k features. Run for real with Debian's python3 (python3-torch 1.13,
 * python3-optuna 3.1) on SQLite; tiny budgets, so the file takes well under a minute on two cores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topKData } from '../../../src/lib/data/features';
import { loadMlpg } from '../../../src/lib/data/mlpg';
import { prepare } from '../../../src/lib/data/split';
import type { Dataset } from '../../../src/lib/data/types';
import { conditionalParams } from '../../../src/lib/experiment/conditions';
import type { Experiment, ModelSpec, ParamName, TrialParams } from '../../../src/lib/experiment/types';
import { EXTERNAL_NAMES } from '../../../src/lib/interop/names';
import { pythonBundle } from '../../../src/lib/interop/python-bundle';
import { buildOptimizer, disposeOptimizer } from '../../../src/lib/model/build';
import { paramCount, resolveModel } from '../../../src/lib/model/spec';
import { activeMask } from '../../../src/lib/search/active';
import { gridValues } from '../../../src/lib/search/space';
import { ConfigTree } from '../../../src/lib/search/tree';
import { lrAt, scheduleOf, type LrSchedule } from '../../../src/lib/train/schedule';
import { pythonProblem, PYTHON, runPython, unpack, reportMissingPython } from '../../python/harness';
import { diskFetch } from '../data/fixtures';
import { dataset2d, moonsExperiment } from './fixtures';

const problem = pythonProblem();
if (problem) console.warn(`SKIPPED tests/unit/interop/python-space.test.ts: ${problem}. CI must have python3-torch and python3-optuna.`);

const NOW = Date.UTC(2024, 0, 1);
const CHECKS = new URL('./space_checks.py', import.meta.url).pathname;
const APP_NAME = Object.fromEntries(Object.entries(EXTERNAL_NAMES).map(([app, ext]) => [ext, app])) as Record<string, ParamName>;
/** A trial's Optuna params under the app's names. */
const appParams = (p: Record<string, number | string>): TrialParams => Object.fromEntries(Object.entries(p).map(([k, v]) => [APP_NAME[k] ?? k, v]));

/** Iris (4 features, 3 classes) keeping 3 of its columns; a random search over a schedule, an
 *  optimiser with its own parameters, a depth with per-layer units, and top-k features. */
function spaceExperiment(): Experiment {
  const e = moonsExperiment({ budget: 16, epochs: 6 });
  e.data = { ...e.data, id: 'iris', features: ['sepal_length_cm', 'petal_length_cm', 'petal_width_cm'] };
  e.model = { ...e.model, layers: [{ units: 8, activation: 'relu' }], learningRate: 0.05, batchSize: 16, lrFinal: 0.2 };
  Object.assign(e.space, {
    lrSchedule: { type: 'categorical', choices: ['constant', 'step', 'exponential', 'cosine'] },
    lrWarmup: { type: 'int', low: 0, high: 2, log: false },
    lrStepSize: { type: 'int', low: 1, high: 3, log: false },
    lrDecay: { type: 'float', low: 0.3, high: 0.9, log: false },
    // lrFinal stays fixed (0.2): exponential and cosine trials must train with the fixed value
    optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'adam'] },
    momentum: { type: 'float', low: 0.5, high: 0.95, log: false },
    beta1: { type: 'float', low: 0.8, high: 0.95, log: false },
    beta2: { type: 'float', low: 0.99, high: 0.9999, log: false },
    depth: { type: 'int', low: 1, high: 3, log: false },
    units: { type: 'int', low: 4, high: 12, log: false },
    units2: { type: 'int', low: 4, high: 12, log: false },
    units3: { type: 'int', low: 4, high: 12, log: false },
    topK: { type: 'int', low: 1, high: 3, log: false },
  } satisfies Partial<Experiment['space']>);
  e.strategy.seed = 11;
  return e;
}

/** Runs space_checks.py on `jobs`; returns its results by job name (fails on any job's error). */
async function checks(dir: string, jobs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const file = join(dir, `jobs-${Object.keys(jobs).join('-')}.json`);
  writeFileSync(file, JSON.stringify(jobs));
  const ran = await runPython([CHECKS, file], dir);
  expect(ran.code, ran.stderr).toBe(0);
  const out = JSON.parse(ran.stdout) as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) expect((v as { error?: string }).error, `${k}: ${(v as { error?: string }).error}`).toBeUndefined();
  return out;
}

interface PyTrial { number: number; state: string; params: Record<string, number | string>; distributions: string[]; lr: number[] | null; param_count: number | null; grid_config: number | null }

/** The weights after each step of the app's optimiser for `spec` on sum((a·w - b)²). */
function appSteps(spec: ModelSpec, p: { w0: number[]; a: number[]; b: number[]; steps: number }): number[][] {
  const opt = buildOptimizer(spec);
  const w = tf.variable(tf.tensor1d(p.w0));
  const a = tf.tensor1d(p.a);
  const b = tf.tensor1d(p.b);
  const out: number[][] = [];
  for (let s = 0; s < p.steps; s++) {
    opt.minimize(() => a.mul(w).sub(b).square().sum() as tf.Scalar, false, [w]);
    out.push([...w.dataSync()]);
  }
  disposeOptimizer(opt);
  tf.dispose([w, a, b]);
  return out;
}

describe.skipIf(problem !== '')(`schedules, conditional parameters and features in the exported study, run by ${PYTHON}`, () => {
  let dir = '';
  let iris: Dataset;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hpp-python-space-'));
    iris = await loadMlpg('datasets/', 'iris', diskFetch());
    await tf.setBackend('cpu');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every trial has exactly its active parameters, trains at the schedule the page would, on the network and features the page would', async () => {
    const e = spaceExperiment();
    const folder = unpack(pythonBundle(e, iris, { now: NOW }).bytes, join(dir, 'space'));
    const db = `sqlite:///${join(dir, 'space.db')}`;
    const ran = await runPython(['study.py', '--storage', db, '--study-name', 'space', '--n-trials', '16', '--threads', '1', '--quiet'], folder);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('the study has 16 finished of 16');

    const out = await checks(dir, { trials: { kind: 'trials', url: db, study: 'space' } });
    const trials = out.trials as PyTrial[];
    expect(trials).toHaveLength(16);
    const dims = conditionalParams(e);
    const d = 3;
    for (const t of trials) {
      const p = appParams(t.params);
      const mask = activeMask(dims, dims.map((x) => p[x.name]));
      const active = dims.filter((_, i) => mask[i]).map((x) => x.name).sort();
      // no inactive parameter, every active one; and Optuna's distributions say the same
      expect(Object.keys(p).sort(), `trial ${t.number}: ${JSON.stringify(t.params)}`).toEqual(active);
      expect(t.distributions).toEqual(Object.keys(t.params).sort());
      expect(t.state, `trial ${t.number}`).toBe('COMPLETE');
      // the network it trained: depth, units per layer and top-k inputs as the page resolves them
      const model = resolveModel(e.model, p);
      const k = Math.round(Number(model.topK ?? 0));
      expect(t.param_count, `trial ${t.number}`).toBe(paramCount(model.layers, k > 0 && k < d ? k : d, 3));
      // each epoch's learning rate is the page's lrAt for the trial's resolved model
      expect(t.lr).toHaveLength(model.epochs);
      const s = scheduleOf(model);
      t.lr!.forEach((lr, i) => {
        const want = lrAt(s, model.learningRate, i + 1, model.epochs);
        expect(Math.abs(lr - want), `trial ${t.number} epoch ${i + 1}: ${lr} vs ${want}`).toBeLessThanOrEqual(1e-12 * want);
      });
    }
    // the search did reach every branch (the seed is fixed: this is not luck on a later run)
    const seen = (name: string, v: number | string) => trials.some((t) => t.params[name] === v);
    for (const o of ['sgd', 'momentum', 'adam']) expect(seen('optimizer', o), o).toBe(true);
    for (const s of ['constant', 'step', 'exponential', 'cosine']) expect(seen('lr_schedule', s), s).toBe(true);
    for (const n of [1, 2, 3]) expect(seen('layers', n), `layers ${n}`).toBe(true);
    for (const n of [1, 2, 3]) expect(seen('top_k_features', n), `top k ${n}`).toBe(true);
  }, 150_000);

  it("lr_at equals the page's lrAt for every schedule, warm-up and length; top-k keeps the page's columns; momentum and Adam's betas are the model's", async () => {
    const e = spaceExperiment();
    const folder = unpack(pythonBundle(e, iris, { now: NOW }).bytes, join(dir, 'unit'));
    const cases: { spec: Record<string, number | string>; epochs: number; schedule: LrSchedule; base: number }[] = [];
    for (const kind of ['constant', 'step', 'exponential', 'cosine'] as const) {
      for (const warmup of [0, 1, 3, 20]) {
        for (const epochs of [1, 2, 5, 13]) {
          for (const [stepSize, decay, final] of [[1, 0.5, 0.01], [3, 0.9, 0.3], [4, 0.1, 0]] as const) {
            const base = [0.1, 3e-4, 1][cases.length % 3];
            cases.push({ spec: { learningRate: base, lrSchedule: kind, lrWarmup: warmup, lrStepSize: stepSize, lrDecay: decay, lrFinal: final }, epochs, schedule: { kind, warmup, stepSize, decay, final }, base });
          }
        }
      }
    }
    const OPT = { w0: [0.5, -1, 2, 0.01], a: [1, 2, -0.5, 3], b: [0.3, 1, 1, -2], steps: 12 };
    const specs: ModelSpec[] = [
      { ...e.model, optimizer: 'momentum', learningRate: 0.05, momentum: 0.6 },
      { ...e.model, optimizer: 'adam', learningRate: 0.05, beta1: 0.7, beta2: 0.95 },
    ];
    // an image dataset that the page standardises with one mean and sd over all its pixels
    const img = moonsExperiment();
    const pixels: Dataset = { ...dataset2d(img), image: { width: 2, height: 1, channels: 1, maxValue: 1, scaling: 'image' } };
    const imageFolder = unpack(pythonBundle(img, pixels, { now: NOW }).bytes, join(dir, 'image'));
    const out = await checks(dir, {
      schedule: { kind: 'schedule', bundle: folder, cases: cases.map((c) => ({ spec: c.spec, epochs: c.epochs })) },
      topk: { kind: 'topk', bundle: folder, split: 0, ks: [0, 1, 2, 3] },
      image: { kind: 'topk', bundle: imageFolder, split: 0, ks: [0] },
      optim: { kind: 'optim', bundle: folder, specs, ...OPT },
    });

    const py = out.schedule as number[][];
    expect(py).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const app = Array.from({ length: c.epochs }, (_, j) => lrAt(c.schedule, c.base, j + 1, c.epochs));
      // the same formulas in float64; Math.pow/cos and libm's may differ in the last bit
      app.forEach((v, j) => expect(Math.abs(py[i][j] - v), `${JSON.stringify(c.spec)} epochs ${c.epochs}, epoch ${j + 1}: ${py[i][j]} vs ${v}`).toBeLessThanOrEqual(1e-13 * Math.abs(v)));
    });
    // the cases do vary: warm-up ramps, steps decay, the last epoch reaches final · base
    expect(new Set(py.flat().map((v) => v.toPrecision(6))).size).toBeGreaterThan(100);

    // top-k: the page's training rows of each k, from the page's own ranking of the kept columns
    const data = prepare(iris, e.data).data;
    const topk = out.topk as Record<string, { cols: number[] | null; x_train: number[][] }>;
    for (const k of [0, 1, 2, 3]) {
      const want = topKData(data, k);
      const got = topk[String(k)];
      expect(got.x_train[0], `k ${k}`).toHaveLength(want.d);
      const worst = Math.max(...got.x_train.flat().map((v, i) => Math.abs(v - want.xTrain[i])));
      expect(worst, `k ${k}: largest difference ${worst}`).toBeLessThan(1e-6);
    }
    expect(topk['1'].cols).toEqual([data.ranking![0]]);
    const imageRows = prepare(pixels, img.data).data.xTrain;
    const imageGot = (out.image as Record<string, { x_train: number[][] }>)['0'].x_train.flat();
    expect(imageGot).toHaveLength(imageRows.length);
    expect(Math.max(...imageGot.map((v, i) => Math.abs(v - imageRows[i])))).toBeLessThan(1e-6);
    // and that is not per-column scaling: the columns' means differ
    const colMean = (j: number) => imageGot.filter((_, i) => i % 2 === j).reduce((a, b) => a + b, 0) / (imageGot.length / 2);
    expect(Math.abs(colMean(0) - colMean(1))).toBeGreaterThan(0.01);

    const optim = out.optim as number[][][];
    specs.forEach((spec, i) => {
      const app = appSteps(spec, OPT);
      const worst = Math.max(...app.flatMap((w, s) => w.map((v, j) => Math.abs(v - optim[i][s][j]))));
      expect(worst, `${spec.optimizer}: largest difference ${worst}`).toBeLessThan(1e-5);
    });
    // and they are not tfjs' defaults: with momentum 0.9 the steps differ
    const defaults = appSteps({ ...specs[0], momentum: 0.9 }, OPT);
    expect(Math.max(...defaults.flatMap((w, s) => w.map((v, j) => Math.abs(v - optim[0][s][j]))))).toBeGreaterThan(1e-3);
  }, 120_000);

  it("a grid over a conditional space visits each of the page's configurations once", async () => {
    const e = moonsExperiment({ budget: 9, epochs: 2 });
    e.space.optimizer = { type: 'categorical', choices: ['sgd', 'momentum'] };
    e.space.momentum = { type: 'float', low: 0.5, high: 0.9, log: false };
    e.space.depth = { type: 'int', low: 1, high: 2, log: false };
    e.space.units2 = { type: 'int', low: 4, high: 8, log: false };
    e.strategy.kind = 'grid';
    e.strategy.gridPoints = 2;
    const bundle = pythonBundle(e, dataset2d(e), { now: NOW });
    const dims = conditionalParams(e);
    const tree = new ConfigTree(dims, dims.map((x) => gridValues(x.spec, 2)));
    expect(tree.size).toBe(9n);
    expect(bundle.manifest.sampler.gridSize).toBe(9);
    const folder = unpack(bundle.bytes, join(dir, 'grid'));
    const db = `sqlite:///${join(dir, 'grid.db')}`;
    const ran = await runPython(['study.py', '--storage', db, '--study-name', 'grid', '--threads', '1', '--quiet'], folder);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("sampler: the page's grid over conditional parameters (9 configurations");
    expect(ran.stdout).toContain('the study has 9 finished of 9');
    const trials = (await checks(dir, { trials: { kind: 'trials', url: db, study: 'grid' } })).trials as PyTrial[];
    const key = (p: TrialParams) => JSON.stringify(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)));
    const want = Array.from({ length: 9 }, (_, k) => key(tree.at(BigInt(k)))).sort();
    expect(trials.map((t) => key(appParams(t.params))).sort()).toEqual(want);
    expect(trials.map((t) => t.grid_config).sort((a, b) => a! - b!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  }, 120_000);
});

// without a usable Python: a failure in CI, a skip that says why elsewhere
reportMissingPython(problem);
