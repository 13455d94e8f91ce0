import { describe, expect, it } from 'vitest';
import { prepare, prepareFolds, withTestSplit } from '../../../src/lib/data/split';
import { generateDataset, getDataset } from '../../../src/lib/data/registry';
import type { DataSpec } from '../../../src/lib/experiment/types';
import type { Dataset } from '../../../src/lib/data/types';

const spec: DataSpec = { id: 'moons', noise: 0.2, samples: 200, valFraction: 0.25, seed: 3, testFraction: 0.2 };
const ds = generateDataset(getDataset('moons') as Extract<ReturnType<typeof getDataset>, { kind: '2d' }>, spec) as Dataset;
/** rows as strings, to find the same row after reordering */
const rowsOf = (x: Float32Array, d: number) => Array.from({ length: x.length / d }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)).join(','));

describe('withTestSplit', () => {
  it('moves a stratified, seeded fraction of rows to a test range at the end', () => {
    const held = withTestSplit(ds, 0.2, 3);
    expect(held.testRange).toEqual([160, 200]);
    const testLabels = Array.from(held.y.subarray(160));
    expect(testLabels.filter((y) => y === 1).length).toBe(20);
    // the same rows, only reordered
    expect(rowsOf(held.x, 2).sort()).toEqual(rowsOf(ds.x, 2).sort());
    expect(withTestSplit(ds, 0.2, 3).x).toEqual(held.x);
    expect(withTestSplit(ds, 0.2, 4).x).not.toEqual(held.x);
    expect(withTestSplit(ds, 0, 3)).toBe(ds);
  });
});

describe('the test split never leaks', () => {
  it('hold-out: train, validation and test rows are disjoint', () => {
    const p = prepare(ds, spec);
    expect(p.data.xTest?.length).toBe(40 * 2);
    const test = new Set(rowsOf(p.data.xTest!, 2));
    for (const r of [...rowsOf(p.data.xTrain, 2), ...rowsOf(p.data.xVal, 2)]) expect(test.has(r)).toBe(false);
    expect(p.data.yTrain.length + p.data.yVal.length + p.data.yTest!.length).toBe(200);
  });

  it('k-fold: folds partition the non-test rows, each validates once, none sees a test row', () => {
    const folds = prepareFolds(ds, spec, 4);
    expect(folds).toHaveLength(4);
    const held = withTestSplit(ds, spec.testFraction, spec.seed);
    const testRows = new Set(Array.from({ length: 40 }, (_, i) => 160 + i));
    const seenVal = new Map<number, number>();
    for (const f of folds) {
      for (const i of [...f.split.train, ...f.split.val]) expect(testRows.has(i)).toBe(false);
      for (const i of f.split.val) seenVal.set(i, (seenVal.get(i) ?? 0) + 1);
      expect(new Set([...f.split.train, ...f.split.val]).size).toBe(160);
      expect(Array.from(f.split.test)).toEqual([...testRows]);
      expect(f.data.key).toMatch(/fold=\d/);
    }
    expect(seenVal.size).toBe(160);
    expect([...seenVal.values()].every((c) => c === 1)).toBe(true);
    expect(new Set(folds.map((f) => f.data.key)).size).toBe(4);
    expect(held.n).toBe(200);
  });
});
