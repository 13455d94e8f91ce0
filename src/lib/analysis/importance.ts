/**
 * Hyperparameter importance, fANOVA style (Hutter, Hoos & Leyton-Brown 2014), computed the way
 * Optuna's FanovaImportanceEvaluator does: fit a seeded random forest of regression trees on
 * (unit-cube params -> objective); in each tree, the importance of a parameter is the variance
 * of its marginal prediction (the tree averaged over every other parameter) divided by the
 * tree's total variance, both taken over the tree's partition of the unit cube; average over
 * trees and normalise to sum 1. Unlike Optuna, params enter in unit-cube coordinates
 * (log-scaled where the search is), so "half the range" means what the search meant by it.
 * Categorical params enter as their unit-cube bin centres, i.e. as ordered codes.
 */
import type { ParamName, TrialParams } from '../experiment/types';
import { makeRng, randInt } from '../search/rng';
import type { Rng } from '../search/rng';
import { unitFromParams } from '../search/space';
import type { Dimension } from '../search/types';
import { spearman } from './stats';

/** Defaults of the forest and of the trend label; one place. */
export const IMPORTANCE_DEFAULTS = {
  /** trees in the forest (Optuna: 64). */
  nTrees: 64,
  /** maximum depth of a tree (Optuna: 64, i.e. effectively unlimited for study-sized data). */
  maxDepth: 64,
  /** a node with fewer samples is not split (Optuna/scikit-learn: 2). */
  minSamplesSplit: 2,
  /** fewest samples in a leaf (Optuna/scikit-learn: 1). */
  minSamplesLeaf: 1,
  /** |Spearman| at or above which a trend ("higher is worse") is reported; below it, 'none'. */
  trendThreshold: 0.3,
  /** seed of the forest's bootstrap when none is given. */
  seed: 0,
} as const;

/** Options of the random forest. */
export interface ForestOptions {
  /** seed of the bootstrap samples; same data + seed => same importances. */
  seed?: number;
  nTrees?: number;
  maxDepth?: number;
  minSamplesLeaf?: number;
}

/** A leaf of a regression tree: an axis-aligned box [lo, hi) of the unit cube and its prediction. */
interface Leaf {
  lo: number[];
  hi: number[];
  value: number;
}

/**
 * Grows one CART regression tree (least squares, midpoint thresholds) on rows `ids` of X
 * (repeats allowed: a bootstrap sample); returns its leaves. Rows are sorted once per feature
 * and each split partitions the sorted lists stably, so a level costs O(n·d), not O(n·d·log n).
 */
function growTree(X: readonly (readonly number[])[], y: readonly number[], ids: number[], maxDepth: number, minLeaf: number): Leaf[] {
  const d = X[0].length;
  const leaves: Leaf[] = [];
  const minSplit = Math.max(IMPORTANCE_DEFAULTS.minSamplesSplit, 2 * minLeaf);
  // positions 0..n-1 index the bootstrap sample; columns as typed arrays for a tight inner loop
  const cols = Array.from({ length: d }, (_, f) => Float64Array.from(ids, (i) => X[i][f]));
  const ys = Float64Array.from(ids, (i) => y[i]);
  const goesLeft = new Uint8Array(ids.length);
  const grow = (byF: number[][], lo: number[], hi: number[], depth: number) => {
    const rows = byF[0];
    const n = rows.length;
    let sum = 0;
    let sumSq = 0;
    for (const r of rows) {
      sum += ys[r];
      sumSq += ys[r] * ys[r];
    }
    const parentSse = sumSq - (sum * sum) / n;
    const eps = 1e-12 * Math.max(1, sumSq);
    // a node with (numerically) constant y is pure
    if (depth >= maxDepth || n < minSplit || parentSse <= eps) {
      leaves.push({ lo, hi, value: sum / n });
      return;
    }
    let bestSse = parentSse;
    let bestF = -1;
    let bestThr = 0;
    for (let f = 0; f < d; f++) {
      const sorted = byF[f];
      const col = cols[f];
      let ls = 0;
      let lsq = 0;
      for (let j = 1; j < n; j++) {
        const yj = ys[sorted[j - 1]];
        ls += yj;
        lsq += yj * yj;
        if (j < minLeaf || n - j < minLeaf) continue;
        const a = col[sorted[j - 1]];
        const b = col[sorted[j]];
        if (!(a < b)) continue;
        const rs = sum - ls;
        const rsq = sumSq - lsq;
        const sse = lsq - (ls * ls) / j + rsq - (rs * rs) / (n - j);
        if (sse < bestSse - eps) {
          bestSse = sse;
          bestF = f;
          bestThr = (a + b) / 2;
        }
      }
    }
    if (bestF < 0) {
      leaves.push({ lo, hi, value: sum / n });
      return;
    }
    for (const r of rows) goesLeft[r] = cols[bestF][r] <= bestThr ? 1 : 0;
    const left = byF.map((list) => list.filter((r) => goesLeft[r] === 1));
    const right = byF.map((list) => list.filter((r) => goesLeft[r] === 0));
    const hiL = [...hi];
    hiL[bestF] = bestThr;
    const loR = [...lo];
    loR[bestF] = bestThr;
    grow(left, lo, hiL, depth + 1);
    grow(right, loR, hi, depth + 1);
  };
  const all = ids.map((_, p) => p);
  const byF = cols.map((col) => [...all].sort((a, b) => col[a] - col[b] || a - b));
  grow(byF, new Array<number>(d).fill(0), new Array<number>(d).fill(1), 0);
  return leaves;
}

/**
 * Per feature, the fraction of the tree's variance explained by that feature's marginal, over
 * the tree's partition of the unit cube (volume-weighted). null when the tree is constant.
 */
function treeFractions(leaves: readonly Leaf[], d: number): number[] | null {
  const vol = leaves.map((l) => l.lo.reduce((v, lo, f) => v * (l.hi[f] - lo), 1));
  const total = vol.reduce((a, b) => a + b, 0);
  const mu = leaves.reduce((a, l, i) => a + vol[i] * l.value, 0) / total;
  const variance = leaves.reduce((a, l, i) => a + vol[i] * (l.value - mu) ** 2, 0) / total;
  if (!(variance > 1e-15 * Math.max(1, mu * mu))) return null;
  const out: number[] = [];
  for (let f = 0; f < d; f++) {
    const cuts = [...new Set(leaves.flatMap((l) => [l.lo[f], l.hi[f]]))].sort((a, b) => a - b);
    const index = new Map(cuts.map((c, i) => [c, i]));
    // marginal[k] = mean prediction over the other features for feature f in (cuts[k], cuts[k+1]);
    // each leaf adds a constant over a run of intervals, so accumulate a difference array
    const diff = new Float64Array(cuts.length);
    leaves.forEach((l, i) => {
      const width = l.hi[f] - l.lo[f];
      if (width <= 0) return;
      const c = (l.value * vol[i]) / width / total;
      diff[index.get(l.lo[f])!] += c;
      diff[index.get(l.hi[f])!] -= c;
    });
    const marginal = new Array<number>(cuts.length - 1);
    let run = 0;
    for (let k = 0; k < marginal.length; k++) marginal[k] = run += diff[k];
    let v = 0;
    let span = 0;
    for (let k = 0; k < marginal.length; k++) {
      const w = cuts[k + 1] - cuts[k];
      v += w * (marginal[k] - mu) ** 2;
      span += w;
    }
    out.push(Math.max(0, v / span / variance));
  }
  return out;
}

/**
 * fANOVA main-effect fractions of each column of `X` for `y`, averaged over a seeded random
 * forest (bootstrap rows, all features per split). `X`: [n, d] with every entry in [0, 1];
 * `y`: [n] finite. Returns [d] fractions in 0..1, NOT normalised (their sum is the share of the
 * objective's variance that single parameters explain; the rest is interactions). All zeros
 * when n < 2 or every tree is constant.
 */
export function fanovaFractions(X: readonly (readonly number[])[], y: readonly number[], opts: ForestOptions = {}): number[] {
  const n = X.length;
  const d = n > 0 ? X[0].length : 0;
  if (n < 2 || d === 0) return new Array<number>(d).fill(0);
  const nTrees = opts.nTrees ?? IMPORTANCE_DEFAULTS.nTrees;
  const maxDepth = opts.maxDepth ?? IMPORTANCE_DEFAULTS.maxDepth;
  const minLeaf = opts.minSamplesLeaf ?? IMPORTANCE_DEFAULTS.minSamplesLeaf;
  const rng: Rng = makeRng(opts.seed ?? IMPORTANCE_DEFAULTS.seed, 'fanova');
  const acc = new Array<number>(d).fill(0);
  let used = 0;
  for (let t = 0; t < nTrees; t++) {
    const ids = Array.from({ length: n }, () => randInt(rng, n));
    const fr = treeFractions(growTree(X, y, ids, maxDepth, minLeaf), d);
    if (!fr) continue;
    fr.forEach((v, f) => (acc[f] += v));
    used++;
  }
  return used === 0 ? acc : acc.map((v) => v / used);
}

/** Which way a parameter pushes the objective, from the sign of its Spearman correlation. */
export type Trend = 'higher-is-better' | 'higher-is-worse' | 'none';

/** Importance of one searched hyperparameter. */
export interface ParamImportance {
  name: ParamName;
  /** share of the main-effect variance, 0..1; importances of a study sum to 1 (or are all 0). */
  importance: number;
  /** un-normalised fANOVA fraction of the objective's variance this parameter explains alone, 0..1. */
  fraction: number;
  /** Spearman rank correlation between the parameter and the objective, -1..1; NaN for categorical. */
  spearman: number;
  /** 'higher-is-worse' when larger values go with worse objectives (|spearman| >= trendThreshold). */
  trend: Trend;
}

/** One finished trial as the importance analysis needs it. */
export interface ImportanceTrial {
  params: TrialParams;
  /** objective value; non-finite (diverged, failed) trials are left out. */
  objective: number;
}

/**
 * fANOVA importance and trend of each searched dimension, sorted by importance (descending;
 * ties keep `dims` order). `direction`: whether the objective is minimised (default, as the
 * search's TrialOutcome.objective is) or maximised; it only decides `trend`.
 */
export function paramImportance(
  dims: readonly Dimension[],
  trials: readonly ImportanceTrial[],
  opts: ForestOptions & { direction?: 'min' | 'max' } = {},
): ParamImportance[] {
  const ok = trials.filter((t) => Number.isFinite(t.objective));
  const X = ok.map((t) => unitFromParams([...dims], t.params));
  const y = ok.map((t) => t.objective);
  const fractions = fanovaFractions(X, y, opts);
  const sum = fractions.reduce((a, b) => a + b, 0);
  const sign = opts.direction === 'max' ? -1 : 1;
  const out = dims.map((dim, f): ParamImportance => {
    const rho = dim.spec.type === 'categorical' ? NaN : spearman(X.map((x) => x[f]), y);
    const worse = sign * rho;
    const trend: Trend = !(Math.abs(rho) >= IMPORTANCE_DEFAULTS.trendThreshold) ? 'none' : worse > 0 ? 'higher-is-worse' : 'higher-is-better';
    return { name: dim.name, importance: sum > 0 ? fractions[f] / sum : 0, fraction: fractions[f], spearman: rho, trend };
  });
  return out
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.importance - a.p.importance || a.i - b.i)
    .map(({ p }) => p);
}
