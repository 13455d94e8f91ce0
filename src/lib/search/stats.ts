import { normal, type Rng } from './rng';

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Complementary error function, relative error < 1.2e-7 everywhere (Chebyshev fit from
 * Numerical Recipes). Relative accuracy in the tails matters for log densities and EI.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal density φ(z). */
export function normPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

/** Standard normal CDF Φ(z). */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** Inverse of the standard normal CDF, Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation,
 *  relative error < 1.2e-9). */
export function normQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lowTail) return -normQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Normal scores of `values` (the copula transform): value i becomes Φ⁻¹((r_i + 0.5) / n), r_i its
 * rank from 0 (ties share their mean rank). Order is kept; scale and outliers are forgotten.
 */
export function normalScores(values: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const z = normQuantile(((i + j) / 2 + 0.5) / n);
    for (let k = i; k <= j; k++) out[order[k]] = z;
    i = j + 1;
  }
  return out;
}

/** log of the density at x of N(mu, sigma²) truncated to [0, 1]. */
export function truncNormLogPdf(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / sigma;
  // mass inside [0,1]; computed from the side that keeps precision
  const mass = Math.max(1e-300, normCdf((1 - mu) / sigma) - normCdf(-mu / sigma));
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - Math.log(mass);
}

/** log of the mass of N(mu, sigma²) truncated to [0, 1] on [a, b] (0 <= a <= b <= 1). */
export function truncNormLogMass(a: number, b: number, mu: number, sigma: number): number {
  // each difference of CDFs from the side where both are small, which keeps their precision
  const between = (lo: number, hi: number) => (lo > mu ? normCdf((mu - lo) / sigma) - normCdf((mu - hi) / sigma) : normCdf((hi - mu) / sigma) - normCdf((lo - mu) / sigma));
  return Math.log(Math.max(1e-300, between(a, b))) - Math.log(Math.max(1e-300, between(0, 1)));
}

/** A sample of N(mu, sigma²) truncated to [0, 1] (rejection; mu in [0,1] keeps acceptance >= ~1/3). */
export function truncNormSample(rng: Rng, mu: number, sigma: number): number {
  for (let i = 0; i < 64; i++) {
    const x = mu + sigma * normal(rng);
    if (x >= 0 && x <= 1) return x;
  }
  return Math.min(1, Math.max(0, mu));
}

/** log(Σ exp(a_i)) without overflow; -Infinity for an empty list. */
export function logSumExp(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.exp(a[i] - m);
  return m + Math.log(s);
}

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}
