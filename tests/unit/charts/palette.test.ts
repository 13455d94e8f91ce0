import { describe, expect, it } from 'vitest';
import { interpolateViridis } from 'd3-scale-chromatic';
import { kindLabel, luminance, orderKinds, readableOn, VERDICT_STYLE } from '../../../src/lib/charts/palette';
import { VERDICT_KINDS } from '../../../src/lib/analysis/verdict';
import { symbolPath, verdictSymbol } from '../../../src/lib/charts/symbols';

describe('readableOn', () => {
  it.each([
    ['#ffffff', '#000000'], ['#000000', '#ffffff'], ['#fde725', '#000000'], ['#440154', '#ffffff'], ['#21918c', '#000000'], ['#3b528b', '#ffffff'],
  ])('%s -> %s', (bg, fg) => expect(readableOn(bg)).toBe(fg));
  it('keeps at least 4.5:1 contrast along viridis', () => {
    for (let i = 0; i <= 20; i++) {
      const bg = interpolateViridis(i / 20);
      const [a, b] = [luminance(bg), luminance(readableOn(bg))].sort((x, y) => y - x);
      expect((a + 0.05) / (b + 0.05)).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('kinds', () => {
  it('labels verdicts and states', () => {
    expect(kindLabel('overfitting')).toBe('Overfitting');
    expect(kindLabel('improving')).toBe('Still improving');
    expect(kindLabel('cancelled')).toBe('Cancelled');
    expect(kindLabel('mystery')).toBe('mystery');
  });
  it('orders and de-duplicates', () => {
    expect(orderKinds(['running', 'overfitting', 'good', 'overfitting', 'zz', 'aa'])).toEqual(['good', 'overfitting', 'running', 'aa', 'zz']);
  });
  it('gives every verdict a distinct colour, glyph and shape', () => {
    const styles = VERDICT_KINDS.map((k) => VERDICT_STYLE[k]);
    for (const key of ['color', 'glyph', 'symbol'] as const) expect(new Set(styles.map((s) => s[key])).size).toBe(VERDICT_KINDS.length);
  });
});

describe('symbols', () => {
  it('draws each verdict as its own shape', () => {
    const paths = VERDICT_KINDS.map((k) => verdictSymbol(k, 64));
    expect(new Set(paths).size).toBe(paths.length);
    paths.forEach((d) => expect(d).toMatch(/^M/));
    expect(verdictSymbol('unknown', 64)).toBe(symbolPath('circle', 64));
  });
});
