import type { ParamSpec, TrialParams } from '../experiment/types';
import { activeMask, isConditional } from './active';
import type { Dimension } from './types';

type Searched = Exclude<ParamSpec, { type: 'fixed' }>;

/**
 * Maps a point u in [0,1] of the unit interval to a value of `spec`.
 * float/int: linear or log between low and high (ints rounded); categorical: equal-width bins.
 */
export function fromUnit(spec: Searched, u: number): number | string {
  const t = Math.min(1, Math.max(0, u));
  if (spec.type === 'categorical') {
    const i = Math.min(spec.choices.length - 1, Math.floor(t * spec.choices.length));
    return spec.choices[i];
  }
  let v: number;
  if (spec.log && spec.low > 0) {
    v = Math.exp(Math.log(spec.low) + t * (Math.log(spec.high) - Math.log(spec.low)));
  } else {
    v = spec.low + t * (spec.high - spec.low);
  }
  if (spec.type === 'int') {
    // widen by half a step on each side so the end values are as likely as the inner ones
    const lo = spec.log && spec.low > 0 ? Math.log(spec.low - 0.5 > 0 ? spec.low - 0.5 : spec.low) : spec.low - 0.5;
    const hi = spec.log && spec.low > 0 ? Math.log(spec.high + 0.5) : spec.high + 0.5;
    const w = lo + t * (hi - lo);
    v = Math.round(spec.log && spec.low > 0 ? Math.exp(w) : w);
    return Math.min(spec.high, Math.max(spec.low, v));
  }
  return Math.min(spec.high, Math.max(spec.low, v));
}

/** Inverse of fromUnit: the centre of the unit-interval region mapping to `value`. */
export function toUnit(spec: Searched, value: number | string): number {
  if (spec.type === 'categorical') {
    const i = spec.choices.findIndex((c) => c === value || String(c) === String(value));
    return (Math.max(0, i) + 0.5) / spec.choices.length;
  }
  const v = Number(value);
  if (spec.high === spec.low) return 0.5;
  if (spec.type === 'int') {
    const logScale = spec.log && spec.low > 0;
    const lo = logScale ? Math.log(spec.low - 0.5 > 0 ? spec.low - 0.5 : spec.low) : spec.low - 0.5;
    const hi = logScale ? Math.log(spec.high + 0.5) : spec.high + 0.5;
    const w = logScale ? Math.log(v) : v;
    return Math.min(1, Math.max(0, (w - lo) / (hi - lo)));
  }
  if (spec.log && spec.low > 0) return (Math.log(v) - Math.log(spec.low)) / (Math.log(spec.high) - Math.log(spec.low));
  return (v - spec.low) / (spec.high - spec.low);
}

/** A trial's params from a point of the unit cube, one coordinate per dimension: only the
 *  dimensions active under the values it gives their parents (an active coordinate that is NaN,
 *  inactive where `u` came from, reads as the centre 0.5). */
export function paramsFromUnit(dims: Dimension[], u: number[]): TrialParams {
  const p: TrialParams = {};
  if (!isConditional(dims)) {
    dims.forEach((d, i) => (p[d.name] = fromUnit(d.spec, u[i])));
    return p;
  }
  const values = dims.map((d, i) => fromUnit(d.spec, Number.isNaN(u[i]) ? 0.5 : u[i]));
  const mask = activeMask(dims, values);
  dims.forEach((d, i) => {
    if (mask[i]) p[d.name] = values[i];
  });
  return p;
}

/** A trial's params as a point of the unit cube; a conditional dimension the trial lacks is NaN. */
export function unitFromParams(dims: Dimension[], p: TrialParams): number[] {
  return dims.map((d) => {
    const v = p[d.name];
    return v === undefined && d.when ? NaN : toUnit(d.spec, v ?? 0);
  });
}

/** `u` with NaN at the coordinates that are inactive under the values u gives their parents:
 *  two points that differ only where a trial has no parameter are the same point. */
export function maskUnit(dims: Dimension[], u: number[]): number[] {
  if (!isConditional(dims)) return u;
  const mask = activeMask(dims, dims.map((d, i) => (Number.isNaN(u[i]) ? undefined : fromUnit(d.spec, u[i]))));
  return u.map((x, i) => (mask[i] ? x : NaN));
}

/** Stable identity of a params object, for de-duplication: floats to 6 significant digits,
 *  ints and choices exactly, '-' for a parameter the trial lacks (so two configurations with the
 *  same key are the same trial). */
export function paramsKey(dims: Dimension[], p: TrialParams): string {
  return dims.map((d) => {
    const v = p[d.name];
    return v === undefined ? '-' : typeof v === 'number' && d.spec.type === 'float' ? v.toPrecision(6) : String(v);
  }).join('|');
}

/** `n` grid values of a dimension: every choice / every int when few, else n evenly spaced (log-aware) points. */
export function gridValues(spec: Searched, n: number): (number | string)[] {
  if (spec.type === 'categorical') return [...spec.choices];
  if (spec.type === 'int' && spec.high - spec.low + 1 <= n) {
    return Array.from({ length: spec.high - spec.low + 1 }, (_, i) => spec.low + i);
  }
  const out: (number | string)[] = [];
  for (let i = 0; i < n; i++) {
    const t = n === 1 ? 0.5 : i / (n - 1);
    let v = spec.log && spec.low > 0
      ? Math.exp(Math.log(spec.low) + t * (Math.log(spec.high) - Math.log(spec.low)))
      : spec.low + t * (spec.high - spec.low);
    if (spec.type === 'int') v = Math.round(v);
    // exp(log) can land an ulp outside the range (0.30000000000000004 for a high of 0.3)
    v = Math.min(spec.high, Math.max(spec.low, v));
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** The representative point of u: the unit coordinates of the params u maps to
 *  (ints and categoricals land on the centre of their bin; NaN, inactive, stays NaN). Models see
 *  only snapped points. */
export function snapUnit(dims: Dimension[], u: number[]): number[] {
  // floats map one-to-one (up to clamping) and categoricals to their bin centre, so only ints
  // need the round trip through a value
  return dims.map((d, i) => {
    if (Number.isNaN(u[i])) return NaN; // inactive: nothing to snap
    const t = Math.min(1, Math.max(0, u[i]));
    if (d.spec.type === 'float') return t;
    if (d.spec.type === 'categorical') {
      const k = d.spec.choices.length;
      return (Math.min(k - 1, Math.floor(t * k)) + 0.5) / k;
    }
    return toUnit(d.spec, fromUnit(d.spec, t));
  });
}
