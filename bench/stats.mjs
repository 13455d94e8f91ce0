// Small helpers the benchmark scripts share: medians and spreads of repeated measurements, and
// the one-thread environment of a native process.

/** The one-thread environment of the native process (PyTorch's and its BLAS' pools held to one). */
export const ONE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** Median of the finite values of `xs` (NaN when there are none). */
export const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** `x` to `d` decimals, or null when it is not a finite number (JSON has no NaN). */
export const round = (x, d = 0) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

/** The spread of repeated measurements: min, median, max and how many. */
export const spread = (xs, d = 0) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return { min: round(s[0], d), median: round(median(s), d), max: round(s.at(-1), d), n: s.length };
};
