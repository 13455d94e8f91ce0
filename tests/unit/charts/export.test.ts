import { describe, expect, it } from 'vitest';
import { exportFilename, styleDecl, wrapText } from '../../../src/lib/charts/export';

describe('styleDecl', () => {
  it('writes only the properties that differ from their defaults', () => {
    const computed: Record<string, string> = { fill: 'rgb(0, 0, 0)', stroke: 'rgb(230, 159, 0)', 'stroke-width': '2px', opacity: '1', 'font-size': '11px', 'text-anchor': 'middle' };
    expect(styleDecl((p) => computed[p] ?? '')).toBe('stroke:rgb(230, 159, 0);stroke-width:2px;font-size:11px;text-anchor:middle');
  });
  it('is empty when everything is default', () => expect(styleDecl(() => '')).toBe(''));
});

describe('exportFilename', () => {
  it.each([
    ['Generalisation-gap map: learning rate × batch size', 'svg', 'generalisation-gap-map-learning-rate-batch-size.svg'],
    ['  Parallel coordinates ', 'png', 'parallel-coordinates.png'],
    ['Ωμέγα', 'png', 'chart.png'],
    ['Déjà vu', 'csv', 'deja-vu.csv'],
  ])('%s', (title, ext, out) => expect(exportFilename(title, ext)).toBe(out));
});

describe('wrapText', () => {
  it.each([
    ['', 10, []],
    ['one two three four', 9, ['one two', 'three', 'four']],
    ['a verylongword b', 5, ['a', 'verylongword', 'b']],
    ['fits on a line', 80, ['fits on a line']],
  ] as const)('%s at %d', (text, n, out) => expect(wrapText(text, n)).toEqual(out));
});
