import { describe, expect, it } from 'vitest';
import { BRUSH_DEFAULTS, brushActionOf, nudgeSpan, spanFromPixels, spanToPixels, type Span } from '../../../src/lib/charts/brush';

const close = (a: readonly number[], b: readonly number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));

describe('spanFromPixels', () => {
  it.each([
    { a: 0, b: 100, len: 100, span: [0, 1] },
    { a: 100, b: 0, len: 100, span: [0, 1] },
    { a: 25, b: 50, len: 100, span: [0.5, 0.75] },
    { a: -40, b: 20, len: 200, span: [0.9, 1] },
    { a: 190, b: 260, len: 200, span: [0, 0.05] },
    { a: 10, b: 20, len: 0, span: [0, 0] },
  ])('$a..$b on $len px -> $span', ({ a, b, len, span }) => close(spanFromPixels(a, b, len), span));

  it('round-trips through spanToPixels', () => {
    close(spanToPixels(spanFromPixels(30, 70, 200), 200), [30, 70]);
  });
});

describe('nudgeSpan', () => {
  it.each<{ span: Span | null; action: 'up' | 'down' | 'grow' | 'shrink'; out: Span }>([
    { span: null, action: 'up', out: BRUSH_DEFAULTS.initial },
    { span: [0.2, 0.4], action: 'up', out: [0.25, 0.45] },
    { span: [0.2, 0.4], action: 'down', out: [0.15, 0.35] },
    { span: [0.8, 0.98], action: 'up', out: [0.82, 1] },
    { span: [0.01, 0.3], action: 'down', out: [0, 0.29] },
    { span: [0.4, 0.2], action: 'up', out: [0.25, 0.45] },
    { span: [0.2, 0.4], action: 'grow', out: [0.175, 0.425] },
    { span: [0, 0.4], action: 'grow', out: [0, 0.425] },
    { span: [0.2, 0.4], action: 'shrink', out: [0.225, 0.375] },
    { span: [0.5, 0.52], action: 'shrink', out: [0.5, 0.52] },
    { span: [0.5, 0.56], action: 'shrink', out: [0.52, 0.54] },
  ])('$span $action -> $out', ({ span, action, out }) => close(nudgeSpan(span, action), out));
});

describe('brushActionOf', () => {
  it.each([
    ['ArrowUp', false, 'up'], ['ArrowDown', false, 'down'], ['ArrowUp', true, 'grow'], ['ArrowDown', true, 'shrink'],
    ['+', false, 'grow'], ['-', false, 'shrink'], ['ArrowLeft', false, null], ['Escape', false, null], ['a', false, null],
  ] as const)('%s (shift %s) -> %s', (key, shift, action) => expect(brushActionOf(key, shift)).toBe(action));
});
