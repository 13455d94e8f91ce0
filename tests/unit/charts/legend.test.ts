import { describe, expect, it } from 'vitest';
import { flowLayout, textWidth } from '../../../src/lib/charts/legend';

describe('flowLayout', () => {
  it.each([
    { widths: [], max: 100, items: [], height: 0 },
    { widths: [30, 30], max: 100, items: [[0, 0], [40, 0]], height: 10 },
    { widths: [30, 30, 30], max: 100, items: [[0, 0], [40, 0], [0, 10]], height: 20 },
    { widths: [150, 20], max: 100, items: [[0, 0], [0, 10]], height: 20 },
    { widths: [20, 150, 20], max: 100, items: [[0, 0], [0, 10], [0, 20]], height: 30 },
  ])('$widths in $max', ({ widths, max, items, height }) => {
    const l = flowLayout(widths, max, 10, 10);
    expect(l.items.map((p) => [p.x, p.y])).toEqual(items);
    expect(l.height).toBe(height);
  });
});

describe('textWidth', () => {
  it('grows with the text and the font size', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('abcd', 10)).toBeCloseTo(2 * textWidth('ab', 10));
    expect(textWidth('ab', 20)).toBeCloseTo(2 * textWidth('ab', 10));
    expect(textWidth('✓ ok')).toBe(textWidth('a ok')); // counts code points, not UTF-16 units
  });
});

describe('legendLayout', () => {
  it('wraps long legends into more rows', async () => {
    const { legendLayout, LEGEND } = await import('../../../src/lib/charts/legend');
    const items = Array.from({ length: 8 }, (_, i) => ({ label: `Verdict number ${i}` }));
    expect(legendLayout(items, 2000).height).toBe(LEGEND.rowHeight);
    expect(legendLayout(items, 300).height).toBeGreaterThan(2 * LEGEND.rowHeight);
  });
});
