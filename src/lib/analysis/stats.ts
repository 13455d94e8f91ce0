/**
 * Small descriptive statistics shared by the analysis modules. Every function ignores
 * non-finite entries (NaN, ±Infinity) unless it says otherwise, so a diverged trial's NaN
 * objective never poisons a median or a correlation.
 */

/** The finite entries of `xs`, in order. */
export function finite(xs: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) out.push(xs[i]);
  return out;
}

/** Arithmetic mean of the finite entries; NaN when there are none. */
export function mean(xs: ArrayLike<number>): number {
  const f = finite(xs);
  if (f.length === 0) return NaN;
  let s = 0;
  for (const x of f) s += x;
  return s / f.length;
}

/**
 * Quantile `q` in [0, 1] of the finite entries, linearly interpolated between order
 * statistics (R type 7, numpy's default). NaN when there are no finite entries.
 */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const f = finite(xs).sort((a, b) => a - b);
  if (f.length === 0) return NaN;
  const h = (f.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(f.length - 1, lo + 1);
  return f[lo] + (h - lo) * (f[hi] - f[lo]);
}

/** Median of the finite entries (quantile 0.5); NaN when there are none. */
export function median(xs: ArrayLike<number>): number {
  return quantile(xs, 0.5);
}

/** 1-based ranks of `xs` (all assumed finite); ties get the average of their ranks. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const r = new Array<number>(xs.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

/**
 * Pearson correlation of paired samples, in [-1, 1], over pairs where both are finite.
 * 0 when fewer than 2 pairs or either side is constant (no evidence of association).
 */
export function pearson(a: readonly number[], b: readonly number[]): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      xs.push(a[i]);
      ys.push(b[i]);
    }
  }
  const n = xs.length;
  if (n < 2) return 0;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return 0;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Spearman rank correlation of paired samples, in [-1, 1]: Pearson on average ranks, over
 * pairs where both are finite. 0 when fewer than 2 pairs or either side is constant.
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      xs.push(a[i]);
      ys.push(b[i]);
    }
  }
  return pearson(ranks(xs), ranks(ys));
}

/**
 * Least-squares slope of `ys` against their index 0..n-1 (units of y per step).
 * 0 when fewer than 2 points.
 */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (ys[i] - my);
    sxx += (i - mx) ** 2;
  }
  return sxy / sxx;
}
