import { describe, expect, it } from 'vitest';
import { GEN2D_KINDS, LABEL_FLIP_PER_NOISE, generate2d } from '../../../src/lib/data/generators';
import type { Points2d } from '../../../src/lib/data/generators';

const count1 = (y: Float32Array) => y.reduce((a, b) => a + b, 0);

/** Leave-one-out 1-nearest-neighbour accuracy: near 1 when the classes are cleanly separated. */
function looNnAccuracy({ x, y }: Points2d): number {
  let hits = 0;
  for (let i = 0; i < y.length; i++) {
    let best = Infinity;
    let label = -1;
    for (let j = 0; j < y.length; j++) {
      const d = j === i ? Infinity : (x[2 * i] - x[2 * j]) ** 2 + (x[2 * i + 1] - x[2 * j + 1]) ** 2;
      if (d < best) [best, label] = [d, y[j]];
    }
    if (label === y[i]) hits++;
  }
  return hits / y.length;
}

describe('generate2d', () => {
  describe.each(GEN2D_KINDS)('%s', (kind) => {
    it.each([2, 7, 301, 1000])('n=%i: shape, exact balance, finite values in range', (n) => {
      for (const noise of [0, 0.25, 0.5]) {
        const { x, y } = generate2d(kind, n, noise, 42);
        expect(x.length).toBe(2 * n);
        expect(y.length).toBe(n);
        expect(y.every((v) => v === 0 || v === 1)).toBe(true);
        expect(count1(y)).toBe(Math.floor(n / 2));
        expect(x.every((v) => Number.isFinite(v) && Math.abs(v) < 15)).toBe(true);
      }
    });

    it('is deterministic in its arguments', () => {
      const a = generate2d(kind, 300, 0.2, 7);
      expect(generate2d(kind, 300, 0.2, 7)).toEqual(a);
      expect(generate2d(kind, 300, 0.2, 8).x).not.toEqual(a.x);
    });

    it('noise blurs the boundary: points move, labels flip, 1-NN accuracy drops', () => {
      const clean = generate2d(kind, 400, 0, 3);
      const noisy = generate2d(kind, 400, 0.5, 3);
      expect(noisy.x).not.toEqual(clean.x);
      const flipped = clean.y.filter((v, i) => v !== noisy.y[i]).length;
      expect(flipped).toBe(2 * Math.round(0.5 * LABEL_FLIP_PER_NOISE * 200));
      expect(looNnAccuracy(clean)).toBeGreaterThan(0.95);
      expect(looNnAccuracy(noisy)).toBeLessThan(looNnAccuracy(clean) - 0.1);
    });
  });

  it('rejects bad arguments', () => {
    expect(() => generate2d('circle', 1, 0, 1)).toThrow(/points/);
    expect(() => generate2d('circle', 10.5, 0, 1)).toThrow(/points/);
    expect(() => generate2d('circle', 100, 0.6, 1)).toThrow(/noise/);
    expect(() => generate2d('circle', 100, Number.NaN, 1)).toThrow(/noise/);
  });
});
