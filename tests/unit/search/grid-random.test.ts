import { describe, expect, it } from 'vitest';
import { createGrid } from '../../../src/lib/search/grid';
import { createRandom } from '../../../src/lib/search/random';
import type { ParamName } from '../../../src/lib/experiment/types';
import type { Dimension } from '../../../src/lib/search/types';
import { ctxOf } from './helpers';

/** `n` categorical axes of `k` choices each: a grid of k^n points. */
const catAxes = (n: number, k: number): Dimension[] =>
  Array.from({ length: n }, (_, i) => ({ name: `axis${i}` as ParamName, spec: { type: 'categorical' as const, choices: Array.from({ length: k }, (_, c) => c) } }));

const gridDims: Dimension[] = [
  { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 1e-1, log: true } },
  { name: 'depth', spec: { type: 'int', low: 1, high: 2, log: false } },
  { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] } },
];

describe('grid search', () => {
  it('visits every combination exactly once, then returns null', () => {
    const g = createGrid(ctxOf(gridDims, 3, 100, 4));
    expect(g.capacity).toBe(4 * 2 * 3);
    const seen = new Set<string>();
    for (let i = 0; i < g.capacity; i++) seen.add(JSON.stringify(g.ask([])));
    expect(seen.size).toBe(24);
    expect(g.ask([])).toBeNull();
    for (const lr of [1e-4, 1e-3, 1e-2, 1e-1]) {
      for (const depth of [1, 2]) {
        for (const optimizer of ['sgd', 'adam', 'rmsprop']) {
          const hit = [...seen].some((s) => {
            const p = JSON.parse(s);
            return Math.abs(Math.log10(p.learningRate) - Math.log10(lr)) < 1e-9 && p.depth === depth && p.optimizer === optimizer;
          });
          expect(hit, `${lr} ${depth} ${optimizer}`).toBe(true);
        }
      }
    }
  });

  it('visits in a seeded order', () => {
    const order = (seed: number) => {
      const g = createGrid(ctxOf(gridDims, seed, 100, 4));
      return Array.from({ length: 24 }, () => g.ask([]));
    };
    expect(order(5)).toEqual(order(5));
    expect(order(6)).not.toEqual(order(5));
  });

  it.each([
    // [grid, axes]
    ['1 point', catAxes(1, 1)],
    ['2 points', catAxes(1, 2)],
    ['7 points (prime)', catAxes(1, 7)],
    ['13 × 1', [...catAxes(1, 13), { name: 'dropout', spec: { type: 'float', low: 0.3, high: 0.3, log: false } }] as Dimension[]],
    ['3 × 5 × 7 = 105', [...catAxes(1, 3), { name: 'depth', spec: { type: 'int', low: 1, high: 5, log: false } }, { name: 'units', spec: { type: 'int', low: 10, high: 16, log: false } }] as Dimension[]],
    ['2^10 = 1024', catAxes(10, 2)],
    ['1031 points (prime)', catAxes(1, 1031)],
  ] as [string, Dimension[]][])('visits each of %s exactly once, then stops', (_, dims) => {
    for (const seed of [1, 2, 3]) {
      const g = createGrid(ctxOf(dims, seed, 100, 10));
      const seen = new Set<string>();
      for (let i = 0; i < g.capacity; i++) seen.add(JSON.stringify(g.ask([])));
      expect(seen.size).toBe(g.capacity);
      expect(g.ask([])).toBeNull();
    }
  });

  it('starts in a well-mixed seeded order: over 2000 seeds each of 10 points comes first ~200 times', () => {
    const first = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 2000; seed++) first[(createGrid(ctxOf(catAxes(1, 10), seed, 10, 10)).ask([]) as Record<string, number>).axis0]++;
    // binomial(2000, 0.1): sd 13.4
    for (const c of first) expect(Math.abs(c - 200)).toBeLessThan(60);
  });

  it.each([
    ['10^9', catAxes(9, 10), 10n ** 9n],
    ['10^20', catAxes(10, 100), 10n ** 20n],
    ['10^30 (beyond 2^53)', catAxes(10, 1000), 10n ** 30n],
  ] as [string, Dimension[], bigint][])('creates a %s-point grid lazily and asks 100 distinct points fast', (_, dims, size) => {
    const start = () => {
      const t0 = performance.now();
      const g = createGrid(ctxOf(dims, 4, 100, 10));
      const pts = Array.from({ length: 100 }, () => JSON.stringify(g.ask([])));
      return { g, pts, ms: performance.now() - t0 };
    };
    // best of 3, so that a pause of a busy machine (or the first JIT pass) does not count;
    // about 1 ms when written, the eager grid took 25 s at 1.1e8 points
    const runs = [start(), start(), start()];
    expect(Math.min(...runs.map((r) => r.ms))).toBeLessThan(100);
    const { g, pts } = runs[0];
    expect(pts).toEqual(runs[1].pts);
    expect(new Set(pts).size).toBe(100);
    expect(g.size).toBe(size);
    // a budget compares with the capacity the right way
    expect(g.capacity).toBe(Number(size));
    expect(g.capacity >= 1e9).toBe(true);
  });
});

describe('random search', () => {
  const dims: Dimension[] = [{ name: 'learningRate', spec: { type: 'float', low: 1e-5, high: 1e-1, log: true } }];

  it('samples log ranges uniformly in log space (half the samples below the geometric midpoint)', () => {
    const r = createRandom(ctxOf(dims, 1));
    const n = 4000;
    const mid = Math.sqrt(1e-5 * 1e-1); // 1e-3
    let below = 0;
    let belowArithmeticMid = 0;
    for (let i = 0; i < n; i++) {
      const v = Number(r.ask([])!.learningRate);
      if (v < mid) below++;
      if (v < (1e-5 + 1e-1) / 2) belowArithmeticMid++;
    }
    // binomial sd is 0.008 at n = 4000; 0.03 is > 3.5 sd
    expect(Math.abs(below / n - 0.5)).toBeLessThan(0.03);
    // and not uniform in linear space, where ~half would be below 0.05
    expect(belowArithmeticMid / n).toBeGreaterThan(0.9);
  });

  it('gives the same order for the same seed', () => {
    const seq = (seed: number) => {
      const r = createRandom(ctxOf(dims, seed));
      return Array.from({ length: 10 }, () => r.ask([]));
    };
    expect(seq(4)).toEqual(seq(4));
    expect(seq(5)).not.toEqual(seq(4));
  });
});
