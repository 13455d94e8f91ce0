import { type Rng } from './rng';
import { logSumExp, truncNormLogMass, truncNormLogPdf, truncNormSample, weightedIndex } from './stats';
import type { Dimension } from './types';

/**
 * Optuna's default observation weights: all 1 below 25 observations, above that the 25 newest
 * keep weight 1 and older ones ramp linearly down towards 1/n. `n`: observations, oldest first.
 */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  return Array.from({ length: n }, (_, i) => (i < ramp ? 1 / n + ((1 - 1 / n) * i) / Math.max(1, ramp - 1) : 1));
}

/**
 * Bandwidths of 1-D Gaussian kernels at `mus` (unit interval) from neighbour distances, as
 * Optuna's univariate TPE does: each kernel is as wide as the larger gap to its sorted
 * neighbours (the prior's centre 0.5 counts as a neighbour; the outermost kernels use their
 * inner gap only), clipped to [1 / min(100, n + 2), 1].
 */
export function neighbourBandwidths(mus: readonly number[]): number[] {
  const n = mus.length;
  if (n === 0) return [];
  const withPrior = [...mus, 0.5];
  const order = withPrior.map((_, i) => i).sort((a, b) => withPrior[a] - withPrior[b] || a - b);
  const s = order.map((i) => withPrior[i]);
  const m = s.length;
  const sig = new Array<number>(m);
  for (let k = 0; k < m; k++) {
    const left = k === 0 ? s[k] - 0 : s[k] - s[k - 1];
    const right = k === m - 1 ? 1 - s[k] : s[k + 1] - s[k];
    sig[k] = Math.max(left, right);
  }
  if (m >= 2) {
    sig[0] = s[1] - s[0];
    sig[m - 1] = s[m - 1] - s[m - 2];
  }
  const minSigma = 1 / Math.min(100, n + 2);
  const out = new Array<number>(n);
  order.forEach((orig, k) => {
    if (orig < n) out[orig] = Math.min(1, Math.max(minSigma, sig[k]));
  });
  return out;
}

/** Optuna's multivariate bandwidth factor (Scott's rule, as in BOHB). */
const MULTIVARIATE_SIGMA0 = 0.2;

/**
 * Width (unit-interval units) of every numeric kernel of a multivariate Parzen estimator, as
 * Optuna's multivariate TPE sets it: 0.2 · n^(-1/(d+4)) for n observations (at least 1) in d
 * dimensions, clipped to [1 / min(100, n + 2), 1] like the univariate widths. One width for all
 * kernels: product kernels sampled jointly need to be wide enough in every dimension at once,
 * where gaps to the neighbours along each axis (neighbourBandwidths) shrink to the floor and
 * make TPE re-sample the incumbent.
 */
export function multivariateBandwidth(n: number, d: number): number {
  const sigma = MULTIVARIATE_SIGMA0 * Math.max(1, n) ** (-1 / (Math.max(1, d) + 4));
  return Math.min(1, Math.max(1 / Math.min(100, n + 2), sigma));
}

/**
 * How a ParzenEstimator combines dimensions. 'multivariate': one mixture of product kernels
 * with the multivariate bandwidth, sampled jointly (a component picks every coordinate);
 * 'independent': one mixture per dimension with univariate (neighbour) bandwidths, the density
 * their product, sampled coordinate by coordinate (Optuna's default TPE). With one dimension
 * the two are the same sampler, and both use the neighbour bandwidths.
 */
export type ParzenMode = 'multivariate' | 'independent';

/** Half the width of one value's bin in the unit interval for an int dimension on a linear
 *  scale (the interval spans high - low + 1 bins, see toUnit); 0 for every other dimension. */
export function intBinHalfWidth(d: Dimension): number {
  const s = d.spec;
  return s.type === 'int' && !(s.log && s.low > 0) && s.high > s.low ? 0.5 / (s.high - s.low + 1) : 0;
}

/** log of kernel c's density at x, or, for a binned (int) dimension, of its mass on x's bin. */
function numericLogPdf(k: { mus: number[]; sigmas: number[]; half: number }, c: number, x: number): number {
  if (k.half === 0) return truncNormLogPdf(x, k.mus[c], k.sigmas[c]);
  return truncNormLogMass(Math.max(0, x - k.half), Math.min(1, x + k.half), k.mus[c], k.sigmas[c]);
}

/** Index of the choice a unit coordinate falls in, for a categorical with k choices. */
export function choiceIndex(u: number, k: number): number {
  return Math.min(k - 1, Math.max(0, Math.floor(u * k)));
}

/**
 * A Parzen estimator over the unit cube: a weighted mixture with one kernel per observation
 * plus a prior kernel (weight `priorWeight`), joint or per dimension (see ParzenMode).
 * Numeric dimensions use Gaussians truncated to [0, 1] (log ranges are already logarithmic in
 * unit space); categorical dimensions use choice distributions that put extra mass on the
 * observed choice.
 */
export class ParzenEstimator {
  /** mixture weights (observations, then the prior), summing to 1. */
  readonly weights: number[];
  /** per dimension: kernel centres and widths (numeric) or choice probabilities (categorical). */
  private readonly kernels: ({ type: 'numeric'; mus: number[]; sigmas: number[]; half: number } | { type: 'categorical'; probs: number[][] })[];

  /** how dimensions are combined (see ParzenMode). */
  readonly mode: ParzenMode;

  /**
   * dims: the searched dimensions; points: observations [n][dims] in the unit cube;
   * obsWeights: one non-negative weight per observation; priorWeight: > 0; mode: default
   * 'multivariate'.
   */
  constructor(dims: Dimension[], points: number[][], obsWeights: number[], priorWeight = 1, mode: ParzenMode = 'multivariate') {
    const n = points.length;
    this.mode = mode;
    // one dimension: nothing is sampled jointly, so Optuna's univariate widths apply
    const sharedSigma = mode === 'multivariate' && dims.length > 1 ? multivariateBandwidth(n, dims.length) : null;
    const w = [...obsWeights, priorWeight];
    const total = w.reduce((a, b) => a + b, 0);
    this.weights = w.map((x) => x / total);
    this.kernels = dims.map((d, j) => {
      if (d.spec.type === 'categorical') {
        const k = d.spec.choices.length;
        // as Optuna: every kernel spreads priorWeight / (n + 1) over all choices, plus 1 on its own
        const base = priorWeight / (n + 1);
        const probs = points.map((p) => {
          const row = new Array<number>(k).fill(base);
          row[choiceIndex(p[j], k)] += 1;
          const s = base * k + 1;
          return row.map((x) => x / s);
        });
        probs.push(new Array<number>(k).fill(1 / k));
        return { type: 'categorical' as const, probs };
      }
      const mus = points.map((p) => p[j]);
      const sigmas = sharedSigma === null ? neighbourBandwidths(mus) : mus.map(() => sharedSigma);
      return { type: 'numeric' as const, mus: [...mus, 0.5], sigmas: [...sigmas, 1], half: intBinHalfWidth(d) };
    });
  }

  /** a point of the unit cube drawn from the estimator (categoricals at their bin centre):
   *  one component for all coordinates ('multivariate') or one per coordinate ('independent'). */
  sample(rng: Rng): number[] {
    let c = weightedIndex(rng, this.weights);
    return this.kernels.map((k, j) => {
      if (this.mode === 'independent' && j > 0) c = weightedIndex(rng, this.weights);
      if (k.type === 'numeric') return truncNormSample(rng, k.mus[c], k.sigmas[c]);
      const probs = k.probs[c];
      return (weightedIndex(rng, probs) + 0.5) / probs.length;
    });
  }

  /** log density at u (density for continuous dims, mass of the value's bin for ints on a
   *  linear scale, as Optuna does, and mass for categorical ones): of the joint mixture, or the
   *  sum of the per-dimension marginal log densities ('independent'). */
  logPdf(u: number[]): number {
    if (this.mode === 'independent') {
      let s = 0;
      this.kernels.forEach((k, j) => {
        if (k.type === 'categorical') s += Math.log(this.marginalChoices(j)[choiceIndex(u[j], k.probs[0].length)]);
        else s += logSumExp(this.weights.map((w, c) => Math.log(w) + numericLogPdf(k, c, u[j])));
      });
      return s;
    }
    const terms = this.weights.map((w, c) => {
      let s = Math.log(w);
      this.kernels.forEach((k, j) => {
        if (k.type === 'numeric') s += numericLogPdf(k, c, u[j]);
        else s += Math.log(k.probs[c][choiceIndex(u[j], k.probs[c].length)]);
      });
      return s;
    });
    return logSumExp(terms);
  }

  /** marginal density of numeric dimension j at x in [0, 1] (per unit length). */
  marginalDensity(j: number, x: number): number {
    const k = this.kernels[j];
    if (k.type !== 'numeric') throw new Error(`dimension ${j} is categorical`);
    let s = 0;
    this.weights.forEach((w, c) => (s += w * Math.exp(truncNormLogPdf(x, k.mus[c], k.sigmas[c]))));
    return s;
  }

  /** marginal probability of each choice of categorical dimension j. */
  marginalChoices(j: number): number[] {
    const k = this.kernels[j];
    if (k.type !== 'categorical') throw new Error(`dimension ${j} is numeric`);
    const out = new Array<number>(k.probs[0].length).fill(0);
    this.weights.forEach((w, c) => k.probs[c].forEach((p, i) => (out[i] += w * p)));
    return out;
  }
}
