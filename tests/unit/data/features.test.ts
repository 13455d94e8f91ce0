import { describe, expect, it } from 'vitest';
import type { DataSpec } from '../../../src/lib/experiment/types';
import { featureScores, pickColumns, rankByScore, selectColumns, topKData } from '../../../src/lib/data/features';
import { makeDataset } from '../../../src/lib/data/hash';
import { prepare, prepareFolds } from '../../../src/lib/data/split';
import type { Dataset } from '../../../src/lib/data/types';
import { makeRng, normal } from '../../../src/lib/search/rng';

/** 200 rows, 4 features: f0 weakly and f2 strongly informative of a 2-class label, f1 and f3 noise. */
function table(task: 'classification' | 'regression' = 'classification'): Dataset {
  const rng = makeRng(3, 'features');
  const n = 200;
  const y = Float32Array.from({ length: n }, (_, i) => i % 2);
  const x = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    x[i * 4] = y[i] * 0.5 + normal(rng);
    x[i * 4 + 1] = normal(rng);
    x[i * 4 + 2] = y[i] * 3 + normal(rng);
    x[i * 4 + 3] = normal(rng);
  }
  return makeDataset({
    id: 'csv', name: 'table', task, features: ['f0', 'f1', 'f2', 'f3'], classes: task === 'classification' ? ['a', 'b'] : undefined,
    n, d: 4, x, y: task === 'classification' ? y : Float32Array.from(y, (v, i) => v + 0.1 * x[i * 4 + 1]), is2d: false,
    meta: { license: 'CC0-1.0', citation: '', sourceText: 'test' },
  });
}
const spec: DataSpec = { id: 'csv', noise: 0, samples: 200, valFraction: 0.3, seed: 2, testFraction: 0.2 };

describe('featureScores', () => {
  it.each([
    // [what, x column, y, task, expected score]
    // F = (between SS / (k - 1)) / (within SS / (n - k)): class means 1 and 4 around 2.5
    ['ANOVA F of two classes', [0, 2, 3, 5], [0, 0, 1, 1], 'classification', (4 * 1.5 ** 2) / 1 / (4 / 2)],
    ['ANOVA F of a constant feature', [1, 1, 1, 1], [0, 0, 1, 1], 'classification', 0],
    ['ANOVA F of three classes', [1, 2, 4, 5, 9, 10], [0, 0, 1, 1, 2, 2], 'classification', (2 * (1.5 - 31 / 6) ** 2 + 2 * (4.5 - 31 / 6) ** 2 + 2 * (9.5 - 31 / 6) ** 2) / 2 / (1.5 / 3)],
    ['|r| of a perfectly anti-correlated feature', [1, 2, 3, 4], [8, 6, 4, 2], 'regression', 1],
    ['|r| of an uncorrelated feature', [1, -1, 1, -1], [1, 1, 2, 2], 'regression', 0],
  ] as [string, number[], number[], 'classification' | 'regression', number][])('%s', (_what, col, y, task, expected) => {
    const [score] = featureScores(Float32Array.from(col), 1, Float32Array.from(y), task, 3);
    expect(score).toBeCloseTo(expected, 6);
  });

  it('ranks the best first, ties in column order', () => {
    expect(rankByScore([1, 5, 5, 0, 2])).toEqual([1, 2, 4, 0, 3]);
  });
});

describe('filter scores use the training split only', () => {
  it.each(['classification', 'regression'] as const)('%s: the ranking of a prepared split ranks the informative features first', (task) => {
    const p = prepare(table(task), spec);
    expect(p.features).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(p.data.ranking?.[0]).toBe(2);
    expect(p.data.ranking).toEqual(rankByScore(featureScores(p.data.xTrain, 4, p.data.yTrain, task, 2)));
  });

  it('changing the validation and test rows leaves the ranking as it was; changing the training rows does not', () => {
    // fixed test rows (the last 40) stay in place, so split indices are rows of `ds`
    const ds = makeDataset({ ...table(), testRange: [160, 200] });
    const fixed: DataSpec = { ...spec, testFraction: 0 };
    const p = prepare(ds, fixed);
    const train = new Set(Array.from(p.split.train));
    // f3 becomes a perfect copy of the label on the chosen rows
    const leak = (rows: (i: number) => boolean) => {
      const x = Float32Array.from(ds.x);
      for (let i = 0; i < ds.n; i++) if (rows(i)) x[i * 4 + 3] = ds.y[i] * 100;
      return makeDataset({ ...ds, x });
    };
    const heldOut = prepare(leak((i) => !train.has(i)), fixed);
    expect(heldOut.data.ranking).toEqual(p.data.ranking);
    expect(heldOut.data.xVal).not.toEqual(p.data.xVal);
    expect(heldOut.data.xTest).not.toEqual(p.data.xTest);
    expect(prepare(leak((i) => train.has(i)), fixed).data.ranking?.[0]).toBe(3);
  });

  it('k-fold: each fold ranks on its own training rows', () => {
    const folds = prepareFolds(table(), spec, 4);
    for (const f of folds) expect(f.data.ranking).toEqual(rankByScore(featureScores(f.data.xTrain, 4, f.data.yTrain, 'classification', 2)));
  });
});

describe('selectColumns', () => {
  it('keeps the named features in the dataset order, with a new content hash', () => {
    const ds = table();
    const s = selectColumns(ds, ['f3', 'f0']);
    expect(s.features).toEqual(['f0', 'f3']);
    expect(s.d).toBe(2);
    expect(Array.from(s.x.subarray(0, 2))).toEqual([ds.x[0], ds.x[3]]);
    expect(s.hash).not.toBe(ds.hash);
    expect(selectColumns(ds, undefined)).toBe(ds);
    expect(selectColumns(ds, ['f0', 'f1', 'f2', 'f3'])).toBe(ds);
  });

  it.each([
    [['f9'], /keeps feature "f9" that table does not have/],
    [[], /keeps no feature/],
  ])('%j: %s', (names, message) => {
    expect(() => selectColumns(table(), names)).toThrow(message);
  });

  it('prepare trains on the kept features only, under another key', () => {
    const all = prepare(table(), spec);
    const two = prepare(table(), { ...spec, features: ['f1', 'f2'] });
    expect(two.data.d).toBe(2);
    expect(two.features).toEqual(['f1', 'f2']);
    expect(two.data.key).not.toBe(all.data.key);
    expect(two.data.ranking).toEqual([1, 0]);
  });
});

describe('topKData', () => {
  const data = prepare(table(), spec).data;

  it('keeps the k best columns (in their own order) of every split, under a key of their own', () => {
    const ranking = data.ranking!;
    const t = topKData(data, 2);
    const cols = ranking.slice(0, 2).sort((a, b) => a - b);
    expect(t.d).toBe(2);
    expect(t.xTrain).toEqual(pickColumns(data.xTrain, 4, cols));
    expect(t.xVal).toEqual(pickColumns(data.xVal, 4, cols));
    expect(t.xTest).toEqual(pickColumns(data.xTest!, 4, cols));
    expect(t.yTrain).toBe(data.yTrain);
    expect(t.key).toBe(`${data.key}|top2`);
    expect(t.ranking).toHaveLength(2);
  });

  it.each([0, undefined, 4, 9])('k = %s keeps every feature', (k) => {
    expect(topKData(data, k)).toBe(data);
  });
});
