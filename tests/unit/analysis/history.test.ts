import { describe, expect, it } from 'vitest';
import { bestSoFar, bestSoFarTrace, raceSpread, spreadAcross } from '../../../src/lib/analysis/history';
import { mean, median, pearson, quantile, ranks, slope, spearman } from '../../../src/lib/analysis/stats';

describe('bestSoFar', () => {
  it.each([
    { name: 'min', values: [0.5, 0.7, 0.3, 0.4, 0.1], dir: 'min' as const, out: [0.5, 0.5, 0.3, 0.3, 0.1] },
    { name: 'max', values: [0.5, 0.7, 0.3, 0.9], dir: 'max' as const, out: [0.5, 0.7, 0.7, 0.9] },
    { name: 'leading NaN', values: [NaN, 0.4, NaN, 0.2], dir: 'min' as const, out: [NaN, 0.4, 0.4, 0.2] },
    { name: '-Infinity is not a best', values: [0.4, -Infinity], dir: 'min' as const, out: [0.4, 0.4] },
    { name: 'empty', values: [], dir: 'min' as const, out: [] },
  ])('$name', ({ values, dir, out }) => {
    expect(bestSoFar(values, dir)).toEqual(out);
  });

  it('trace marks improvements and keeps the earlier trial on ties', () => {
    const t = bestSoFarTrace([0.5, 0.5, 0.2], 'min');
    expect(t.map((p) => p.improved)).toEqual([true, false, true]);
    expect(t.map((p) => p.bestIndex)).toEqual([0, 0, 2]);
    expect(t.map((p) => p.step)).toEqual([1, 2, 3]);
  });
});

describe('spread', () => {
  it('median and quartiles per step, ragged series', () => {
    const s = spreadAcross([[1, 2, 3], [3, 4], [5, NaN], [7]]);
    expect(s).toHaveLength(3);
    // step 1: [1, 3, 5, 7] -> median 4, q25 = 1 + 0.75*2 = 2.5, q75 = 5.5
    expect(s[0]).toEqual({ step: 1, n: 4, median: 4, lo: 2.5, hi: 5.5, min: 1, max: 7 });
    // step 2: [2, 4]
    expect(s[1]).toEqual({ step: 2, n: 2, median: 3, lo: 2.5, hi: 3.5, min: 2, max: 4 });
    expect(s[2]).toEqual({ step: 3, n: 1, median: 3, lo: 3, hi: 3, min: 3, max: 3 });
  });

  it('race: best-so-far per repeat, then spread', () => {
    const r = raceSpread([[0.9, 0.5, 0.7], [0.6, 0.8, 0.2], [NaN, 0.4, 0.3]], 'min', { lo: 0, hi: 1 });
    // best-so-far: [0.9,0.5,0.5], [0.6,0.6,0.2], [NaN,0.4,0.3]
    expect(r.map((p) => p.n)).toEqual([2, 3, 3]);
    expect(r[0].median).toBeCloseTo(0.75, 12);
    expect(r[1].median).toBeCloseTo(0.5, 12);
    expect(r[2].lo).toBeCloseTo(0.2, 12);
    expect(r[2].hi).toBeCloseTo(0.5, 12);
  });
});

describe('stats', () => {
  it.each([
    { xs: [3, 1, 2], q: 0.5, v: 2 },
    { xs: [1, 2, 3, 4], q: 0.5, v: 2.5 },
    { xs: [1, 2, 3, 4], q: 0.25, v: 1.75 },
    { xs: [1, 2, 3, 4], q: 1, v: 4 },
    { xs: [1, NaN, 3], q: 0.5, v: 2 },
    { xs: [], q: 0.5, v: NaN },
  ])('quantile($xs, $q) = $v', ({ xs, q, v }) => {
    expect(quantile(xs, q)).toEqual(v);
  });

  it('median, mean, ranks, correlations, slope', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(mean([1, 2, NaN, 3])).toBe(2);
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(pearson([1, 2, 3], [2, 4, 7])).toBeCloseTo(0.9933992677987828, 12);
    expect(slope([1, 3, 5, 7])).toBeCloseTo(2, 12);
    expect(slope([4])).toBe(0);
  });
});
