/**
 * Export → Python: one zip that reproduces the page's experiment with PyTorch and Optuna outside
 * the browser. It holds
 *  - `study.py`, the script (python/study.py, the same for every study),
 *  - `study.json`, the manifest: the Experiment plus everything the script must not re-derive
 *    (grid values, start-up trials, population size, seeds, optimiser constants, parameter names),
 *  - `data.npz`, the app's own data: the raw rows after the test rows were moved to the end (x
 *    [n, d] float32, y [n] float32), the test row indices, and the train/validation row indices of
 *    every split (one for hold-out, k for k-fold). The script standardises each split with the
 *    statistics of its own training rows exactly as prepare() does (population std, a constant
 *    column gets std 1; regression targets too), so what it trains on is what the page trains on.
 *  - `README.md` and `requirements.txt`.
 */
import { strToU8, zipSync } from 'fflate';
import studyScript from '../../../python/study.py?raw';
import readme from '../../../python/README.md?raw';
import { metricForTask, type MetricKey } from '../analysis/metric';
import { searchedParams } from '../experiment/params';
import type { EarlyStoppingConfig, Experiment, ModelSpec, ParamName, PrunerConfig, StrategyKind, Task } from '../experiment/types';
import { prepare, prepareFolds, withTestSplit } from '../data/split';
import type { Dataset } from '../data/types';
import { defaultPopulationSize } from '../search/evolution';
import { defaultStartupTrials } from '../search/history';
import { gridValues } from '../search/space';
import { defaultStudyName } from '../study/record';
import { RUN_SEED_STRIDE, trialConfig } from '../train/config';
import type { DatasetIdentity } from '../study/types';
import { EXTERNAL_NAMES } from './names';
import { OPTUNA_FORMAT } from './optuna-attrs';
import { npzBytes, type NpyArray } from './npy';
import type { SearchedSpec } from './optuna-distributions';

/** Format tag of study.json. */
export const MANIFEST_FORMAT = 'hyperparameter-playground-python';
/** Version of study.json that python/study.py reads. */
export const MANIFEST_VERSION = 1;

/** One searched parameter as the script suggests it. */
export type ManifestParam = SearchedSpec & {
  /** Optuna parameter name (EXTERNAL_NAMES). */
  name: string;
  /** the app's name. */
  app: ParamName;
  /** the grid search's values of this axis (GridSampler's search space). */
  grid: (number | string)[];
};

/** study.json: everything python/study.py reads. */
export interface PythonManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  /** the `hpp_format` written into the Optuna study. */
  optunaFormat: string;
  /** default Optuna study name. */
  studyName: string;
  /** identity of experiment + data: processes whose digests differ refuse to share a study. */
  digest: string;
  experiment: Experiment;
  dataset: DatasetIdentity & { featureNames: string[]; classNames?: string[]; target?: string; license: string; citation: string; url?: string };
  task: Task;
  /** output units: classes, or 1 for regression. */
  nClasses: number;
  metric: MetricKey;
  direction: 'maximize' | 'minimize';
  /** searched parameters in the page's display order. */
  params: ManifestParam[];
  /** the network and training values before a trial's params are applied. */
  model: ModelSpec;
  sampler: {
    kind: StrategyKind;
    seed: number;
    /** random trials before TPE or the GP model (the page's defaultStartupTrials). */
    nStartup: number;
    /** population of the genetic search (the page's defaultPopulationSize). */
    populationSize: number;
    /** grid points (product of the axes' grid values). */
    gridSize: number;
  };
  pruner: PrunerConfig & { maxEpochs: number };
  earlyStopping: EarlyStoppingConfig;
  validation: { scheme: 'holdout' | 'kfold'; k: number; splits: number };
  repeats: number;
  /** trial budget of the page (the script's default --n-trials). */
  budget: number;
  /** per-run seeds as the page's pool sets them: init/dropout seed = trialBase + trial number +
   *  repeat·repeatStride + fold·foldStride; batch-order seed = shuffle + the same offset. */
  seeds: { trialBase: number; shuffle: number; repeatStride: number; foldStride: number };
  /** constants of the page's tfjs training (model/build.ts). */
  training: { adamBeta1: number; adamBeta2: number; epsilon: number; momentum: number; rmspropDecay: number; randomNormalStd: number };
  /** what data.npz holds. */
  data: { file: string; rows: number; features: number; testRows: number; arrays: Record<string, string> };
}

/** Options of pythonBundle. */
export interface PythonBundleOptions {
  /** ms since 1970, stamped on the zip entries. */
  now: number;
}

/** The exported zip: a suggested file name, its bytes, and the manifest inside it. */
export interface PythonBundle {
  fileName: string;
  bytes: Uint8Array;
  manifest: PythonManifest;
  /** the folder inside the zip (also the default study name). */
  folder: string;
}

/** 32-bit FNV-1a of a string, as 8 hex digits. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** What a study is: the experiment without its budget and the page's execution settings, and the data. */
function digestOf(e: Experiment, ds: Dataset): string {
  const { budget: _b, concurrency: _c, autoWorkers: _a, batching: _t, ...search } = e.strategy;
  return `${ds.hash}-${fnv(JSON.stringify({ data: e.data, model: e.model, space: e.space, search }))}`;
}

/** A grid axis clamped to its range (a log grid's last point may overshoot high by one rounding). */
function gridAxis(spec: SearchedSpec, points: number): (number | string)[] {
  const values = gridValues(spec, points);
  return spec.type === 'categorical' ? values : values.map((v) => Math.min(spec.high, Math.max(spec.low, Number(v))));
}

/** The manifest and the arrays of data.npz for `experiment` on `dataset` (the dataset its data spec names, as loaded). */
export function pythonManifest(experiment: Experiment, dataset: Dataset): { manifest: PythonManifest; arrays: Record<string, NpyArray> } {
  const e = structuredClone(experiment);
  const s = e.strategy;
  const held = withTestSplit(dataset, e.data.testFraction, e.data.seed);
  const splits = s.validation.scheme === 'kfold'
    ? prepareFolds(dataset, e.data, s.validation.k).map((p) => p.split)
    : [prepare(dataset, e.data).split];
  const arrays: Record<string, NpyArray> = {
    x: { data: Float32Array.from(held.x), shape: [held.n, held.d] },
    y: { data: Float32Array.from(held.y), shape: [held.n] },
    test: { data: Int32Array.from(splits[0].test), shape: [splits[0].test.length] },
  };
  splits.forEach((sp, i) => {
    arrays[`train_${i}`] = { data: Int32Array.from(sp.train), shape: [sp.train.length] };
    arrays[`val_${i}`] = { data: Int32Array.from(sp.val), shape: [sp.val.length] };
  });
  const params: ManifestParam[] = searchedParams(e.space).map(({ name, spec }) => ({ ...spec, name: EXTERNAL_NAMES[name], app: name, grid: gridAxis(spec, s.gridPoints) }));
  const metric = metricForTask(dataset.task).key;
  const digest = digestOf(e, dataset);
  const slug = defaultStudyName(e).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const nClasses = dataset.task === 'classification' ? (dataset.classes?.length ?? 2) : 1;
  const base = trialConfig(e, 0, {});
  const manifest: PythonManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    optunaFormat: OPTUNA_FORMAT,
    studyName: `${slug}-${digest.slice(-6)}`,
    digest,
    experiment: e,
    dataset: {
      id: dataset.id,
      name: dataset.name,
      task: dataset.task,
      rows: dataset.n,
      features: dataset.d,
      ...(dataset.task === 'classification' ? { classes: nClasses, classNames: dataset.classes ?? ['0', '1'] } : { target: dataset.target ?? 'target' }),
      dataHash: dataset.hash,
      featureNames: [...dataset.features],
      license: dataset.meta.license,
      citation: dataset.meta.citation,
      ...(dataset.meta.url ? { url: dataset.meta.url } : {}),
    },
    task: dataset.task,
    nClasses,
    metric,
    direction: metric === 'valAcc' ? 'maximize' : 'minimize',
    params,
    model: e.model,
    sampler: {
      kind: s.kind,
      seed: s.seed,
      nStartup: defaultStartupTrials(s.budget),
      populationSize: Math.max(2, defaultPopulationSize(s.budget)),
      gridSize: params.reduce((n, p) => n * p.grid.length, 1),
    },
    pruner: { ...s.pruner, maxEpochs: e.model.epochs },
    earlyStopping: s.earlyStopping,
    validation: { ...s.validation, splits: splits.length },
    repeats: s.repeats,
    budget: s.budget,
    // Trial 0's seeds from the app's own trial config; the per-run offsets as train/pool.ts's runGroup adds them.
    seeds: { trialBase: base.seed, shuffle: base.shuffleSeed ?? base.seed, repeatStride: RUN_SEED_STRIDE.repeat, foldStride: RUN_SEED_STRIDE.fold },
    // As src/lib/model/build.ts builds them: tfjs defaults with the float32 backend's epsilon.
    training: { adamBeta1: 0.9, adamBeta2: 0.999, epsilon: 1e-7, momentum: 0.9, rmspropDecay: 0.9, randomNormalStd: 0.05 },
    data: {
      file: 'data.npz',
      rows: held.n,
      features: held.d,
      testRows: splits[0].test.length,
      arrays: {
        x: 'float32 [rows, features]: raw feature values, test rows last',
        y: dataset.task === 'classification' ? 'float32 [rows]: class index' : 'float32 [rows]: raw target',
        test: 'int32: row indices of the held-out test rows',
        'train_i, val_i': `int32: row indices of split i (0..${splits.length - 1}), in the page's order`,
      },
    },
  };
  return { manifest, arrays };
}

/**
 * The "Export → Python" zip of `experiment` on `dataset` (the dataset its data spec names, as
 * loaded: prepare() is run on it here). Deterministic for the same inputs and `now`.
 */
export function pythonBundle(experiment: Experiment, dataset: Dataset, opts: PythonBundleOptions): PythonBundle {
  const { manifest, arrays } = pythonManifest(experiment, dataset);
  const folder = manifest.studyName;
  const mtime = new Date(Math.max(opts.now, Date.UTC(1980, 0, 2)));
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {
    [`${folder}/study.py`]: [strToU8(studyScript), { level: 6 }],
    [`${folder}/study.json`]: [strToU8(`${JSON.stringify(manifest, null, 1)}\n`), { level: 6 }],
    // already deflated inside
    [`${folder}/data.npz`]: [npzBytes(arrays, opts.now), { level: 0 }],
    [`${folder}/README.md`]: [strToU8(readme), { level: 6 }],
    [`${folder}/requirements.txt`]: [strToU8('numpy\ntorch>=1.13\noptuna>=3.1\n'), { level: 6 }],
  };
  return { fileName: `${folder}.zip`, bytes: zipSync(files, { mtime }), manifest, folder };
}
