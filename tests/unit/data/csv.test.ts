import { describe, expect, it } from 'vitest';
import { parseCsvDataset } from '../../../src/lib/data/csv';

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

describe('parseCsvDataset', () => {
  it('reads numeric features and a text target as classes', () => {
    const text = 'a,b,species\n' + rows(12, (i) => `${i},${i * 2},${i % 3 === 0 ? 'x' : 'y'}`);
    const { dataset, report } = parseCsvDataset(text, 'mine.csv');
    expect(dataset.task).toBe('classification');
    expect(dataset.classes).toEqual(['x', 'y']);
    expect(dataset.features).toEqual(['a', 'b']);
    expect([dataset.n, dataset.d]).toEqual([12, 2]);
    expect(Array.from(dataset.x.slice(2, 4))).toEqual([1, 2]);
    expect(dataset.y[0]).toBe(0);
    expect(dataset.y[1]).toBe(1);
    expect(report.droppedRows).toBe(0);
  });

  it('makes a regression of a real-valued target and drops incomplete rows and text columns', () => {
    const text = 'x,name,y\n' + rows(15, (i) => `${i},n${i},${i * 0.5 + 0.25}`) + '\n3,,\n,zz,1.5';
    const { dataset, report } = parseCsvDataset(text, 'r.csv');
    expect(dataset.task).toBe('regression');
    expect(dataset.target).toBe('y');
    expect(report.droppedColumns).toEqual(['name']);
    expect(report.droppedRows).toBe(2);
    expect(dataset.n).toBe(15);
  });

  it.each([
    ['empty', '', /empty/],
    ['one column', 'a\n1\n2', /at least two columns/],
    ['too few rows', 'a,b\n1,0\n2,1', /complete rows/],
    ['constant target', 'a,b\n' + rows(12, (i) => `${i},1`), /only one value/],
    ['text-only features', 'a,b\n' + rows(12, (i) => `w${i},${i % 2}`), /No numeric feature column/],
    ['too many classes', 'a,b\n' + rows(30, (i) => `${i},c${i}`), /at most 20 classes/],
    ['unknown target', 'a,b\n' + rows(12, (i) => `${i},${i % 2}`), /no column named "z"/, 'z'],
    ['duplicate header', 'a,a,b\n' + rows(12, (i) => `${i},${i},${i % 2}`), /same name|at least two/],
    ['unbalanced quotes', 'a,b\n1,"x\n' + rows(12, (i) => `${i},${i % 2}`), /not valid CSV|complete rows|at least two/],
  ])('explains a broken file: %s', (_name, text, message, target?: string) => {
    expect(() => parseCsvDataset(text, 'bad.csv', target)).toThrow(message);
  });
});
