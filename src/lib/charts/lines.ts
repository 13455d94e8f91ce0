import { line } from 'd3-shape';

/** A point of a curve in data units; non-finite y breaks the line. */
export interface XY {
  x: number;
  y: number;
}

/** SVG path `d` of a polyline through `pts` mapped by sx/sy; gaps where y is not finite. */
export function linePath(pts: readonly XY[], sx: (x: number) => number, sy: (y: number) => number): string {
  return line<XY>()
    .defined((p) => Number.isFinite(p.y))
    .x((p) => sx(p.x))
    .y((p) => sy(p.y))(pts as XY[]) ?? '';
}

/** [min, max] of the finite values (positive only when `positive`), padded by `pad` (fraction); fallback when none. */
export function extentOf(values: Iterable<number>, positive = false, pad = 0.05, fallback: [number, number] = [0, 1]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positive && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return fallback;
  if (lo === hi) return positive ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
  if (positive) {
    const f = Math.pow(hi / lo, pad);
    return [lo / f, hi * f];
  }
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

/** The value at quantile q (0..1) of the finite values, linear interpolation. */
export function quantile(values: readonly number[], q: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const pos = (v.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < v.length ? v[i] + (v[i + 1] - v[i]) * (pos - i) : v[i];
}
