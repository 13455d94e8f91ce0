import { describe, expect, it } from 'vitest';
import type { DataSpec } from '../../../src/lib/experiment/types';
import { parseMlpg } from '../../../src/lib/data/mlpg';
import { generateDataset, getDataset } from '../../../src/lib/data/registry';
import type { DatasetEntry } from '../../../src/lib/data/registry';
import { applyStandardize, fromStandard, kFold, prepare, prepareFolds, splitData, standardize, toStandard } from '../../../src/lib/data/split';
import { parseCsvDataset } from '../../../src/lib/data/csv';
import { makeDataset } from '../../../src/lib/data/hash';
import type { Dataset } from '../../../src/lib/data/types';
import { readMlpg } from './fixtures';

const sorted = (...parts: ArrayLike<number>[]) => parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const classCounts = (y: Float32Array, idx: ArrayLike<number>, k: number) => {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < idx.length; i++) c[y[idx[i]]]++;
  return c;
};

/** Unbalanced 3-class labels 60/30/10 (in class order, like iris), optionally with a test block. */
function labelled(testRange?: [number, number]): Pick<Dataset, 'n' | 'y' | 'task' | 'testRange'> {
  const y = Float32Array.from(range(0, 100), (i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  return { n: 100, y, task: 'classification', testRange };
}

describe('splitData', () => {
  it.each([0.1, 0.3, 0.5, 0.9])('valFraction %f: partition, stratified, sized', (f) => {
    const ds = labelled();
    const s = splitData(ds, f, 1);
    expect(sorted(s.train, s.val)).toEqual(range(0, 100));
    expect(s.test).toHaveLength(0);
    expect(s.val.length).toBe(Math.round(f * 100));
    classCounts(ds.y, s.val, 3).forEach((c, k) => expect(Math.abs(c - f * [60, 30, 10][k])).toBeLessThan(1));
  });

  it('is seeded', () => {
    const ds = labelled();
    expect(splitData(ds, 0.3, 5)).toEqual(splitData(ds, 0.3, 5));
    expect(splitData(ds, 0.3, 6).val).not.toEqual(splitData(ds, 0.3, 5).val);
  });

  it('never puts fixed test rows in train or val', () => {
    const s = splitData(labelled([80, 100]), 0.25, 1);
    expect(Array.from(s.test)).toEqual(range(80, 100));
    expect(sorted(s.train, s.val)).toEqual(range(0, 80));
    expect(s.val.length).toBe(20);
  });

  it('splits regression rows without strata', () => {
    const y = Float32Array.from(range(0, 50), (i) => i * 0.37);
    const s = splitData({ n: 50, y, task: 'regression' }, 0.2, 3);
    expect([s.train.length, s.val.length]).toEqual([40, 10]);
    expect(sorted(s.train, s.val)).toEqual(range(0, 50));
  });

  it('rejects fractions outside (0, 1)', () => {
    expect(() => splitData(labelled(), 0, 1)).toThrow(/valFraction/);
    expect(() => splitData(labelled(), 1, 1)).toThrow(/valFraction/);
  });
});

describe('kFold', () => {
  it.each([
    ['labels', 2],
    ['labels', 5],
    ['labels', 10],
    ['n', 3],
  ] as const)('%s, k=%i: folds partition the non-test rows, stratified, balanced', (by, k) => {
    const ds = labelled([85, 100]);
    const folds = kFold(by === 'labels' ? ds.y : ds.n, k, 9, ds.testRange);
    expect(folds).toHaveLength(k);
    expect(sorted(...folds.map((f) => f.val))).toEqual(range(0, 85));
    const sizes = folds.map((f) => f.val.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const f of folds) {
      expect(sorted(f.train, f.val)).toEqual(range(0, 85));
      if (by === 'labels') {
        // Non-test class sizes are 60, 25, 0: each fold holds floor or ceil of its share.
        classCounts(ds.y, f.val, 3).forEach((c, cls) => expect(Math.abs(c - [60, 25, 0][cls] / k)).toBeLessThan(1));
      }
    }
    expect(kFold(ds.y, k, 9, ds.testRange)).toEqual(kFold(ds.y, k, 9, ds.testRange));
  });

  it('rejects impossible k', () => {
    expect(() => kFold(10, 1, 1)).toThrow(/k must be/);
    expect(() => kFold(10, 11, 1)).toThrow(/k must be/);
  });
});

describe('standardize', () => {
  // 6 rows x 3 columns; column 2 is constant. Row 5 (validation) holds an extreme outlier.
  const x = Float32Array.from([1, 10, 7, 2, 20, 7, 3, 30, 7, 4, 40, 7, 5, 50, 7, 1e6, -1e6, 7]);
  const train = [0, 1, 2, 3, 4];

  it('fits on training rows only (a validation outlier changes nothing)', () => {
    const s = standardize(x, 3, train);
    expect(s.mean).toEqual([3, 30, 7]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2), 12);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(200), 12);
    expect(s.std[2]).toBe(1);
    const clean = x.slice(0, 15);
    expect(standardize(clean, 3, train)).toEqual(s);
  });

  it('gives training columns mean 0 and std 1; constant columns become 0', () => {
    const s = standardize(x, 3, train);
    const z = applyStandardize(x, 3, train, s);
    for (let j = 0; j < 2; j++) {
      const col = train.map((_, r) => z[r * 3 + j]);
      const m = col.reduce((a, b) => a + b) / col.length;
      expect(m).toBeCloseTo(0, 6);
      expect(Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length)).toBeCloseTo(1, 6);
    }
    expect(train.map((_, r) => z[r * 3 + 2])).toEqual([0, 0, 0, 0, 0]);
    expect(fromStandard(s, 1, toStandard(s, 1, 42))).toBeCloseTo(42, 10);
  });
});

describe('prepare', () => {
  const spec = (over: Partial<DataSpec> = {}): DataSpec => ({ id: 'iris', noise: 0, samples: 200, valFraction: 0.3, seed: 1, testFraction: 0, ...over });
  const iris = parseMlpg(readMlpg('iris').header, readMlpg('iris').bin);
  const mpg = parseMlpg(readMlpg('auto_mpg').header, readMlpg('auto_mpg').bin);

  it('returns standardised train/val arrays that match the split indices', () => {
    const p = prepare(iris, spec());
    const { data, split, xStats } = p;
    expect([data.task, data.d, data.nClasses]).toEqual(['classification', 4, 3]);
    expect([data.xTrain.length, data.xVal.length]).toEqual([105 * 4, 45 * 4]);
    expect(sorted(split.train, split.val)).toEqual(range(0, 150));
    expect(xStats).toEqual(standardize(iris.x, 4, split.train));
    const r = 7;
    const row = split.val[r];
    for (let j = 0; j < 4; j++) expect(data.xVal[r * 4 + j]).toBeCloseTo(toStandard(xStats, j, iris.x[row * 4 + j]), 5);
    expect(data.yVal[r]).toBe(iris.y[row]);
    expect(p.yStats).toBeUndefined();
    expect(p.test).toBeUndefined();
  });

  it('builds a stable cache key from the fields that matter', () => {
    const key = (ds: Dataset, s: DataSpec) => prepare(ds, s).data.key;
    expect(key(iris, spec())).toBe(key(iris, spec()));
    expect(key(iris, spec({ noise: 0.4, samples: 900 }))).toBe(key(iris, spec())); // ignored for real data
    expect(key(iris, spec({ seed: 2 }))).not.toBe(key(iris, spec()));
    expect(key(iris, spec({ valFraction: 0.2 }))).not.toBe(key(iris, spec()));
    const circle = getDataset('circle') as Extract<DatasetEntry, { kind: '2d' }>;
    const s2 = spec({ id: 'circle', noise: 0.1 });
    expect(key(generateDataset(circle, s2), s2)).not.toBe(key(generateDataset(circle, { ...s2, noise: 0.2 }), { ...s2, noise: 0.2 }));
  });

  // The issue: CSV A, a sweep, then CSV B (coin-flip labels, 5 features) trained on A's arrays,
  // because both were keyed 'csv' + the split settings, and warm workers kept what they had.
  describe('keys cached data by content', () => {
    const csv = (d: number, label: (i: number) => number) => {
      const head = [...Array.from({ length: d }, (_, j) => `f${j}`), 'label'].join(',');
      const body = Array.from({ length: 40 }, (_, i) => [...Array.from({ length: d }, (_, j) => (i * (j + 2)) % 7), label(i)].join(','));
      return parseCsvDataset([head, ...body].join('\n'), 'data.csv').dataset;
    };
    const a = csv(2, (i) => (i % 3 === 0 ? 1 : 0));
    const b = csv(5, (i) => ((i * 7919) % 13) % 2);
    const s = spec({ id: 'csv', testFraction: 0.2 });

    it.each([
      ['hold-out', (ds: Dataset) => [prepare(ds, s).data.key]],
      ['k-fold', (ds: Dataset) => prepareFolds(ds, s, 4).map((p) => p.data.key)],
    ])('%s: same name and id, different content -> different keys; same content -> same keys', (_name, keys) => {
      expect([a.id, a.name]).toEqual([b.id, b.name]);
      const [ka, kb, ka2] = [keys(a), keys(b), keys(csv(2, (i) => (i % 3 === 0 ? 1 : 0)))];
      ka.forEach((k, i) => expect(k).not.toBe(kb[i]));
      expect(ka2).toEqual(ka);
    });

    it('tells fold i of k folds from fold i of another k', () => {
      const k4 = prepareFolds(a, s, 4).map((p) => p.data.key);
      const k5 = prepareFolds(a, s, 5).map((p) => p.data.key);
      expect(new Set([...k4, ...k5]).size).toBe(9);
    });

    it('a dataset remade with another test range gets another key', () => {
      const fixed = makeDataset({ ...iris, testRange: [120, 150] });
      expect(fixed.hash).not.toBe(iris.hash);
      expect(prepare(fixed, spec()).data.key).not.toBe(prepare(iris, spec()).data.key);
    });
  });

  it('standardises regression targets with training statistics', () => {
    const p = prepare(mpg, spec({ id: 'auto_mpg' }));
    expect(p.data.nClasses).toBe(1);
    const ys = standardize(mpg.y, 1, p.split.train);
    expect(p.yStats).toEqual(ys);
    expect(ys.mean[0]).toBeGreaterThan(15);
    const m = p.data.yTrain.reduce((a, b) => a + b) / p.data.yTrain.length;
    expect(m).toBeCloseTo(0, 5);
    expect(fromStandard(ys, 0, p.data.yVal[0])).toBeCloseTo(mpg.y[p.split.val[0]], 4);
  });

  it('keeps a fixed test split out and standardises it with train stats', () => {
    const ds = makeDataset({ ...iris, testRange: [120, 150] });
    const p = prepare(ds, spec());
    expect(Array.from(p.split.test)).toEqual(range(120, 150));
    expect(p.data.xTrain.length + p.data.xVal.length).toBe(120 * 4);
    expect(p.test?.x).toEqual(applyStandardize(ds.x, 4, p.split.test, p.xStats));
  });

  it('refuses a dataset that is not the one the spec names', () => {
    expect(() => prepare(iris, spec({ id: 'penguins' }))).toThrow(/does not match/);
  });
});
