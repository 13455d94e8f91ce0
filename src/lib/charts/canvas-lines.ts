/**
 * Curves on a canvas: many polylines drawn in one pass (where hundreds of SVG paths would cost
 * style, layout and paint on every redraw), and the hit test that stands in for SVG's per-path
 * pointer events. Pixel coordinates throughout; no DOM here beyond the 2-D context handed in.
 */

/** A curve in pixels: [x, y] points; a non-finite y breaks the line. */
export interface PixelCurve {
  id: number;
  pts: readonly (readonly [number, number])[];
}

/** Strokes `pts` as one polyline path on `ctx` (the caller sets colour, width and dash). */
export function strokePolyline(ctx: Pick<CanvasRenderingContext2D, 'beginPath' | 'moveTo' | 'lineTo' | 'stroke'>, pts: readonly (readonly [number, number])[]): void {
  ctx.beginPath();
  let pen = false;
  for (const [x, y] of pts) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
}

/** Distance from (px, py) to the segment a–b, px. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The id of the curve passing closest to (px, py), within `maxDist` px, or null. A lone point counts as a curve. */
export function nearestCurve(curves: readonly PixelCurve[], px: number, py: number, maxDist: number): number | null {
  let best: number | null = null;
  let bestD = maxDist;
  for (const c of curves) {
    let prev: readonly [number, number] | null = null;
    for (const p of c.pts) {
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        prev = null;
        continue;
      }
      const d = prev ? segmentDistance(px, py, prev[0], prev[1], p[0], p[1]) : Math.hypot(px - p[0], py - p[1]);
      if (d <= bestD) {
        bestD = d;
        best = c.id;
      }
      prev = p;
    }
  }
  return best;
}
