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
 *    column gets std 1; regression targets too; an image that kept every pixel with one mean and
 *    std over all its values), so what it trains on is what the page trains on; and each split's
 *    filter ranking of the features (training rows only), which top-k features follows. Image
 *    rows keep the page's layout (row-major height × width × channels); the manifest says so
 *    (`data.image`: the layout and the largest raw pixel value), and the script derives each
 *    split's mean and sd from its training rows, as the page does, for the conv blocks and the
 *    augmentation of training images.
 *  - `README.md` and `requirements.txt`.
 */
import { strToU8, zipSync } from 'fflate';
import studyScript from '../../../python/study.py?raw';
import readme from '../../../python/README.md?raw';
import { metricForTask, type MetricKey } from '../analysis/metric';
import { conditionalParams } from '../experiment/conditions';
import { DEFAULT_CONV_BLOCK, MODEL_DEFAULTS, modelValue, type OptionalModelKey } from '../experiment/defaults';
import { PARAMS } from '../experiment/params';
import type { Condition, ConvBlockSpec, DataSpec, EarlyStoppingConfig, Experiment, LayerSpec, ModelSpec, ParamName, PrunerConfig, StrategyKind, Task } from '../experiment/types';
import { selectColumns } from '../data/features';
import { prepare, prepareFolds, withTestSplit } from '../data/split';
import type { Dataset } from '../data/types';
import { isConditional } from '../search/active';
import { defaultPopulationSize } from '../search/evolution';
import { defaultStartupTrials } from '../search/history';
import { gridValues } from '../search/space';
import { ConfigTree } from '../search/tree';
import { defaultStudyName } from '../study/record';
import { RUN_SEED_STRIDE, trialConfig } from '../train/config';
import type { DatasetIdentity } from '../study/types';
import { EXTERNAL_NAMES } from './names';
import { OPTUNA_FORMAT } from './optuna-attrs';
import { npzBytes, type NpyArray } from './npy';
import type { SearchedSpec } from './optuna-distributions';

/** Format tag of study.json. */
export const MANIFEST_FORMAT = 'hyperparameter-playground-python';
/** Version of study.json that python/study.py reads (2: schedules, momentum and Adam's betas,
 *  conditional parameters, per-layer units, feature selection and top-k features; 3: conv blocks,
 *  image layout and augmentation). */
export const MANIFEST_VERSION = 3;

/** One searched parameter as the script suggests it. */
export type ManifestParam = SearchedSpec & {
  /** Optuna parameter name (EXTERNAL_NAMES). */
  name: string;
  /** the app's name. */
  app: ParamName;
  /** the grid search's values of this axis (GridSampler's search space). */
  grid: (number | string)[];
  /** the trial suggests it only while its parent (an earlier entry, app name) satisfies this. */
  when?: Condition;
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
  /** searched parameters in the page's display order (parents before their children); the
   *  searched ones no trial can have (see unreachableParams) are left out, as the page's search does. */
  params: ManifestParam[];
  /** the network and training values before a trial's params are applied, every optional field
   *  filled with its default (MODEL_DEFAULTS). */
  model: ModelSpec;
  /** the order in which a trial's params are written into the model (as resolveModel applies them). */
  applyOrder: ParamName[];
  /** the conv block `convBlocks` adds to a model without one (its activation: the first hidden layer's). */
  defaultConvBlock: ConvBlockSpec;
  sampler: {
    kind: StrategyKind;
    seed: number;
    /** random trials before TPE or the GP model (the page's defaultStartupTrials). */
    nStartup: number;
    /** population of the genetic search (the page's defaultPopulationSize). */
    populationSize: number;
    /** grid points: valid configurations of the axes' grid values (only active parameters vary). */
    gridSize: number;
    /** a grid over a conditional space: every configuration (Optuna names, active parameters
     *  only), which the script visits instead of GridSampler's Cartesian product. */
    configs?: Record<string, number | string>[];
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
  /** constants of the page's tfjs training (model/build.ts); momentum and the betas are the
   *  defaults of a model that does not set its own. */
  training: { adamBeta1: number; adamBeta2: number; epsilon: number; momentum: number; rmspropDecay: number; randomNormalStd: number };
  /** what data.npz holds. `scaling`: how x is standardised with a split's training rows, per
   *  column ('column') or with one mean and sd over every value ('all': images, see prepare()).
   *  `image`: present when each row is an image with every pixel kept (row-major height × width ×
   *  channels, raw values 0..maxValue): what conv blocks and augmentation read, as the page's
   *  ImageLayout (whose mean and sd are each split's training statistics). */
  data: {
    file: string; rows: number; features: number; testRows: number; scaling: 'column' | 'all';
    image?: { width: number; height: number; channels: number; maxValue: number };
    arrays: Record<string, string>;
  };
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

/** What python/study.py reproduces, field by field and value by value. Anything else in an
 *  experiment (a new kind of block, a new optimiser, ...) is refused by `unexported`, never guessed. */
const EXPORTED = {
  model: new Set<string>(['conv', 'layers', 'dropout', 'l1', 'l2', 'init', 'optimizer', 'learningRate', 'batchSize', 'epochs', 'lrSchedule', 'lrWarmup', 'lrStepSize', 'lrDecay', 'lrFinal', 'momentum', 'beta1', 'beta2', 'topK', 'augShift', 'augRotate', 'augNoise', 'augFlip'] satisfies (keyof ModelSpec)[]),
  layer: new Set<string>(['units', 'activation'] satisfies (keyof LayerSpec)[]),
  conv: new Set<string>(['filters', 'kernel', 'stride', 'padding', 'activation', 'pool'] satisfies (keyof ConvBlockSpec)[]),
  data: new Set<string>(['id', 'noise', 'samples', 'valFraction', 'seed', 'testFraction', 'features'] satisfies (keyof DataSpec)[]),
  params: new Set<string>(['learningRate', 'batchSize', 'dropout', 'l2', 'l1', 'units', 'epochs', 'optimizer', 'activation', 'depth', 'units2', 'units3', 'units4', 'units5', 'units6', 'lrSchedule', 'lrWarmup', 'lrStepSize', 'lrDecay', 'lrFinal', 'momentum', 'beta1', 'beta2', 'topK',
    'convBlocks', 'filters', 'kernelSize', 'pooling', 'augShift', 'augRotate', 'augNoise', 'augFlip'] satisfies ParamName[]),
  activation: new Set<string>(['relu', 'tanh', 'sigmoid', 'linear']),
  padding: new Set<string>(['same', 'valid']),
  pooling: new Set<string>(['max', 'avg', 'none']),
  augFlip: new Set<string>(['off', 'horizontal']),
  optimizer: new Set<string>(['sgd', 'momentum', 'adam', 'rmsprop']),
  init: new Set<string>(['glorotUniform', 'heNormal', 'leCunNormal', 'randomNormal']),
  lrSchedule: new Set<string>(['constant', 'step', 'exponential', 'cosine']),
  strategy: new Set<string>(['grid', 'random', 'quasirandom', 'tpe', 'gp', 'evolution', 'manual']),
  pruner: new Set<string>(['none', 'median', 'asha', 'hyperband']),
};

/** The params resolveModel (model/spec.ts) applies before the others, in this order. */
const APPLY_FIRST: readonly ParamName[] = ['depth', 'convBlocks'];

/** Largest grid over a conditional space whose configurations study.json lists. */
export const MAX_GRID_CONFIGS = 10_000;

/** A field that holds nothing (absent, null, false, [] or {}): the plain dense network. */
const holdsNothing = (v: unknown): boolean =>
  v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/** An optional model field at its default: what saved experiments without the field did, which
 *  is what the script does (e.g. no augmentation). */
const atDefault = (k: string, v: unknown): boolean => k in MODEL_DEFAULTS && (MODEL_DEFAULTS as Record<string, unknown>)[k] === v;

/**
 * What of `e` the exported script does not reproduce yet, one phrase each (empty: everything).
 * A model, layer or data field it does not know is refused unless it holds nothing, and so is a
 * value (activation, optimiser, ...) or a searched parameter it has no code for.
 */
export function unexported(e: Experiment): string[] {
  const out: string[] = [];
  const value = (kind: 'activation' | 'optimizer' | 'init' | 'lrSchedule' | 'padding' | 'pooling' | 'augFlip', v: unknown, where: string) => {
    if (v !== undefined && !EXPORTED[kind].has(String(v))) out.push(`${where} "${String(v)}"`);
  };
  for (const [k, v] of Object.entries(e.model)) if (!EXPORTED.model.has(k) && !holdsNothing(v) && !atDefault(k, v)) out.push(`the model's "${k}"`);
  e.model.layers.forEach((l, i) => {
    for (const [k, v] of Object.entries(l)) if (!EXPORTED.layer.has(k) && !holdsNothing(v)) out.push(`"${k}" of hidden layer ${i + 1}`);
    value('activation', l.activation, `the activation of hidden layer ${i + 1},`);
  });
  (e.model.conv ?? []).forEach((b, i) => {
    for (const [k, v] of Object.entries(b)) if (!EXPORTED.conv.has(k) && !holdsNothing(v)) out.push(`"${k}" of conv block ${i + 1}`);
    value('activation', b.activation, `the activation of conv block ${i + 1},`);
    value('padding', b.padding, `the padding of conv block ${i + 1},`);
    value('pooling', b.pool, `the pooling of conv block ${i + 1},`);
    if (!(Number.isInteger(b.stride) && b.stride >= 1)) out.push(`the stride ${String(b.stride)} of conv block ${i + 1}`);
  });
  value('augFlip', e.model.augFlip, 'the flip augmentation');
  for (const [k, v] of Object.entries(e.data)) if (!EXPORTED.data.has(k) && !holdsNothing(v)) out.push(`the data's "${k}"`);
  value('optimizer', e.model.optimizer, 'the optimizer');
  value('init', e.model.init, 'the initialiser');
  value('lrSchedule', e.model.lrSchedule, 'the learning-rate schedule');
  for (const [name, spec] of Object.entries(e.space)) {
    if (spec.type === 'fixed') continue;
    if (!EXPORTED.params.has(name)) out.push(`the searched parameter "${name}"`);
    else if (spec.type === 'categorical' && (name === 'activation' || name === 'optimizer' || name === 'lrSchedule' || name === 'pooling' || name === 'augFlip')) {
      for (const c of spec.choices) value(name, c, `the ${PARAMS.find((p) => p.name === name)?.label.toLowerCase() ?? name} choice`);
    }
  }
  if (!EXPORTED.strategy.has(e.strategy.kind)) out.push(`the search strategy "${e.strategy.kind}"`);
  if (!EXPORTED.pruner.has(e.strategy.pruner.kind)) out.push(`the pruner "${e.strategy.pruner.kind}"`);
  return out;
}

/** The model with every optional field the script reads set (its default when the experiment leaves it out). */
function filledModel(m: ModelSpec): ModelSpec {
  const filled: ModelSpec = structuredClone(m);
  for (const k of Object.keys(MODEL_DEFAULTS) as OptionalModelKey[]) {
    if (EXPORTED.model.has(k)) (filled as unknown as Record<string, unknown>)[k] = modelValue(m, k);
  }
  return filled;
}

/** The manifest and the arrays of data.npz for `experiment` on `dataset` (the dataset its data spec names, as loaded).
 *  Throws `Not yet exported to Python: …` when the experiment holds something the script does not reproduce. */
export function pythonManifest(experiment: Experiment, dataset: Dataset): { manifest: PythonManifest; arrays: Record<string, NpyArray> } {
  const e = structuredClone(experiment);
  const missing = unexported(e);
  if (missing.length) throw new Error(`Not yet exported to Python: ${missing.join('; ')}. The script would train something else, so nothing was written.`);
  const s = e.strategy;
  // only the feature columns the experiment keeps, test rows moved to the end: as prepare() does
  const kept = selectColumns(dataset, e.data.features);
  const held = withTestSplit(kept, e.data.testFraction, e.data.seed);
  // as prepare() scales an image that kept every pixel: one mean and sd over all its values
  const img = kept.image;
  const layout = img && img.width * img.height * img.channels === kept.d ? img : undefined;
  const scaling = layout?.scaling === 'image' ? 'all' : 'column';
  const prepared = s.validation.scheme === 'kfold' ? prepareFolds(dataset, e.data, s.validation.k) : [prepare(dataset, e.data)];
  const splits = prepared.map((p) => p.split);
  const arrays: Record<string, NpyArray> = {
    x: { data: Float32Array.from(held.x), shape: [held.n, held.d] },
    y: { data: Float32Array.from(held.y), shape: [held.n] },
    test: { data: Int32Array.from(splits[0].test), shape: [splits[0].test.length] },
  };
  prepared.forEach((p, i) => {
    arrays[`train_${i}`] = { data: Int32Array.from(p.split.train), shape: [p.split.train.length] };
    arrays[`val_${i}`] = { data: Int32Array.from(p.split.val), shape: [p.split.val.length] };
    // the app's own filter ranking of this split (training rows only), for top-k features
    const rank = p.data.ranking ?? [];
    arrays[`rank_${i}`] = { data: Int32Array.from(rank), shape: [rank.length] };
  });
  const dims = conditionalParams(e);
  const params: ManifestParam[] = dims.map(({ name, spec, when }) => ({
    ...spec, name: EXTERNAL_NAMES[name], app: name, grid: gridAxis(spec, s.gridPoints), ...(when ? { when } : {}),
  }));
  const tree = new ConfigTree(dims, params.map((p) => p.grid));
  if (s.kind === 'grid' && isConditional(dims) && tree.size > BigInt(MAX_GRID_CONFIGS)) {
    throw new Error(`Not yet exported to Python: a grid over conditional parameters with ${tree.size} configurations (at most ${MAX_GRID_CONFIGS}). Use fewer grid points, or another strategy.`);
  }
  const configs = s.kind === 'grid' && isConditional(dims)
    ? Array.from({ length: Number(tree.size) }, (_, k) => Object.fromEntries(Object.entries(tree.at(BigInt(k))).map(([n, v]) => [EXTERNAL_NAMES[n as ParamName], v as number | string])))
    : undefined;
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
      featureNames: [...held.features],
      license: dataset.meta.license,
      citation: dataset.meta.citation,
      ...(dataset.meta.url ? { url: dataset.meta.url } : {}),
    },
    task: dataset.task,
    nClasses,
    metric,
    direction: metric === 'valAcc' ? 'maximize' : 'minimize',
    params,
    model: filledModel(e.model),
    // as resolveModel (model/spec.ts): depth and convBlocks first, so that units, unitsK and the
    // conv-block parameters find their layers and blocks
    applyOrder: [...APPLY_FIRST, ...PARAMS.map((p) => p.name).filter((n) => !APPLY_FIRST.includes(n))],
    defaultConvBlock: { ...DEFAULT_CONV_BLOCK },
    sampler: {
      kind: s.kind,
      seed: s.seed,
      nStartup: defaultStartupTrials(s.budget),
      populationSize: Math.max(2, defaultPopulationSize(s.budget)),
      gridSize: Number(tree.size),
      ...(configs ? { configs } : {}),
    },
    pruner: { ...s.pruner, maxEpochs: e.model.epochs },
    earlyStopping: s.earlyStopping,
    validation: { ...s.validation, splits: splits.length },
    repeats: s.repeats,
    budget: s.budget,
    // Trial 0's seeds from the app's own trial config; the per-run offsets as train/pool.ts's runGroup adds them.
    seeds: { trialBase: base.seed, shuffle: base.shuffleSeed ?? base.seed, repeatStride: RUN_SEED_STRIDE.repeat, foldStride: RUN_SEED_STRIDE.fold },
    // As src/lib/model/build.ts builds them: tfjs defaults with the float32 backend's epsilon.
    training: { adamBeta1: MODEL_DEFAULTS.beta1, adamBeta2: MODEL_DEFAULTS.beta2, epsilon: 1e-7, momentum: MODEL_DEFAULTS.momentum, rmspropDecay: 0.9, randomNormalStd: 0.05 },
    data: {
      file: 'data.npz',
      rows: held.n,
      features: held.d,
      testRows: splits[0].test.length,
      scaling,
      ...(layout ? { image: { width: layout.width, height: layout.height, channels: layout.channels, maxValue: layout.maxValue } } : {}),
      arrays: {
        x: layout ? 'float32 [rows, features]: raw pixel values, each row an image (row-major height × width × channels), test rows last' : 'float32 [rows, features]: raw values of the kept feature columns, test rows last',
        y: dataset.task === 'classification' ? 'float32 [rows]: class index' : 'float32 [rows]: raw target',
        test: 'int32: row indices of the held-out test rows',
        'train_i, val_i': `int32: row indices of split i (0..${splits.length - 1}), in the page's order`,
        rank_i: 'int32 [features]: the columns from the best filter score to the worst, on the training rows of split i (top-k features keeps the first k)',
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
