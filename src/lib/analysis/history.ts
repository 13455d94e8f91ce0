/**
 * Study history: the best-so-far curve of one study, and the spread of such curves across
 * seeds or repeats (for the strategy race: median line and an inter-quantile band).
 */
import { median, quantile } from './stats';

/** Whether smaller ('min', losses) or larger ('max', accuracies) objective values are better. */
export type Direction = 'min' | 'max';

/** One step of a best-so-far trace. */
export interface BestPoint {
  /** trials completed so far, 1-based. */
  step: number;
  /** this trial's value (may be non-finite: diverged or failed). */
  value: number;
  /** best finite value among the first `step` trials; NaN until there is one. */
  best: number;
  /** 0-based index of the trial that holds `best`; -1 until there is one. */
  bestIndex: number;
  /** whether this trial set a new best. */
  improved: boolean;
}

/**
 * Best-so-far trace of `values` given in completion order. Non-finite values never become the
 * best. Ties keep the earlier trial.
 */
export function bestSoFarTrace(values: readonly number[], direction: Direction): BestPoint[] {
  let best = NaN;
  let bestIndex = -1;
  return values.map((value, i) => {
    const better = Number.isFinite(value) && (bestIndex < 0 || (direction === 'min' ? value < best : value > best));
    if (better) {
      best = value;
      bestIndex = i;
    }
    return { step: i + 1, value, best, bestIndex, improved: better };
  });
}

/** Best-so-far values of `values` in completion order (NaN until the first finite value). */
export function bestSoFar(values: readonly number[], direction: Direction): number[] {
  return bestSoFarTrace(values, direction).map((p) => p.best);
}

/** The spread of several series at one step. */
export interface SpreadPoint {
  /** 1-based step (trial count). */
  step: number;
  /** series with a finite value at this step. */
  n: number;
  median: number;
  /** lower and upper quantile (defaults: 0.25 and 0.75); NaN when n = 0. */
  lo: number;
  hi: number;
  min: number;
  max: number;
}

/** Quantiles of the spread band; one place. */
export const SPREAD_DEFAULTS = { lo: 0.25, hi: 0.75 } as const;

/**
 * Median and quantile band, step by step, across `series` (one per seed/repeat; they may differ
 * in length). Step i uses the series that have a finite value at index i; the output is as long
 * as the longest series. `lo`, `hi`: quantiles in [0, 1].
 */
export function spreadAcross(
  series: readonly (readonly number[])[],
  opts: { lo?: number; hi?: number } = {},
): SpreadPoint[] {
  const qlo = opts.lo ?? SPREAD_DEFAULTS.lo;
  const qhi = opts.hi ?? SPREAD_DEFAULTS.hi;
  const len = series.reduce((m, s) => Math.max(m, s.length), 0);
  return Array.from({ length: len }, (_, i) => {
    const col = series.map((s) => (i < s.length ? s[i] : NaN)).filter(Number.isFinite);
    return {
      step: i + 1,
      n: col.length,
      median: median(col),
      lo: quantile(col, qlo),
      hi: quantile(col, qhi),
      min: col.length ? Math.min(...col) : NaN,
      max: col.length ? Math.max(...col) : NaN,
    };
  });
}

/** The strategy race: best-so-far of each repeat's values (completion order), then their spread. */
export function raceSpread(
  repeats: readonly (readonly number[])[],
  direction: Direction,
  opts: { lo?: number; hi?: number } = {},
): SpreadPoint[] {
  return spreadAcross(repeats.map((r) => bestSoFar(r, direction)), opts);
}
