import { describe, expect, it } from 'vitest';
import { datasetHash, makeDataset, type DatasetContent } from '../../../src/lib/data/hash';
import { withTestSplit } from '../../../src/lib/data/split';
import type { Dataset } from '../../../src/lib/data/types';

const base = (): DatasetContent => ({
  task: 'classification',
  n: 4,
  d: 2,
  x: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
  y: Float32Array.from([0, 1, 0, 1]),
  classes: ['no', 'yes'],
});
const edit = (f: (c: DatasetContent) => DatasetContent) => f(base());

describe('datasetHash', () => {
  it('is 16 hex digits, and the same for the same content', () => {
    expect(datasetHash(base())).toMatch(/^[0-9a-f]{16}$/);
    expect(datasetHash(base())).toBe(datasetHash(base()));
  });

  it.each([
    ['one bit of one x value', edit((c) => ({ ...c, x: Float32Array.from(c.x, (v, i) => (i === 5 ? Math.fround(v + 2 ** -20) : v)) }))],
    ['one label', edit((c) => ({ ...c, y: Float32Array.from([0, 1, 1, 1]) }))],
    ['0 vs -0', edit((c) => ({ ...c, x: Float32Array.from(c.x, (v, i) => (i === 0 ? -0 : v)) }))],
    ['the same numbers as [n, d] = [2, 4]', edit((c) => ({ ...c, n: 2, d: 4, y: c.y.slice(0, 2) }))],
    ['a value moved from the end of x to the start of y', edit((c) => ({ ...c, x: c.x.slice(0, 7), y: Float32Array.from([8, 0, 1, 0, 1]) }))],
    ['the task', edit((c) => ({ ...c, task: 'regression', classes: undefined }))],
    ['a class renamed', edit((c) => ({ ...c, classes: ['no', 'Yes'] }))],
    ['class names split differently', edit((c) => ({ ...c, classes: ['noy', 'es'] }))],
    ['a test range', edit((c) => ({ ...c, testRange: [3, 4] }))],
    ['another test range', edit((c) => ({ ...c, testRange: [2, 4] }))],
  ])('changes with %s', (_name, other) => {
    expect(datasetHash(other)).not.toBe(datasetHash(base()));
  });

  it('reads only the viewed part of a typed array', () => {
    const big = new Float32Array(16);
    big.set(base().x, 4);
    expect(datasetHash({ ...base(), x: big.subarray(4, 12) })).toBe(datasetHash(base()));
  });
});

describe('makeDataset', () => {
  const fields: Omit<Dataset, 'hash'> = {
    ...base(), id: 'csv', name: 'a.csv', features: ['a', 'b'], is2d: false,
    meta: { license: 'your file', citation: 'a.csv', sourceText: 'a.csv' },
  };

  it('stores the content hash; names and licence text do not change it', () => {
    const ds = makeDataset(fields);
    expect(ds.hash).toBe(datasetHash(fields));
    expect(makeDataset({ ...fields, name: 'b.csv', features: ['p', 'q'] }).hash).toBe(ds.hash);
  });

  it('withTestSplit remakes the dataset, so the hash follows the new rows and test range', () => {
    const ds = makeDataset({ ...fields, n: 10, x: Float32Array.from({ length: 20 }, (_, i) => i), y: Float32Array.from({ length: 10 }, (_, i) => i % 2) });
    const held = withTestSplit(ds, 0.2, 1);
    expect(held.testRange).toBeDefined();
    expect(held.hash).toBe(datasetHash(held));
    expect(held.hash).not.toBe(ds.hash);
  });
});
