/** SVG paths of bands (an interval around a line) and of step lines (best-so-far traces). */
import { area, curveLinear, curveStepAfter, line } from 'd3-shape';
import type { XY } from './lines';

/** A point of a band: x and its lower / upper y, data units. */
export interface BandPoint {
  x: number;
  lo: number;
  hi: number;
}

/**
 * SVG path `d` of the area between lo and hi mapped by sx/sy, with gaps where either is not
 * finite. `step`: hold each value until the next x (for best-so-far traces), else straight segments.
 */
export function bandPath(pts: readonly BandPoint[], sx: (x: number) => number, sy: (y: number) => number, step = false): string {
  return area<BandPoint>()
    .defined((p) => Number.isFinite(p.lo) && Number.isFinite(p.hi))
    .curve(step ? curveStepAfter : curveLinear)
    .x((p) => sx(p.x))
    .y0((p) => sy(p.lo))
    .y1((p) => sy(p.hi))(pts as BandPoint[]) ?? '';
}

/** SVG path `d` of a step line through `pts` (each y held until the next x); gaps where y is not finite. */
export function stepPath(pts: readonly XY[], sx: (x: number) => number, sy: (y: number) => number): string {
  return line<XY>()
    .defined((p) => Number.isFinite(p.y))
    .curve(curveStepAfter)
    .x((p) => sx(p.x))
    .y((p) => sy(p.y))(pts as XY[]) ?? '';
}
