import { describe, expect, it } from 'vitest';
import { fixedSpace } from '../../../src/lib/experiment/defaults';
import {
  byParam, finalGap, finalScore, fmtShare, lowestVal, msPerEpoch, pace, paramValue, peakLoss, roughness, sdOf, tailDrop, valRoughness,
} from '../../../src/lib/lessons/measure';
import { preset } from '../../../src/lib/lessons/preset';
import { curve, trial } from './helpers';

const line = (n: number, a: number, b: number) => curve(n, (e) => ({ train: a + b * e, val: a + b * e }));
const vals = (xs: number[], ms = 10) => curve(xs.length, (e) => ({ train: xs[e - 1], val: xs[e - 1] }), ms);

describe('lesson measurements', () => {
  it.each([
    ['a straight line', [1, 2, 3, 4, 5], 0, 0],
    ['a zig-zag of ±1 (mean 1.8)', [1, 3, 1, 3, 1], 0, 2 / 1.8],
    ['only from index 2', [9, 0, 1, 3, 1], 2, (2 / 1) / (5 / 3)],
    ['too short', [1, 2], 0, NaN],
    ['a NaN', [1, NaN, 3], 0, NaN],
  ])('roughness: %s', (_, xs, from, expected) => {
    const r = roughness(xs, from);
    if (Number.isNaN(expected)) expect(r).toBeNaN();
    else expect(r).toBeCloseTo(expected, 12);
  });

  it('valRoughness reads the second half of the validation curve', () => {
    expect(valRoughness(vals([5, 9, 1, 3, 1, 3, 1, 3]))).toBeCloseTo(roughness([1, 3, 1, 3], 0), 12);
  });

  it.each([
    ['falling by 1 per epoch from 20', line(10, 21, -1), 0.2, 2 / 13],
    ['flat', line(10, 0.5, 0), 0.2, 0],
    ['rising', line(10, 0, 1), 0.2, -2 / 8],
    ['three epochs', line(2, 1, 0), 0.2, NaN],
  ])('tailDrop: %s', (_, epochs, fraction, expected) => {
    const d = tailDrop(epochs, fraction);
    if (Number.isNaN(expected)) expect(d).toBeNaN();
    else expect(d).toBeCloseTo(expected, 12);
  });

  it.each([
    ['a straight slide keeps its pace', line(20, 21, -1), 1],
    ['a curve that levelled off', curve(20, (e) => ({ train: 1, val: e <= 10 ? 1 - 0.09 * (e - 1) : 0.19 })), 0],
    ['a loss that did not fall', line(20, 0, 1), NaN],
  ])('pace: %s', (_, epochs, expected) => {
    const p = pace(epochs);
    if (Number.isNaN(expected)) expect(p).toBeNaN();
    else expect(p).toBeCloseTo(expected, 12);
  });

  it.each([
    ['even epochs', vals([1, 1, 1, 1], 10), 10],
    ['a slow first epoch does not count', curve(4, (e) => ({ train: 1, val: 1 }), 10).map((m, i) => ({ ...m, elapsedMs: i === 0 ? 500 : 500 + 10 * i })), 10],
    ['one epoch', vals([1]), NaN],
  ])('msPerEpoch: %s', (_, epochs, expected) => {
    const m = msPerEpoch(epochs);
    if (Number.isNaN(expected)) expect(m).toBeNaN();
    else expect(m).toBe(expected);
  });

  it('lowestVal, peakLoss, finalGap, finalScore', () => {
    const e = curve(5, (k) => ({ train: [0.9, 0.5, 0.3, 0.2, 0.1][k - 1], val: [0.8, 0.4, 0.4, 0.6, 0.7][k - 1], valAcc: k / 10 }));
    expect(lowestVal(e)).toEqual({ epoch: 2, loss: 0.4 });
    expect(peakLoss(e)).toEqual({ loss: 0.9, epoch: 1, finite: true });
    expect(finalGap(e)).toBeCloseTo(0.6, 12);
    expect(finalScore(e, 'valAcc')).toBe(0.5);
    expect(finalScore(e, 'valLoss')).toBe(0.7);
    expect(peakLoss(vals([0.7, 0.9, NaN, 0.1]))).toEqual({ loss: Infinity, epoch: 3, finite: false });
    expect(lowestVal([])).toEqual({ epoch: 0, loss: NaN });
  });

  it.each([
    [0.126, '13%'], [0.0038, '0.38%'], [0, '0%'], [1, '100%'],
  ])('fmtShare(%s) = %s', (x, s) => expect(fmtShare(x)).toBe(s));

  it('sdOf ignores non-finite entries', () => {
    expect(sdOf([1, 2, 3, NaN])).toBe(1);
    expect(sdOf([1])).toBeNaN();
  });

  it('paramValue and byParam: searched values first, the fixed value otherwise', () => {
    const e = preset({ data: {}, model: { dropout: 0.25 }, search: { ...fixedSpace(), l2: { type: 'categorical', choices: [0, 0.1] } } });
    const a = trial(0, { l2: 0.1 }, vals([1, 1]));
    const b = trial(1, { l2: 0 }, vals([1, 1]));
    const empty = trial(2, { l2: 0.05 }, []);
    expect(paramValue(a, 'l2', e)).toBe(0.1);
    expect(paramValue(a, 'dropout', e)).toBe(0.25);
    expect(paramValue(a, 'units', e)).toBe(32);
    expect(byParam([a, empty, b], 'l2', e).map((t) => t.id)).toEqual([1, 0]);
  });
});
