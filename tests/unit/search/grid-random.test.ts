import { describe, expect, it } from 'vitest';
import { createGrid } from '../../../src/lib/search/grid';
import { createRandom } from '../../../src/lib/search/random';
import type { Dimension } from '../../../src/lib/search/types';
import { ctxOf } from './helpers';

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
