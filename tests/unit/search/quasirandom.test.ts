import { describe, expect, it } from 'vitest';
import { createQuasiRandom, firstPrimes, ScrambledHalton } from '../../../src/lib/search/quasirandom';
import { makeRng } from '../../../src/lib/search/rng';
import type { Dimension } from '../../../src/lib/search/types';
import { ctxOf } from './helpers';

describe('scrambled Halton', () => {
  it('uses the primes as bases', () => {
    expect(firstPrimes(6)).toEqual([2, 3, 5, 7, 11, 13]);
  });

  it('stratifies: the first b^m points of a base-b coordinate fill every 1/b^m bin once', () => {
    const h = new ScrambledHalton(3, makeRng(9, 'test'));
    const pts = Array.from({ length: 125 }, (_, i) => h.point(i));
    for (const [j, count] of [[0, 16], [1, 27], [2, 125]] as const) {
      const bins = new Set(pts.slice(0, count).map((p) => Math.floor(p[j] * count)));
      expect(bins.size).toBe(count);
    }
    for (const p of pts) for (const x of p) expect(x >= 0 && x < 1).toBe(true);
  });

  it('depends on the seed (scrambling), not only on the index', () => {
    const a = new ScrambledHalton(2, makeRng(1, 'x')).point(0);
    const b = new ScrambledHalton(2, makeRng(2, 'x')).point(0);
    expect(a).not.toEqual(b);
  });
});

describe('quasi-random strategy', () => {
  const dims: Dimension[] = [
    { name: 'dropout', spec: { type: 'float', low: 0, high: 1, log: false } },
    { name: 'l2', spec: { type: 'float', low: 1e-6, high: 1e-2, log: true } },
  ];

  it('covers the space more evenly than random: every 1/16 bin of a 16-trial study is hit', () => {
    const q = createQuasiRandom(ctxOf(dims, 4));
    const xs = Array.from({ length: 16 }, () => Number(q.ask([])!.dropout));
    expect(new Set(xs.map((x) => Math.floor(x * 16))).size).toBe(16);
  });
});
