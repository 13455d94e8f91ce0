/**
 * Train/validation splits, k-fold, and feature standardisation fitted on training rows only.
 * A dataset's fixed test rows (Dataset.testRange) are never put into train or validation.
 */
import type { DataSpec } from '../experiment/types';
import { makeRng, shuffle } from '../search/rng';
import type { Rng } from '../search/rng';
import type { ImageLayout, TrainData } from '../train/types';
import { selectColumns, trainingRanking } from './features';
import { makeDataset } from './hash';
import type { Dataset } from './types';

/** Row indices into a Dataset: train and val in seeded random order; test ascending, empty unless the dataset fixes one. */
export interface SplitIndices {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** One fold of k-fold cross-validation: row indices, in seeded random order. */
export interface Fold {
  train: Int32Array;
  val: Int32Array;
}

/** Per-column mean and standard deviation (population, divide by n), length d, raw units. */
export interface ColumnStats {
  mean: number[];
  std: number[];
}

/** Rows outside the fixed test range [start, end), ascending. */
function nonTest(n: number, testRange?: readonly [number, number]): number[] {
  const [a, b] = testRange ?? [n, n];
  return Array.from({ length: n }, (_, i) => i).filter((i) => i < a || i >= b);
}

/** Indices grouped by class label (stratification strata), or one group when `labels` is absent. */
function strata(idx: number[], labels?: Float32Array): number[][] {
  if (!labels) return [idx];
  const groups = new Map<number, number[]>();
  for (const i of idx) {
    const g = groups.get(labels[i]);
    if (g) g.push(i);
    else groups.set(labels[i], [i]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((c) => groups.get(c) ?? []);
}

/** Split `total` items over groups of `sizes` in proportion (largest remainder: each gets floor or ceil of its share). */
function allocate(sizes: number[], total: number): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  const quota = sizes.map((s) => (s * total) / all);
  const out = quota.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const byRemainder = sizes.map((_, i) => i).sort((a, b) => quota[b] - out[b] - (quota[a] - out[a]) || a - b);
  for (const i of byRemainder) if (left-- > 0) out[i]++;
  return out;
}

const shuffled = (rng: Rng, a: number[]): Int32Array => Int32Array.from(shuffle(rng, a));

/**
 * Seeded train/validation split of the non-test rows, stratified by class for classification
 * (every class is split in the same proportion, up to rounding by one row).
 * valFraction: share of the non-test rows held out, 0 < f < 1 (at least one row each side).
 */
export function splitData(ds: Pick<Dataset, 'n' | 'y' | 'task' | 'testRange'>, valFraction: number, seed: number): SplitIndices {
  if (!(valFraction > 0 && valFraction < 1)) throw new RangeError(`valFraction must be in (0, 1), got ${valFraction}`);
  const pool = nonTest(ds.n, ds.testRange);
  if (pool.length < 2) throw new RangeError(`need at least 2 non-test rows to split, have ${pool.length}`);
  const rng = makeRng(seed, 'split');
  const groups = strata(pool, ds.task === 'classification' ? ds.y : undefined);
  const nVal = Math.min(pool.length - 1, Math.max(1, Math.round(valFraction * pool.length)));
  const valPerGroup = allocate(groups.map((g) => g.length), nVal);
  const train: number[] = [];
  const val: number[] = [];
  groups.forEach((g, i) => {
    shuffle(rng, g);
    val.push(...g.slice(0, valPerGroup[i]));
    train.push(...g.slice(valPerGroup[i]));
  });
  const [a, b] = ds.testRange ?? [0, 0];
  return { train: shuffled(rng, train), val: shuffled(rng, val), test: Int32Array.from({ length: b - a }, (_, i) => a + i) };
}

/**
 * Seeded k-fold cross-validation over the rows outside `testRange`.
 * of: class labels [n] to stratify by class (classification), or n for plain folds (regression).
 * The k validation folds partition the non-test rows; their sizes differ by at most one.
 */
export function kFold(of: Float32Array | number, k: number, seed: number, testRange?: readonly [number, number]): Fold[] {
  const labels = typeof of === 'number' ? undefined : of;
  const pool = nonTest(typeof of === 'number' ? of : of.length, testRange);
  if (!Number.isInteger(k) || k < 2 || k > pool.length) throw new RangeError(`k must be an integer in 2..${pool.length}, got ${k}`);
  const rng = makeRng(seed, 'kfold');
  const foldOf = new Map<number, number>();
  // Deal each shuffled class round-robin, carrying on from where the previous class stopped.
  let next = 0;
  for (const g of strata(pool, labels)) for (const i of shuffle(rng, g)) foldOf.set(i, next++ % k);
  return Array.from({ length: k }, (_, f) => ({
    train: shuffled(rng, pool.filter((i) => foldOf.get(i) !== f)),
    val: shuffled(rng, pool.filter((i) => foldOf.get(i) === f)),
  }));
}

/**
 * Fit standardisation on the training rows only: x [n, d] row-major, trainIdx rows to use.
 * A column that is (numerically) constant on those rows gets std 1, so it maps to 0 and stays finite.
 */
export function standardize(x: Float32Array, d: number, trainIdx: ArrayLike<number>): ColumnStats {
  const m = trainIdx.length;
  if (m === 0) throw new RangeError('cannot standardise on zero training rows');
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) mean[j] += x[trainIdx[r] * d + j] / m;
  for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) sq[j] += (x[trainIdx[r] * d + j] - mean[j]) ** 2 / m;
  const std = sq.map((v, j) => (Math.sqrt(v) > 1e-6 * (1 + Math.abs(mean[j])) ? Math.sqrt(v) : 1));
  return { mean, std };
}

/** Rows `idx` of x [n, d], standardised with `stats`: a new [idx.length, d] array. */
export function applyStandardize(x: Float32Array, d: number, idx: ArrayLike<number>, stats: ColumnStats): Float32Array {
  const out = new Float32Array(idx.length * d);
  for (let r = 0; r < idx.length; r++) {
    for (let j = 0; j < d; j++) out[r * d + j] = (x[idx[r] * d + j] - stats.mean[j]) / stats.std[j];
  }
  return out;
}

/** Raw value of column j -> standardised. */
export const toStandard = (stats: ColumnStats, j: number, raw: number): number => (raw - stats.mean[j]) / stats.std[j];
/** Standardised value of column j -> raw units (e.g. to label a decision-boundary grid). */
export const fromStandard = (stats: ColumnStats, j: number, z: number): number => z * stats.std[j] + stats.mean[j];

/** A dataset made ready for training, plus what the UI needs to plot it in raw units. */
export interface Prepared {
  /** the arrays a worker trains on (standardised x; y see `yStats`). */
  data: TrainData;
  /** row indices into the Dataset behind data's train/val arrays (same order). */
  split: SplitIndices;
  /** feature mean/std from the training rows, length d. */
  xStats: ColumnStats;
  /**
   * Regression only: target mean/std (length 1) from the training rows. yTrain/yVal are
   * standardised with them, so MSE is in units of the target variance (1 = predicting the mean);
   * RMSE in raw units = sqrt(mse) · std[0]. Classification y stays the class index.
   */
  yStats?: ColumnStats;
  /** the test rows, standardised the same way, when there are any (row indices in `split.test`
   *  refer to the dataset after withTestSplit). */
  test?: { x: Float32Array; y: Float32Array };
  /** names of data's feature columns (the ones the experiment keeps), length d. */
  features: string[];
}

/** Bumped whenever prepare's output for the same inputs changes, so stale worker caches miss. */
const PREPARE_VERSION = 3;

/**
 * `ds` with a held-out test split: a seeded, stratified `fraction` of its rows moved to the end and
 * marked as `testRange`, so every later split (hold-out or k-fold) leaves them alone. A dataset that
 * ships its own test split, or fraction 0, is returned unchanged.
 */
export function withTestSplit(ds: Dataset, fraction: number, seed: number): Dataset {
  if (ds.testRange || !(fraction > 0)) return ds;
  const rng = makeRng(seed, 'test');
  const all = Array.from({ length: ds.n }, (_, i) => i);
  const groups = strata(all, ds.task === 'classification' ? ds.y : undefined);
  const nTest = Math.min(ds.n - 2, Math.max(1, Math.round(fraction * ds.n)));
  const per = allocate(groups.map((g) => g.length), nTest);
  const test: number[] = [];
  const rest: number[] = [];
  groups.forEach((g, i) => {
    shuffle(rng, g);
    test.push(...g.slice(0, per[i]));
    rest.push(...g.slice(per[i]));
  });
  rest.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  const order = [...rest, ...test];
  const x = new Float32Array(ds.n * ds.d);
  order.forEach((src, dst) => x.set(ds.x.subarray(src * ds.d, (src + 1) * ds.d), dst * ds.d));
  return makeDataset({ ...ds, x, y: Float32Array.from(order, (i) => ds.y[i]), testRange: [rest.length, ds.n] });
}

/** One mean and sd over every value of the training rows, repeated for each of the d columns. */
export function standardizeAll(x: Float32Array, d: number, trainIdx: ArrayLike<number>): ColumnStats {
  const m = trainIdx.length * d;
  if (m === 0) throw new RangeError('cannot standardise on zero training rows');
  let mean = 0;
  for (let r = 0; r < trainIdx.length; r++) for (let j = 0; j < d; j++) mean += x[trainIdx[r] * d + j] / m;
  let sq = 0;
  for (let r = 0; r < trainIdx.length; r++) for (let j = 0; j < d; j++) sq += (x[trainIdx[r] * d + j] - mean) ** 2 / m;
  const std = Math.sqrt(sq) > 1e-6 * (1 + Math.abs(mean)) ? Math.sqrt(sq) : 1;
  return { mean: new Array<number>(d).fill(mean), std: new Array<number>(d).fill(std) };
}

/** The image layout of `ds`'s rows, when it is an image dataset that kept every pixel. */
function imageLayout(ds: Dataset, stats: ColumnStats): ImageLayout | undefined {
  const img = ds.image;
  if (!img || img.width * img.height * img.channels !== ds.d) return undefined;
  return { width: img.width, height: img.height, channels: img.channels, maxValue: img.maxValue, mean: stats.mean, std: stats.std };
}

/** Train/validation rows standardised with statistics of the training rows only (and the test rows likewise). */
function assemble(ds: Dataset, key: string, split: SplitIndices): Prepared {
  const layout = ds.image?.scaling === 'image' && ds.image.width * ds.image.height * ds.image.channels === ds.d;
  const xStats = (layout ? standardizeAll : standardize)(ds.x, ds.d, split.train);
  const image = imageLayout(ds, xStats);
  const yStats = ds.task === 'regression' ? standardize(ds.y, 1, split.train) : undefined;
  const ys = (idx: Int32Array) => (yStats ? applyStandardize(ds.y, 1, idx, yStats) : Float32Array.from(idx, (i) => ds.y[i]));
  const test = split.test.length > 0 ? { x: applyStandardize(ds.x, ds.d, split.test, xStats), y: ys(split.test) } : undefined;
  const data: TrainData = {
    key,
    task: ds.task,
    d: ds.d,
    nClasses: ds.task === 'classification' ? (ds.classes?.length ?? 2) : 1,
    xTrain: applyStandardize(ds.x, ds.d, split.train, xStats),
    yTrain: ys(split.train),
    xVal: applyStandardize(ds.x, ds.d, split.val, xStats),
    yVal: ys(split.val),
    ...(test ? { xTest: test.x, yTest: test.y } : {}),
    ...(image ? { image } : {}),
  };
  // the filter scores see the training rows only
  data.ranking = trainingRanking(data);
  return { data, split, xStats, yStats, test, features: [...ds.features] };
}

/**
 * Cache key of the data a spec produces: the dataset's content hash (so a different file, or other
 * generated points, never shares a key) and every input of the split. fold: null = hold-out,
 * else [index, k] of k-fold (fold 0 of 4 and fold 0 of 5 hold different rows).
 */
function keyOf(ds: Dataset, spec: DataSpec, fold: readonly [number, number] | null): string {
  const f = fold ? `fold=${fold[0]}/${fold[1]}` : `val=${spec.valFraction}`;
  return `data:v${PREPARE_VERSION}|${ds.id}|${ds.hash}|test=${spec.testFraction}|${f}|seed=${spec.seed}`;
}

/**
 * Split `ds` as `spec` says (only the feature columns it keeps; test rows held out first, then a
 * stratified seeded train/validation split), standardise x with training-row statistics, and
 * standardise regression targets likewise; rank the features by their filter score on the
 * training rows. `ds` must be the dataset named by `spec.id`; throws when spec.features names a
 * column it does not have.
 */
export function prepare(ds: Dataset, spec: DataSpec): Prepared {
  if (ds.id !== spec.id) throw new Error(`prepare: dataset '${ds.id}' does not match spec id '${spec.id}'`);
  const kept = selectColumns(ds, spec.features);
  const held = withTestSplit(kept, spec.testFraction, spec.seed);
  return assemble(held, keyOf(kept, spec, null), splitData(held, spec.valFraction, spec.seed));
}

/**
 * The k folds of k-fold cross-validation over the non-test rows, each standardised with its own
 * training rows. The test rows (if any) are the same for every fold and never in train or validation.
 */
export function prepareFolds(ds: Dataset, spec: DataSpec, k: number): Prepared[] {
  if (ds.id !== spec.id) throw new Error(`prepareFolds: dataset '${ds.id}' does not match spec id '${spec.id}'`);
  const kept = selectColumns(ds, spec.features);
  const held = withTestSplit(kept, spec.testFraction, spec.seed);
  const [a, b] = held.testRange ?? [0, 0];
  const test = Int32Array.from({ length: b - a }, (_, i) => a + i);
  return kFold(held.task === 'classification' ? held.y : held.n, k, spec.seed, held.testRange)
    .map((f, i) => assemble(held, keyOf(kept, spec, [i, k]), { train: f.train, val: f.val, test }));
}
