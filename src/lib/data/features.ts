/**
 * Feature selection: the columns the person keeps, and the filter scores that rank them for the
 * "top k features" hyperparameter. Scores come from the training rows only (the validation and
 * test rows never choose the features they are scored on): the ANOVA F statistic of each feature
 * across the classes (classification), or the absolute Pearson correlation with the target
 * (regression), as scikit-learn's f_classif and r_regression.
 */
import type { Task } from '../experiment/types';
import type { TrainData } from '../train/types';
import { makeDataset } from './hash';
import type { Dataset } from './types';

/** `ds` with only the feature columns named in `names`, in the dataset's order (`ds` itself when
 *  `names` is absent or keeps every column). Throws naming the columns it does not have, or when
 *  none is kept. */
export function selectColumns(ds: Dataset, names?: readonly string[]): Dataset {
  if (!names) return ds;
  const missing = names.filter((n) => !ds.features.includes(n));
  if (missing.length) throw new Error(`the experiment keeps feature${missing.length === 1 ? '' : 's'} ${missing.map((n) => `"${n}"`).join(', ')} that ${ds.name} does not have.`);
  const keep = ds.features.map((f, j) => (names.includes(f) ? j : -1)).filter((j) => j >= 0);
  if (keep.length === 0) throw new Error('the experiment keeps no feature: choose at least one.');
  if (keep.length === ds.d) return ds;
  const { hash: _hash, ...fields } = ds;
  return makeDataset({ ...fields, features: keep.map((j) => ds.features[j]), d: keep.length, x: pickColumns(ds.x, ds.d, keep) });
}

/** Columns `cols` of the row-major matrix x [n, d]: a new [n, cols.length] matrix. */
export function pickColumns(x: Float32Array, d: number, cols: readonly number[]): Float32Array {
  const n = x.length / d;
  const k = cols.length;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = x[i * d + cols[j]];
  return out;
}

/**
 * Filter score of each feature of the training rows x [n, d] with targets y [n]: the ANOVA F
 * statistic (between-class over within-class variance, classification, `classes` classes) or
 * |Pearson r| (regression). 0 for a constant feature; higher is more informative.
 */
export function featureScores(x: Float32Array, d: number, y: Float32Array, task: Task, classes: number): number[] {
  const n = y.length;
  return Array.from({ length: d }, (_, j) => {
    const col = Float64Array.from({ length: n }, (_, i) => x[i * d + j]);
    return task === 'classification' ? anovaF(col, y, classes) : Math.abs(pearson(col, y));
  });
}

function anovaF(v: Float64Array, y: Float32Array, k: number): number {
  const n = v.length;
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    sum[y[i]] += v[i];
    count[y[i]]++;
    mean += v[i] / n;
  }
  let between = 0;
  let within = 0;
  for (let c = 0; c < k; c++) if (count[c] > 0) between += count[c] * (sum[c] / count[c] - mean) ** 2;
  for (let i = 0; i < n; i++) within += (v[i] - sum[y[i]] / count[y[i]]) ** 2;
  const groups = count.filter((c) => c > 0).length;
  if (groups < 2 || between === 0) return 0;
  const dfB = groups - 1;
  const dfW = n - groups;
  return dfW > 0 && within > 0 ? between / dfB / (within / dfW) : Infinity;
}

function pearson(v: Float64Array, y: Float32Array): number {
  const n = v.length;
  let mv = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mv += v[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (v[i] - mv) * (y[i] - my);
    sxx += (v[i] - mv) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Feature indices from the highest score to the lowest (ties: the earlier column first). */
export function rankByScore(scores: readonly number[]): number[] {
  return scores.map((_, j) => j).sort((a, b) => scores[b] - scores[a] || a - b);
}

/** The filter ranking of a prepared split's features, from its training rows only. */
export function trainingRanking(data: Pick<TrainData, 'xTrain' | 'yTrain' | 'd' | 'task' | 'nClasses'>): number[] {
  return rankByScore(featureScores(data.xTrain, data.d, data.yTrain, data.task, data.nClasses));
}

/**
 * The data a trial with `topK` features trains on: the k best columns of `data.ranking` (in
 * their original order), with a key of their own. 0 (or k >= d, or no ranking) keeps every
 * column and returns `data` itself.
 */
export function topKData(data: TrainData, topK: number | undefined): TrainData {
  const k = Math.round(topK ?? 0);
  if (!(k > 0 && k < data.d) || !data.ranking) return data;
  const cols = [...data.ranking.slice(0, k)].sort((a, b) => a - b);
  const pick = (x: Float32Array) => pickColumns(x, data.d, cols);
  const { image: _image, ...rest } = data; // a few kept pixels are no longer an image
  return {
    ...rest,
    key: `${data.key}|top${k}`,
    d: k,
    xTrain: pick(data.xTrain),
    xVal: pick(data.xVal),
    ...(data.xTest ? { xTest: pick(data.xTest) } : {}),
    ranking: data.ranking.filter((j) => cols.includes(j)).map((j) => cols.indexOf(j)),
  };
}
