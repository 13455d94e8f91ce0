import { describe, expect, it } from 'vitest';
import { classificationReport, confusionMatrix } from '../../../src/lib/analysis/metrics';

describe('confusionMatrix', () => {
  it.each([
    { name: 'binary', yTrue: [0, 0, 1, 1, 1], yPred: [0, 1, 1, 1, 0], n: 2, cm: [[1, 1], [1, 2]] },
    { name: 'three classes, float labels', yTrue: new Float32Array([0, 1, 2, 2, 1, 0]), yPred: new Float32Array([0, 2, 2, 1, 1, 0]), n: 3,
      cm: [[2, 0, 0], [0, 1, 1], [0, 1, 1]] },
    { name: 'empty', yTrue: [], yPred: [], n: 2, cm: [[0, 0], [0, 0]] },
  ])('$name', ({ yTrue, yPred, n, cm }) => {
    expect(confusionMatrix(yTrue, yPred, n)).toEqual(cm);
  });

  it.each([
    { name: 'length mismatch', yTrue: [0, 1], yPred: [0] },
    { name: 'label out of range', yTrue: [0, 2], yPred: [0, 1] },
    { name: 'fractional label', yTrue: [0, 1], yPred: [0, 0.5] },
  ])('throws on $name', ({ yTrue, yPred }) => {
    expect(() => confusionMatrix(yTrue, yPred, 2)).toThrow(RangeError);
  });
});

describe('classificationReport', () => {
  it('three classes, hand-computed', () => {
    // true\pred  0  1  2
    //   0        5  1  0    support 6
    //   1        2  3  1    support 6
    //   2        0  0  4    support 4
    // column sums 7, 4, 5; correct 12 of 16
    const r = classificationReport([[5, 1, 0], [2, 3, 1], [0, 0, 4]]);
    const expected = [
      { precision: 5 / 7, recall: 5 / 6, support: 6 },
      { precision: 3 / 4, recall: 3 / 6, support: 6 },
      { precision: 4 / 5, recall: 4 / 4, support: 4 },
    ];
    expected.forEach((e, c) => {
      expect(r.perClass[c].precision).toBeCloseTo(e.precision, 12);
      expect(r.perClass[c].recall).toBeCloseTo(e.recall, 12);
      expect(r.perClass[c].f1).toBeCloseTo((2 * e.precision * e.recall) / (e.precision + e.recall), 12);
      expect(r.perClass[c].support).toBe(e.support);
    });
    expect(r.accuracy).toBeCloseTo(12 / 16, 12);
    expect(r.total).toBe(16);
    expect(r.macro.precision).toBeCloseTo((5 / 7 + 3 / 4 + 4 / 5) / 3, 12);
    expect(r.macro.recall).toBeCloseTo((5 / 6 + 1 / 2 + 1) / 3, 12);
    // F1s: 10/13, 3/5, 8/9
    expect(r.macro.f1).toBeCloseTo((10 / 13 + 3 / 5 + 8 / 9) / 3, 12);
    expect(r.macro.support).toBe(16);
  });

  it('a class never predicted has precision 0 and F1 0 (division by zero -> 0)', () => {
    // all predicted as class 0
    const r = classificationReport([[3, 0], [2, 0]]);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.perClass[0].precision).toBeCloseTo(3 / 5, 12);
    expect(r.perClass[0].recall).toBe(1);
    expect(r.accuracy).toBeCloseTo(3 / 5, 12);
    expect(r.macro.precision).toBeCloseTo(0.3, 12);
  });

  it('a class absent from both truth and predictions is left out of macro averages', () => {
    const r = classificationReport([[2, 0, 0], [0, 2, 0], [0, 0, 0]]);
    expect(r.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.macro).toEqual({ precision: 1, recall: 1, f1: 1, support: 4 });
  });

  it('an empty matrix gives zeros', () => {
    const r = classificationReport([[0, 0], [0, 0]]);
    expect(r.accuracy).toBe(0);
    expect(r.macro).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('agrees with confusionMatrix from labels', () => {
    const r = classificationReport(confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2));
    expect(r.perClass[1].precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[1].recall).toBeCloseTo(2 / 3, 12);
    expect(r.accuracy).toBeCloseTo(3 / 5, 12);
  });
});
