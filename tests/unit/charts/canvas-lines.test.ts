import { describe, expect, it } from 'vitest';
import { nearestCurve, strokePolyline, type PixelCurve } from '../../../src/lib/charts/canvas-lines';

const curves: PixelCurve[] = [
  { id: 1, pts: [[0, 0], [10, 0], [20, 0]] },
  { id: 2, pts: [[0, 10], [10, 20], [20, 30]] },
  { id: 3, pts: [[5, 50]] },
  { id: 4, pts: [[0, 40], [10, NaN], [20, 40]] },
];

describe('nearestCurve', () => {
  it.each([
    ['on a segment', 5, 1, 1],
    ['between two curves, nearer the second', 10, 16, 2],
    ['a lone point', 6, 51, 3],
    ['across a gap there is no segment', 10, 40, null],
    ['at a point after the gap', 20, 41, 4],
    ['too far from everything', 50, 100, null],
  ])('%s', (_, x, y, want) => {
    expect(nearestCurve(curves, x, y, 4)).toBe(want);
  });
});

describe('strokePolyline', () => {
  it('lifts the pen at non-finite points and strokes once', () => {
    const calls: string[] = [];
    const ctx = {
      beginPath: () => calls.push('begin'),
      moveTo: (x: number, y: number) => calls.push(`M${x},${y}`),
      lineTo: (x: number, y: number) => calls.push(`L${x},${y}`),
      stroke: () => calls.push('stroke'),
    };
    strokePolyline(ctx, [[0, 0], [1, 1], [2, NaN], [3, 3], [4, 4]]);
    expect(calls).toEqual(['begin', 'M0,0', 'L1,1', 'M3,3', 'L4,4', 'stroke']);
  });
});
