import { describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadMlpg } from '../../../src/lib/data/mlpg';
import { prepare, prepareFolds } from '../../../src/lib/data/split';
import { STUDY_ATTRS, TRIAL_ATTRS } from '../../../src/lib/interop/optuna-attrs';
import { MANIFEST_FORMAT, MAX_GRID_CONFIGS, pythonBundle, unexported, type PythonManifest } from '../../../src/lib/interop/python-bundle';
import { DEFAULT_CONV_BLOCK, MODEL_DEFAULTS } from '../../../src/lib/experiment/defaults';
import { loadDataset } from '../../../src/lib/data/registry';
import type { Experiment } from '../../../src/lib/experiment/types';
import { defaultPopulationSize } from '../../../src/lib/search/evolution';
import { defaultStartupTrials } from '../../../src/lib/search/history';
import { diskFetch } from '../data/fixtures';
import { dataset2d, moonsExperiment } from './fixtures';

const NOW = Date.UTC(2024, 0, 1);
const SCRIPT = readFileSync(fileURLToPath(new URL('../../../python/study.py', import.meta.url)), 'utf8');

/** The arrays of an .npy file (v1.0, little-endian float32/int32). */
function npy(b: Uint8Array): number[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const start = 10 + view.getUint16(8, true);
  const float = strFromU8(b.subarray(10, start)).includes('<f4');
  return Array.from({ length: (b.length - start) / 4 }, (_, i) => (float ? view.getFloat32(start + 4 * i, true) : view.getInt32(start + 4 * i, true)));
}

function open(bytes: Uint8Array, folder: string) {
  const files = unzipSync(bytes);
  const manifest = JSON.parse(strFromU8(files[`${folder}/study.json`])) as PythonManifest;
  const npz = unzipSync(files[`${folder}/data.npz`]);
  const arrays = Object.fromEntries(Object.entries(npz).map(([k, v]) => [k.replace(/\.npy$/, ''), npy(v)]));
  return { files, manifest, arrays };
}

describe('pythonBundle: the "Export -> Python" zip', () => {
  const e = moonsExperiment({ budget: 20, epochs: 9 });
  e.space.learningRate = { type: 'float', low: 1e-3, high: 0.1, log: true };
  e.space.units = { type: 'int', low: 4, high: 32, log: true };
  e.space.optimizer = { type: 'categorical', choices: ['sgd', 'adam'] };
  e.strategy.kind = 'grid';
  const ds = dataset2d(e);
  const bundle = pythonBundle(e, ds, { now: NOW });
  const { files, manifest, arrays } = open(bundle.bytes, bundle.folder);

  it('holds the script, the manifest, the data, a README and requirements in one folder', () => {
    expect(Object.keys(files).sort()).toEqual(['README.md', 'data.npz', 'requirements.txt', 'study.json', 'study.py'].map((f) => `${bundle.folder}/${f}`));
    expect(strFromU8(files[`${bundle.folder}/study.py`])).toBe(SCRIPT);
    expect(bundle.fileName).toBe(`${bundle.folder}.zip`);
    expect(bundle.folder).toMatch(/^moons-grid-[0-9a-f]{6}$/);
  });

  it('is the same bytes for the same inputs', () => {
    expect(pythonBundle(e, ds, { now: NOW }).bytes).toEqual(bundle.bytes);
  });

  it('writes the manifest the script reads', () => {
    expect(manifest.format).toBe(MANIFEST_FORMAT);
    expect(manifest.experiment).toEqual(e);
    expect(manifest.metric).toBe('valAcc');
    expect(manifest.direction).toBe('maximize');
    expect(manifest.params.map((p) => [p.name, p.app, p.type])).toEqual([
      ['learning_rate', 'learningRate', 'float'], ['units', 'units', 'int'], ['optimizer', 'optimizer', 'categorical'],
    ]);
    // the app's own grid values (gridValues), clamped into the range so Optuna's distribution holds them
    manifest.params[0].grid.forEach((v, i) => expect(v).toBeCloseTo([0.001, 0.01, 0.1][i], 15));
    expect(manifest.params[0].grid.every((v) => Number(v) >= 0.001 && Number(v) <= 0.1)).toBe(true);
    expect(manifest.params[1].grid).toEqual([4, 11, 32]);
    // no conditional parameter: Optuna's own GridSampler over the axes, no list of configurations
    expect(manifest.sampler).toEqual({ kind: 'grid', seed: 5, nStartup: defaultStartupTrials(20), populationSize: defaultPopulationSize(20), gridSize: 3 * 3 * 2 });
    expect(manifest.params.every((p) => p.when === undefined)).toBe(true);
    // every optional model field written out with the value the page trains with
    expect(manifest.model).toEqual({ ...MODEL_DEFAULTS, ...e.model });
    expect(manifest.applyOrder[0]).toBe('depth');
    expect(manifest.seeds).toEqual({ trialBase: 5000, shuffle: 5999, repeatStride: 7919, foldStride: 104729 });
    expect(manifest.nClasses).toBe(2);
  });

  it("exports exactly the app's rows, test split and train/validation split", () => {
    const split = prepare(ds, e.data).split;
    expect(arrays.train_0).toEqual([...split.train]);
    expect(arrays.val_0).toEqual([...split.val]);
    expect(arrays.test).toEqual([...split.test]);
    expect(arrays.x).toHaveLength(ds.n * 2);
    expect(manifest.data).toMatchObject({ rows: ds.n, features: 2, testRows: split.test.length });
  });

  it('exports only the kept feature columns, and the page\'s filter ranking of each split', async () => {
    const iris = await loadMlpg('datasets/', 'iris', diskFetch());
    const k: Experiment = { ...e, data: { ...e.data, id: 'iris', features: ['petal_width_cm', 'sepal_length_cm', 'petal_length_cm'] }, strategy: { ...e.strategy, validation: { scheme: 'kfold', k: 3 } } };
    const b = pythonBundle(k, iris, { now: NOW });
    const { manifest: m, arrays: a } = open(b.bytes, b.folder);
    const folds = prepareFolds(iris, k.data, 3);
    // the dataset's column order, without sepal_width_cm (column 1)
    expect(m.dataset.featureNames).toEqual(['sepal_length_cm', 'petal_length_cm', 'petal_width_cm']);
    expect(m.data.features).toBe(3);
    expect(a.x).toHaveLength(iris.n * 3);
    const rows = prepare(iris, k.data);
    expect(a.x.slice(0, 3)).toEqual([0, 2, 3].map((j) => iris.x[j]).map((v) => Math.fround(v)));
    folds.forEach((f, i) => {
      expect(f.data.ranking).toHaveLength(3);
      expect(a[`rank_${i}`]).toEqual(f.data.ranking);
    });
    expect(rows.features).toEqual(m.dataset.featureNames);
  });

  it('marks conditional parameters with their condition, and leaves out those no trial can have', () => {
    const c = structuredClone(e);
    c.strategy.kind = 'tpe';
    c.space.optimizer = { type: 'categorical', choices: ['sgd', 'momentum'] };
    c.space.momentum = { type: 'float', low: 0.5, high: 0.9, log: false };
    c.space.beta1 = { type: 'float', low: 0.8, high: 0.9, log: false }; // adam is not among the choices
    c.space.depth = { type: 'int', low: 1, high: 3, log: false };
    c.space.units3 = { type: 'int', low: 4, high: 8, log: false };
    c.space.lrFinal = { type: 'float', low: 0.01, high: 0.5, log: true }; // lrSchedule fixed at cosine
    c.model.lrSchedule = 'cosine';
    const m = pythonBundle(c, ds, { now: NOW }).manifest;
    const byApp = Object.fromEntries(m.params.map((p) => [p.app, p]));
    expect(byApp.momentum.when).toEqual({ parent: 'optimizer', oneOf: ['momentum'] });
    expect(byApp.units3.when).toEqual({ parent: 'depth', atLeast: 3 });
    expect(byApp.lrFinal.when).toBeUndefined(); // its parent is fixed at a value that uses it
    expect(byApp.beta1).toBeUndefined();
    expect(m.params.map((p) => p.app).indexOf('depth')).toBeLessThan(m.params.map((p) => p.app).indexOf('units3'));
    expect(m.sampler.configs).toBeUndefined();
  });

  it('lists the configurations of a grid over a conditional space, and refuses one too large to list', () => {
    const g = structuredClone(e);
    g.space.optimizer = { type: 'categorical', choices: ['sgd', 'momentum'] };
    g.space.momentum = { type: 'float', low: 0.5, high: 0.9, log: false };
    const m = pythonBundle(g, ds, { now: NOW }).manifest;
    // learning rate 3 x units 3 x (sgd + momentum x 3)
    expect(m.sampler.gridSize).toBe(3 * 3 * 4);
    expect(m.sampler.configs).toHaveLength(36);
    expect(m.sampler.configs!.filter((c) => c.optimizer === 'sgd').every((c) => !('momentum' in c))).toBe(true);
    expect(m.sampler.configs!.filter((c) => c.optimizer === 'momentum').every((c) => typeof c.momentum === 'number')).toBe(true);
    g.strategy.gridPoints = 10;
    g.space.dropout = { type: 'float', low: 0, high: 0.5, log: false };
    g.space.l2 = { type: 'float', low: 1e-5, high: 1e-2, log: true };
    expect(() => pythonBundle(g, ds, { now: NOW })).toThrow(new RegExp(`^Not yet exported to Python: a grid over conditional parameters with \\d+ configurations \\(at most ${MAX_GRID_CONFIGS}\\)`));
  });

  it.each([
    ['a field of a conv block the script lacks', (x: Experiment) => Object.assign(x.model, { conv: [{ ...DEFAULT_CONV_BLOCK, dilation: 2 }] }), /^Not yet exported to Python: "dilation" of conv block 1\./],
    ['a conv padding the script lacks', (x: Experiment) => Object.assign(x.model, { conv: [{ ...DEFAULT_CONV_BLOCK, padding: 'causal' }] }), /the padding of conv block 1, "causal"/],
    ['a pooling choice the script lacks', (x: Experiment) => Object.assign(x.space, { pooling: { type: 'categorical', choices: ['max', 'global'] } }), /the pooling choice "global"/],
    ['a field of a hidden layer', (x: Experiment) => Object.assign(x.model.layers[1], { kind: 'conv2d' }), /"kind" of hidden layer 2/],
    ['an optimiser the script lacks', (x: Experiment) => Object.assign(x.model, { optimizer: 'adagrad' }), /the optimizer "adagrad"/],
    ['an activation choice the script lacks', (x: Experiment) => Object.assign(x.space, { activation: { type: 'categorical', choices: ['relu', 'gelu'] } }), /the activation choice "gelu"/],
    ['a searched parameter the script lacks', (x: Experiment) => Object.assign(x.space, { dilation: { type: 'int', low: 1, high: 2, log: false } }), /the searched parameter "dilation"/],
    ['a data field', (x: Experiment) => Object.assign(x.data, { augment: 'flip' }), /the data's "augment"/],
    ['a model field the script lacks', (x: Experiment) => Object.assign(x.model, { batchNorm: true }), /the model's "batchNorm"/],
  ])('refuses %s with "Not yet exported", rather than write a script that trains something else', (_, edit, message) => {
    const x = structuredClone(e);
    edit(x);
    expect(unexported(x).length).toBeGreaterThan(0);
    expect(() => pythonBundle(x, ds, { now: NOW })).toThrow(message);
  });

  it('exports a model whose unknown fields hold nothing', () => {
    const x = structuredClone(e);
    // absent, empty, off, or an optional field at its default (what saved experiments without it did)
    Object.assign(x.model, { conv: [], batchNorm: false, augShift: 0 });
    expect(unexported(x)).toEqual([]);
    expect(unexported(e)).toEqual([]);
  });

  it('exports conv blocks and augmentation, fixed or searched, with the image layout the script needs', async () => {
    const mnist = await loadDataset({ id: 'mnist_2500', noise: 0, samples: 0, valFraction: 0.2, seed: 3, testFraction: 0 }, 'datasets', diskFetch());
    const x = structuredClone(e);
    x.data = { id: 'mnist_2500', noise: 0, samples: 0, valFraction: 0.2, seed: 3, testFraction: 0 };
    Object.assign(x.model, { conv: [{ ...DEFAULT_CONV_BLOCK, stride: 2, padding: 'valid', pool: 'avg' }], augShift: 2, augRotate: 10, augNoise: 0.05 });
    Object.assign(x.space, {
      convBlocks: { type: 'int', low: 0, high: 2, log: false }, filters: { type: 'int', low: 4, high: 16, log: true },
      kernelSize: { type: 'categorical', choices: [3, 5] }, pooling: { type: 'categorical', choices: ['max', 'avg', 'none'] },
      augRotate: { type: 'float', low: 0, high: 15, log: false },
    });
    x.strategy.kind = 'random';
    expect(unexported(x)).toEqual([]);
    const m = pythonBundle(x, mnist, { now: NOW }).manifest;
    expect(m.version).toBe(3);
    expect(m.data.image).toEqual({ width: 28, height: 28, channels: 1, maxValue: 255 });
    expect(m.data.scaling).toBe('all');
    expect(m.model.conv).toEqual(x.model.conv);
    expect(m.model).toMatchObject({ augShift: 2, augRotate: 10, augNoise: 0.05, augFlip: 'off' });
    expect(m.defaultConvBlock).toEqual(DEFAULT_CONV_BLOCK);
    expect(m.applyOrder.slice(0, 2)).toEqual(['depth', 'convBlocks']);
    // filters, kernel size and pooling exist only while there is a conv block
    for (const name of ['filters', 'kernel_size', 'pooling'] as const) expect(m.params.find((p) => p.name === name)?.when, name).toEqual({ parent: 'convBlocks', atLeast: 1 });
    // a tabular dataset has no image layout
    expect(manifest.data.image).toBeUndefined();
  });

  it('exports every fold of k-fold cross-validation', async () => {
    const iris = await loadMlpg('datasets/', 'iris', diskFetch());
    const k = { ...e, data: { ...e.data, id: 'iris' }, strategy: { ...e.strategy, validation: { scheme: 'kfold' as const, k: 4 } } };
    const b = pythonBundle(k, iris, { now: NOW });
    const { manifest: m, arrays: a } = open(b.bytes, b.folder);
    const folds = prepareFolds(iris, k.data, 4);
    expect(m.validation).toEqual({ scheme: 'kfold', k: 4, splits: 4 });
    expect(m.nClasses).toBe(3);
    folds.forEach((f, i) => {
      expect(a[`train_${i}`]).toEqual([...f.split.train]);
      expect(a[`val_${i}`]).toEqual([...f.split.val]);
    });
    expect(m.dataset).toMatchObject({ id: 'iris', license: iris.meta.license, citation: iris.meta.citation });
  });
});

describe('the script and the app name the same Optuna attributes', () => {
  const dict = (name: string) => {
    const body = new RegExp(`^${name} = \\{([^}]*)\\}`, 'm').exec(SCRIPT)?.[1] ?? '';
    return Object.fromEntries([...body.matchAll(/"(\w+)": "(\w+)"/g)].map((m) => [m[1], m[2]]));
  };
  it.each([
    ['STUDY_ATTRS', STUDY_ATTRS as Record<string, string>],
    ['TRIAL_ATTRS', TRIAL_ATTRS as Record<string, string>],
  ])('%s', (name, attrs) => {
    const py = dict(name);
    expect(Object.keys(py).length).toBeGreaterThan(5);
    for (const key of Object.values(py)) expect(Object.values(attrs)).toContain(key);
  });
});
