import { describe, expect, it } from 'vitest';
import { fmtNum, fmtPct, fmtPct1, fmtValue, joinAnd, paramLabel } from '../../../src/lib/analysis/format';

describe('format', () => {
  it.each([
    [0.3127, '0.31'], [12.4, '12'], [0.0002, '0.0002'], [3e-5, '3e-5'], [1234567, '1.2e+6'], [64, '64'],
    [0, '0'], [-0.0456, '-0.046'], [NaN, 'NaN'], [Infinity, 'infinity'], [1.0, '1'], [0.1, '0.1'],
  ])('fmtNum(%s) = %s', (x, s) => {
    expect(fmtNum(x)).toBe(s);
  });

  it('percentages, lists, labels, values', () => {
    expect(fmtPct(0.384)).toBe('38%');
    expect(fmtPct1(0.9653)).toBe('96.5%');
    expect(fmtPct1(0.9)).toBe('90.0%');
    expect(joinAnd([])).toBe('');
    expect(joinAnd(['a'])).toBe('a');
    expect(joinAnd(['a', 'b'])).toBe('a and b');
    expect(joinAnd(['a', 'b', 'c'])).toBe('a, b and c');
    expect(paramLabel('learningRate')).toBe('learning rate');
    expect(paramLabel('l2')).toBe('L2 penalty');
    expect(fmtValue('adam')).toBe('adam');
    expect(fmtValue(0.03)).toBe('0.03');
  });
});
