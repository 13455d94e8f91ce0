/**
 * Binning for the 2-D "generalisation-gap map": two hyperparameters on the axes, one number
 * per trial (final validation metric, or train-validation gap) averaged per cell, and the
 * most common fit verdict per cell. Plain data out; the chart draws it.
 */
import type { ParamSpec } from '../experiment/types';
import { fmtNum, fmtValue } from './format';
import { VERDICT_KINDS } from './verdict';
import type { VerdictKind } from './verdict';

/** Defaults; one place. */
export const GAPMAP_DEFAULTS = {
  /** bins of a numeric axis when not given. */
  maxBins: 8,
  /** relative tolerance (of the axis span, in transformed units) for values on the outer edges. */
  edgeTolerance: 1e-9,
} as const;

/**
 * How to bin one axis.
 * categorical: one bin per choice, in order.
 * numeric: `bins` equal-width bins between low and high (default: the data's min and max),
 *   log-spaced when `log` (and low > 0); or, when `values` is given (grid search, small int
 *   ranges), one bin per value with edges halfway between neighbours (geometric when `log`).
 */
export type GapAxisSpec =
  | { type: 'categorical'; choices: readonly (number | string)[] }
  | { type: 'numeric'; low?: number; high?: number; log?: boolean; bins?: number; values?: readonly number[] };

/** The bins of one axis. */
export interface AxisBins {
  type: 'categorical' | 'numeric';
  /** number of bins. */
  size: number;
  /** numeric: size + 1 ascending edges in parameter units; categorical: []. */
  edges: number[];
  /** numeric: bin centres in parameter units (geometric centres when log); categorical: []. */
  centers: number[];
  /** categorical: the choices; numeric: []. */
  choices: (number | string)[];
  /** a label per bin: the choice, the value, or "low–high". */
  labels: string[];
  /** whether numeric edges are log-spaced. */
  log: boolean;
}

/** One trial on the map. */
export interface GapPoint {
  /** the trial's values of the two axis parameters. */
  x: number | string;
  y: number | string;
  /** the mapped number (e.g. final validation accuracy or train-val gap); NaN counts the trial but not the mean. */
  value: number;
  verdict?: VerdictKind | null;
}

/** One cell of the map. */
export interface GapCell {
  /** bin index on each axis. */
  ix: number;
  iy: number;
  /** trials in the cell. */
  count: number;
  /** trials with a finite value. */
  valueCount: number;
  /** mean of the finite values; NaN when none. */
  mean: number;
  /** most common verdict (ties: the more severe, in VERDICT_KINDS order); null when none. */
  verdict: VerdictKind | null;
  /** trials with that verdict. */
  verdictCount: number;
}

/** The binned map. */
export interface GapMap {
  x: AxisBins;
  y: AxisBins;
  /** x.size × y.size cells, row-major: cells[iy * x.size + ix]. */
  cells: GapCell[];
  /** [min, max] of the non-empty cell means; [NaN, NaN] when none (for a colour scale). */
  extent: [number, number];
  /** points left out: value outside a numeric axis's range, non-numeric on a numeric axis, unknown choice. */
  skipped: number;
}

/** The GapAxisSpec of a searched parameter: categorical choices, one bin per integer when at most `maxBins`, else `maxBins` bins. */
export function axisFromSpec(spec: Exclude<ParamSpec, { type: 'fixed' }>, maxBins: number = GAPMAP_DEFAULTS.maxBins): GapAxisSpec {
  if (spec.type === 'categorical') return { type: 'categorical', choices: spec.choices };
  if (spec.type === 'int' && spec.high - spec.low + 1 <= maxBins) {
    return { type: 'numeric', log: spec.log, values: Array.from({ length: spec.high - spec.low + 1 }, (_, i) => spec.low + i) };
  }
  return { type: 'numeric', low: spec.low, high: spec.high, log: spec.log, bins: maxBins };
}

/** A numeric axis transform: identity or natural log. */
interface Scale {
  to: (v: number) => number;
  from: (t: number) => number;
}

/** Bins of an axis; `data` are the points' numeric values on it (for default ranges). */
function makeAxis(spec: GapAxisSpec, data: readonly number[]): AxisBins {
  if (spec.type === 'categorical') {
    return { type: 'categorical', size: spec.choices.length, edges: [], centers: [], choices: [...spec.choices], labels: spec.choices.map(String), log: false };
  }
  const fin = data.filter(Number.isFinite);
  const pool = spec.values ? [...spec.values] : [spec.low ?? Math.min(...fin), spec.high ?? Math.max(...fin)];
  const log = !!spec.log && pool.length > 0 && pool.every((v) => v > 0);
  const s: Scale = log ? { to: Math.log, from: Math.exp } : { to: (v) => v, from: (t) => t };
  if (spec.values) {
    const vs = [...new Set(spec.values)].sort((a, b) => a - b);
    if (vs.length === 0) return { type: 'numeric', size: 0, edges: [], centers: [], choices: [], labels: [], log };
    const t = vs.map(s.to);
    const inner = t.slice(1).map((x, i) => (x + t[i]) / 2);
    const half0 = vs.length > 1 ? (t[1] - t[0]) / 2 : 0;
    const halfN = vs.length > 1 ? (t[t.length - 1] - t[t.length - 2]) / 2 : 0;
    const edges = [t[0] - half0, ...inner, t[t.length - 1] + halfN].map(s.from);
    return { type: 'numeric', size: vs.length, edges, centers: vs, choices: [], labels: vs.map(fmtValue), log };
  }
  const [lo, hi] = pool;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { type: 'numeric', size: 0, edges: [], centers: [], choices: [], labels: [], log };
  const n = lo === hi ? 1 : Math.max(1, Math.floor(spec.bins ?? GAPMAP_DEFAULTS.maxBins));
  const t0 = s.to(lo);
  const t1 = s.to(hi);
  const edges = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? lo : i === n ? hi : s.from(t0 + ((t1 - t0) * i) / n)));
  const centers = Array.from({ length: n }, (_, i) => s.from(t0 + ((t1 - t0) * (i + 0.5)) / n));
  const labels = centers.map((_, i) => `${fmtNum(edges[i])}–${fmtNum(edges[i + 1])}`);
  return { type: 'numeric', size: n, edges, centers, choices: [], labels, log };
}

/** Bin index of `v` on `axis`, or -1 when it does not fall in any bin. Bins are [edge_i, edge_i+1), the last one closed. */
export function binIndex(axis: AxisBins, v: number | string): number {
  if (axis.type === 'categorical') return axis.choices.findIndex((c) => c === v || String(c) === String(v));
  const x = typeof v === 'number' ? v : Number(v);
  const e = axis.edges;
  if (axis.size === 0 || !Number.isFinite(x)) return -1;
  const to = axis.log ? Math.log : (u: number) => u;
  const t = to(x);
  const tLo = to(e[0]);
  const tHi = to(e[e.length - 1]);
  const tol = GAPMAP_DEFAULTS.edgeTolerance * Math.max(1, Math.abs(tHi - tLo), Math.abs(tLo), Math.abs(tHi));
  if (Number.isNaN(t) || t < tLo - tol || t > tHi + tol) return -1;
  // largest i with edge_i <= x, found by bisection; the top edge belongs to the last bin
  let a = 0;
  let b = axis.size - 1;
  while (a < b) {
    const m = (a + b + 1) >> 1;
    if (to(e[m]) <= t + tol) a = m;
    else b = m - 1;
  }
  return a;
}

/**
 * The generalisation-gap map of `points` over the axes `xAxis` (columns) and `yAxis` (rows).
 * Every bin pair gets a cell, empty ones with count 0, mean NaN and verdict null.
 */
export function gapMap(points: readonly GapPoint[], xAxis: GapAxisSpec, yAxis: GapAxisSpec): GapMap {
  const num = (v: number | string) => (typeof v === 'number' ? v : Number(v));
  const x = makeAxis(xAxis, points.map((p) => num(p.x)));
  const y = makeAxis(yAxis, points.map((p) => num(p.y)));
  const n = x.size * y.size;
  const sums = new Array<number>(n).fill(0);
  const cells: GapCell[] = Array.from({ length: n }, (_, i) => ({
    ix: i % x.size, iy: Math.floor(i / x.size), count: 0, valueCount: 0, mean: NaN, verdict: null, verdictCount: 0,
  }));
  const votes = Array.from({ length: n }, () => new Map<VerdictKind, number>());
  let skipped = 0;
  for (const p of points) {
    const ix = binIndex(x, p.x);
    const iy = binIndex(y, p.y);
    if (ix < 0 || iy < 0) {
      skipped++;
      continue;
    }
    const k = iy * x.size + ix;
    const c = cells[k];
    c.count++;
    if (Number.isFinite(p.value)) {
      c.valueCount++;
      sums[k] += p.value;
    }
    if (p.verdict) votes[k].set(p.verdict, (votes[k].get(p.verdict) ?? 0) + 1);
  }
  let lo = Infinity;
  let hi = -Infinity;
  cells.forEach((c, k) => {
    if (c.valueCount > 0) {
      c.mean = sums[k] / c.valueCount;
      lo = Math.min(lo, c.mean);
      hi = Math.max(hi, c.mean);
    }
    for (const kind of VERDICT_KINDS) {
      const v = votes[k].get(kind) ?? 0;
      if (v > c.verdictCount) {
        c.verdict = kind;
        c.verdictCount = v;
      }
    }
  });
  return { x, y, cells, extent: lo <= hi ? [lo, hi] : [NaN, NaN], skipped };
}
