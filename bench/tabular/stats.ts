/**
 * The statistics of the search bench: quantiles of samples that may hold +Infinity (a study that
 * did not reach its goal within the cap), seeded bootstrap intervals of a median, Wilson
 * intervals of a rate. Plain numbers in, plain numbers out.
 */
import { makeRng, randInt } from '../../src/lib/search/rng';

/** Linear-interpolation quantile (type 7) of `values`, which may include ±Infinity: a quantile
 *  that falls between a finite and an infinite value is that infinity. NaN for an empty sample. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const [a, b] = [s[lo], s[hi]];
  if (a === b) return a;
  // between a finite and an infinite value: the infinite one decides
  if (a === -Infinity) return -Infinity;
  if (b === Infinity) return Infinity;
  return a + (h - lo) * (b - a);
}

/** A point estimate with a 95% interval. */
export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

/** Bootstrap resamples of every interval. */
export const BOOTSTRAP_RESAMPLES = 2000;

/**
 * The median of `values` and its 95% percentile-bootstrap interval: BOOTSTRAP_RESAMPLES
 * resamples of the same size, drawn with replacement from a generator seeded by `seed` and
 * `stream`, so the same sample always gets the same interval.
 */
export function bootstrapMedian(values: readonly number[], seed: number, stream: string): Interval {
  const rng = makeRng(seed, `bootstrap:${stream}`);
  const n = values.length;
  const medians = new Float64Array(BOOTSTRAP_RESAMPLES);
  const resample = new Array<number>(n);
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    for (let i = 0; i < n; i++) resample[i] = values[randInt(rng, n)];
    medians[b] = quantile(resample, 0.5);
  }
  const sorted = Array.from(medians);
  return { value: quantile(values, 0.5), lo: quantile(sorted, 0.025), hi: quantile(sorted, 0.975) };
}

/**
 * 95% bootstrap interval of median(a) - median(b) for two independent samples (each resampled
 * on its own, seeded). Infinity - Infinity counts as 0 (both capped).
 */
export function bootstrapMedianDiff(a: readonly number[], b: readonly number[], seed: number, stream: string): Interval {
  const rng = makeRng(seed, `bootstrap-diff:${stream}`);
  const diff = (x: number, y: number) => (x === y ? 0 : x - y);
  const draw = (v: readonly number[]) => quantile(Array.from({ length: v.length }, () => v[randInt(rng, v.length)]), 0.5);
  const diffs = Array.from({ length: BOOTSTRAP_RESAMPLES }, () => diff(draw(a), draw(b)));
  return { value: diff(quantile(a, 0.5), quantile(b, 0.5)), lo: quantile(diffs, 0.025), hi: quantile(diffs, 0.975) };
}

/** The share k/n with its 95% Wilson score interval (n > 0). */
export function wilson(k: number, n: number): Interval {
  const z = 1.959964;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { value: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}
