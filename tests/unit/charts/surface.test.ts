import { describe, expect, it } from 'vitest';
import { paintPoints, paintSurface, surfaceRgba, type Paint2D } from '../../../src/lib/charts/surface';
import { CLASS_COLORS, hexToRgb } from '../../../src/lib/charts/palette';

/** A recording stand-in for a 2-D canvas context. */
function recorder() {
  const calls: { op: string; args: unknown[]; fill?: unknown; stroke?: unknown }[] = [];
  const ctx = {
    fillStyle: '' as unknown, strokeStyle: '' as unknown, lineWidth: 1, imageSmoothingEnabled: false,
    fillRect(...args: unknown[]) { calls.push({ op: 'fillRect', args, fill: ctx.fillStyle }); },
    drawImage(...args: unknown[]) { calls.push({ op: 'drawImage', args }); },
    beginPath() { calls.push({ op: 'beginPath', args: [] }); },
    arc(...args: unknown[]) { calls.push({ op: 'arc', args }); },
    fill() { calls.push({ op: 'fill', args: [], fill: ctx.fillStyle }); },
    stroke() { calls.push({ op: 'stroke', args: [], stroke: ctx.strokeStyle }); },
  };
  return { ctx: ctx as unknown as Paint2D, calls };
}

describe('surfaceRgba', () => {
  it.each([
    { name: 'P=0 is class 0', q: 0, rgb: hexToRgb(CLASS_COLORS[0]) },
    { name: 'P=1 is class 1', q: 1, rgb: hexToRgb(CLASS_COLORS[1]) },
    { name: 'P=0.5 is white', q: 0.5, rgb: [255, 255, 255] },
    { name: 'NaN is grey', q: NaN, rgb: [187, 187, 187] },
  ])('binary: $name', ({ q, rgb }) => {
    const img = surfaceRgba([q, q, q, q], { nClasses: 2, alpha: 200 });
    expect(img.side).toBe(2);
    expect([...img.data.subarray(0, 4)]).toEqual([...rgb.map(Math.round), 200]);
  });
  it('multi-class: each class gets its own colour', () => {
    const img = surfaceRgba([0, 1, 2, 1], { nClasses: 3 });
    const px = (i: number) => [...img.data.subarray(i * 4, i * 4 + 3)].join();
    expect(new Set([px(0), px(1), px(2)]).size).toBe(3);
    expect(px(1)).toBe(px(3));
  });
  it('rejects a non-square length', () => expect(surfaceRgba([0, 1, 0], { nClasses: 2 }).side).toBe(0));
});

describe('painters', () => {
  it('paintSurface fills one cell per grid value into the box (no OffscreenCanvas in node)', () => {
    const { ctx, calls } = recorder();
    paintSurface(ctx, surfaceRgba([0, 1, 1, 0], { nClasses: 2, alpha: 255 }), { x: 10, y: 20, w: 100, h: 50 });
    expect(calls.map((c) => c.args)).toEqual([[10, 20, 50, 25], [60, 20, 50, 25], [10, 45, 50, 25], [60, 45, 50, 25]]);
    expect(calls[1].fill).toBe('rgba(230,159,0,1.000)');
  });
  it('paintPoints rings validation points and fills training points', () => {
    const { ctx, calls } = recorder();
    const xs = new Float32Array([0, 0, 1, 1]);
    paintPoints(ctx, xs, new Float32Array([0, 1]), (v) => v * 10, (v) => -v * 10, { radius: 3, ring: true });
    expect(calls.filter((c) => c.op === 'arc').map((c) => c.args.slice(0, 3))).toEqual([[0, -0, 3], [10, -10, 3]]);
    expect(calls.filter((c) => c.op === 'stroke').map((c) => c.stroke)).toEqual([CLASS_COLORS[0], CLASS_COLORS[1]]);
    expect(calls.filter((c) => c.op === 'fill').map((c) => c.fill)).toEqual(['#fff', '#fff']);
  });
});
