import { describe, expect, it } from 'vitest';
import { fanovaFractions, paramImportance } from '../../../src/lib/analysis/importance';
import { makeRng, normal } from '../../../src/lib/search/rng';
import { paramsFromUnit } from '../../../src/lib/search/space';
import type { Dimension } from '../../../src/lib/search/types';

const dims: Dimension[] = [
  { name: 'learningRate', spec: { type: 'float', low: 1e-4, high: 1, log: true } },
  { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false } },
  { name: 'l2', spec: { type: 'float', low: 1e-5, high: 1e-1, log: true } },
];

/** `n` trials at random unit points; objective from the unit coordinates plus N(0, noise²). */
function study(n: number, f: (u: number[]) => number, noise: number, seed = 1) {
  const rng = makeRng(seed, 'study');
  return Array.from({ length: n }, () => {
    const u = dims.map(() => rng());
    return { params: paramsFromUnit(dims, u), objective: f(u) + noise * normal(rng) };
  });
}

describe('fanovaFractions', () => {
  it('a function of one column gets all of the variance', () => {
    const rng = makeRng(3);
    const X = Array.from({ length: 40 }, () => [rng(), rng(), rng()]);
    const y = X.map((x) => (x[1] > 0.5 ? 1 : 0));
    const fr = fanovaFractions(X, y, { seed: 0, nTrees: 16 });
    expect(fr[1]).toBeCloseTo(1, 10);
    expect(fr[0]).toBe(0);
    expect(fr[2]).toBe(0);
  });

  it('a pure interaction (xor) leaves little to main effects', () => {
    const rng = makeRng(4);
    const X = Array.from({ length: 200 }, () => [rng(), rng()]);
    const y = X.map((x) => ((x[0] > 0.5) !== (x[1] > 0.5) ? 1 : 0));
    const fr = fanovaFractions(X, y, { seed: 0, nTrees: 16 });
    expect(fr[0] + fr[1]).toBeLessThan(0.2);
  });

  it.each([
    { name: 'no rows', X: [] as number[][], y: [] as number[], out: [] as number[] },
    { name: 'one row', X: [[0.5, 0.5]], y: [1], out: [0, 0] },
    { name: 'constant objective', X: [[0.1, 0.2], [0.9, 0.4], [0.5, 0.7]], y: [2, 2, 2], out: [0, 0] },
  ])('$name -> zeros', ({ X, y, out }) => {
    expect(fanovaFractions(X, y)).toEqual(out);
  });
});

describe('paramImportance', () => {
  // lr matters strongly, dropout weakly, l2 not at all
  const trials = study(80, (u) => 3 * u[0] + u[1], 0.05);

  it('orders strong > weak > irrelevant, irrelevant < 0.1, sums to 1', () => {
    const imp = paramImportance(dims, trials, { seed: 7 });
    expect(imp.map((p) => p.name)).toEqual(['learningRate', 'dropout', 'l2']);
    expect(imp[2].importance).toBeLessThan(0.1);
    expect(imp[0].importance).toBeGreaterThan(0.6);
    expect(imp.reduce((a, p) => a + p.importance, 0)).toBeCloseTo(1, 10);
  });

  it('Spearman trend: higher lr -> higher (worse) minimised objective; flips for maximised', () => {
    const min = Object.fromEntries(paramImportance(dims, trials, { seed: 7 }).map((p) => [p.name, p]));
    expect(min.learningRate.spearman).toBeGreaterThan(0.8);
    expect(min.learningRate.trend).toBe('higher-is-worse');
    expect(min.l2.trend).toBe('none');
    const max = Object.fromEntries(paramImportance(dims, trials, { seed: 7, direction: 'max' }).map((p) => [p.name, p]));
    expect(max.learningRate.trend).toBe('higher-is-better');
  });

  it('is deterministic for a seed and ignores non-finite objectives', () => {
    const withNaN = [...trials, { params: trials[0].params, objective: NaN }];
    expect(paramImportance(dims, withNaN, { seed: 7 })).toEqual(paramImportance(dims, trials, { seed: 7 }));
  });

  it('categorical dimensions get importance but no trend', () => {
    const cat: Dimension[] = [
      { name: 'optimizer', spec: { type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] } },
      { name: 'dropout', spec: { type: 'float', low: 0, high: 0.5, log: false } },
    ];
    const rng = makeRng(9);
    const ts = Array.from({ length: 60 }, () => {
      const u = [rng(), rng()];
      const p = paramsFromUnit(cat, u);
      return { params: p, objective: (p.optimizer === 'sgd' ? 1 : 0) + 0.01 * normal(rng) };
    });
    const imp = paramImportance(cat, ts, { seed: 1 });
    expect(imp[0].name).toBe('optimizer');
    expect(imp[0].importance).toBeGreaterThan(0.9);
    expect(Number.isNaN(imp[0].spearman)).toBe(true);
    expect(imp[0].trend).toBe('none');
  });
});
