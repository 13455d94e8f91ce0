/**
 * The extent of the 2-D decision-surface grid, in standardised units: every training and
 * validation point, with a margin of `pad` of the range on each side. xs: [n, 2] row-major arrays.
 */
export function surfaceExtent(xs: readonly Float32Array[], pad = 0.08): [number, number, number, number] {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (const x of xs) {
    for (let i = 0; i + 1 < x.length; i += 2) {
      for (const j of [0, 1]) {
        lo[j] = Math.min(lo[j], x[i + j]);
        hi[j] = Math.max(hi[j], x[i + j]);
      }
    }
  }
  if (!Number.isFinite(lo[0]) || !Number.isFinite(lo[1])) return [-1, 1, -1, 1];
  const m = (j: number) => pad * (hi[j] - lo[j]);
  return [lo[0] - m(0), hi[0] + m(0), lo[1] - m(1), hi[1] + m(1)];
}
