/**
 * Chart maths for the "what the sampler is thinking" panel: the parameter axis that matches a
 * sampler's unit interval, objective-to-metric units, density and band paths, and strip offsets.
 */
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import type { ParamSpec } from '../experiment/types';
import { fromUnit } from '../search/space';
import { OKABE_ITO } from './palette';

/**
 * Colours and dash patterns of the sampler panel (Okabe–Ito; every pair that must be told apart
 * also differs in dash or shape). One place per fact.
 */
export const SAMPLER_STYLE = {
  /** TPE's good density l(x) and good trials: solid blue. */
  good: OKABE_ITO.blue,
  /** TPE's bad density g(x) and bad trials: dashed orange. */
  bad: OKABE_ITO.orange,
  badDash: '6 3',
  /** running trials (TPE counts them as bad), candidates. */
  pending: OKABE_ITO.grey,
  /** the sampler's pick, the GP mean, cut-off lines. */
  ink: OKABE_ITO.black,
  /** GP uncertainty band. */
  band: OKABE_ITO.skyBlue,
  /** expected improvement. */
  ei: OKABE_ITO.green,
  /** a trial that went on at a rung / a child of evolution. */
  promoted: OKABE_ITO.blue,
  /** a trial stopped at a rung. */
  stopped: OKABE_ITO.vermillion,
  /** an evolution elite. */
  elite: OKABE_ITO.orange,
} as const;

/** A searched numeric range (what a sampler maps its unit interval onto). */
export type NumericSpec = Extract<ParamSpec, { type: 'float' | 'int' }>;

/**
 * The parameter-unit extent that the unit interval [0, 1] of a sampler covers, and whether the
 * mapping is logarithmic (see search/space.ts fromUnit): floats span [low, high]; ints are
 * widened by half a step each side so the end values get whole bins.
 */
export function unitDomain(spec: NumericSpec): { domain: [number, number]; log: boolean } {
  const log = spec.log && spec.low > 0;
  if (spec.type === 'float') return { domain: [spec.low, spec.high], log };
  const lo = log ? (spec.low - 0.5 > 0 ? spec.low - 0.5 : spec.low) : spec.low - 0.5;
  return { domain: [lo, spec.high + 0.5], log };
}

/**
 * A d3 scale from parameter units to pixels [0, width] such that scale(fromUnit(spec, u)) is
 * u·width for floats (and the centre of u's bin for ints): a sampler's unit coordinate u can
 * be drawn at u·width and share the axis' ticks.
 */
export function unitScale(spec: NumericSpec, width: number): ScaleContinuousNumeric<number, number> {
  const { domain, log } = unitDomain(spec);
  return log ? scaleLog().domain(domain).range([0, width]) : scaleLinear().domain(domain).range([0, width]);
}

/**
 * A minimised objective in the study metric's units: -accuracy (a fraction) becomes accuracy
 * in percent; a loss stays a loss. `accuracy`: the objective is -accuracy.
 */
export function metricOfObjective(objective: number, accuracy: boolean): number {
  return accuracy ? -objective * 100 : objective;
}

/** A spread (standard deviation, expected improvement) of the objective in metric units
 *  (percentage points for accuracy). */
export function metricOfSpread(spread: number, accuracy: boolean): number {
  return accuracy ? spread * 100 : spread;
}

/** Index of the largest finite value; -1 when there is none. Ties keep the first. */
export function argmax(values: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]) && (best < 0 || values[i] > values[best])) best = i;
  }
  return best;
}

/**
 * Horizontal offsets (pixels) for `n` points in a strip `width` wide, so points of one strip do
 * not sit on top of each other: evenly spread around 0, deterministic (no random jitter).
 */
export function stripOffsets(n: number, width: number): number[] {
  if (n <= 1) return n === 1 ? [0] : [];
  const step = width / (n - 1);
  return Array.from({ length: n }, (_, i) => -width / 2 + i * step);
}

/** Index of the grid point of `xs` (sorted unit coordinates) nearest to `u`; -1 when empty. */
export function nearestIndex(xs: readonly number[], u: number): number {
  let best = -1;
  let dist = Infinity;
  for (let i = 0; i < xs.length; i++) {
    const d = Math.abs(xs[i] - u);
    if (d < dist) {
      dist = d;
      best = i;
    }
  }
  return best;
}

/**
 * Whether `spec` is still the range a snapshot was taken on: every grid point `xs` (unit
 * coordinates) maps to the snapshot's `values`. False when the search space was edited since,
 * or when `spec` is not numeric (then the chart falls back to unit coordinates).
 */
export function specMatches(spec: ParamSpec | undefined, xs: readonly number[], values: readonly (number | string)[]): spec is NumericSpec {
  if (!spec || (spec.type !== 'float' && spec.type !== 'int') || xs.length !== values.length) return false;
  return xs.every((x, i) => {
    const a = Number(fromUnit(spec, x));
    const b = Number(values[i]);
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  });
}
