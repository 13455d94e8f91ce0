import { describe, expect, it } from 'vitest';
import { IndexPermutation } from '../../../src/lib/search/permutation';

const image = (n: number, seed: number) => {
  const p = new IndexPermutation(BigInt(n), seed);
  return Array.from({ length: n }, (_, i) => Number(p.at(BigInt(i))));
};

describe('IndexPermutation (seeded bijection of [0, n))', () => {
  it.each([1, 2, 3, 7, 8, 13, 64, 97, 100, 1000, 4099])('is a permutation of [0, %i)', (n) => {
    for (const seed of [1, 2]) {
      const seen = image(n, seed);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('depends on the seed, and only on the seed', () => {
    expect(image(50, 3)).toEqual(image(50, 3));
    expect(image(50, 4)).not.toEqual(image(50, 3));
  });

  it('mixes: the first 200 of 10^6 indices spread over the range, with no visible order', () => {
    const p = new IndexPermutation(1_000_000n, 5);
    const xs = Array.from({ length: 200 }, (_, i) => Number(p.at(BigInt(i))));
    const perTenth = new Array<number>(10).fill(0);
    for (const x of xs) perTenth[Math.floor(x / 100_000)]++;
    // binomial(200, 0.1): mean 20, sd 4.2
    for (const c of perTenth) expect(c).toBeGreaterThan(6);
    for (const c of perTenth) expect(c).toBeLessThan(34);
    const ascents = xs.slice(1).filter((x, i) => x > xs[i]).length;
    expect(Math.abs(ascents - 99.5)).toBeLessThan(25);
  });

  it('is exact far beyond 2^53 (distinct images of neighbouring indices, all inside the range)', () => {
    const n = 10n ** 20n + 7n;
    const p = new IndexPermutation(n, 9);
    const ys = Array.from({ length: 100 }, (_, i) => p.at(n - 1n - BigInt(i)));
    expect(new Set(ys).size).toBe(100);
    for (const y of ys) expect(y >= 0n && y < n).toBe(true);
  });

  it('rejects indices outside the domain', () => {
    expect(() => new IndexPermutation(5n, 1).at(5n)).toThrow(RangeError);
    expect(() => new IndexPermutation(0n, 1).at(0n)).toThrow(RangeError);
  });
});
