import { describe, expect, it } from 'vitest';
import { scaleLinear } from 'd3-scale';
import { bandPath, stepPath } from '../../../src/lib/charts/bands';

describe('bandPath', () => {
  const sx = scaleLinear().domain([0, 1]).range([0, 100]);
  const sy = scaleLinear().domain([0, 1]).range([100, 0]);
  it('closes an area between lo and hi', () => {
    const d = bandPath([{ x: 0, lo: 0, hi: 1 }, { x: 1, lo: 0, hi: 1 }], sx, sy);
    expect(d).toMatch(/^M0,0L100,0L100,100L0,100Z$/);
  });
  it('breaks at non-finite points and is empty without points', () => {
    const d = bandPath([{ x: 0, lo: 0, hi: 1 }, { x: 0.5, lo: NaN, hi: 1 }, { x: 1, lo: 0, hi: 1 }], sx, sy);
    expect(d.match(/M/g)).toHaveLength(2);
    expect(bandPath([], sx, sy)).toBe('');
  });
});

describe('stepPath', () => {
  const sx = scaleLinear().domain([0, 2]).range([0, 100]);
  const sy = scaleLinear().domain([0, 1]).range([100, 0]);
  it.each([
    { pts: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 1 }], d: 'M0,100L50,100L50,0L100,0L100,0' },
    { pts: [{ x: 0, y: NaN }, { x: 1, y: 1 }], d: 'M50,0Z' },
    { pts: [], d: '' },
  ])('$pts', ({ pts, d }) => {
    expect(stepPath(pts, sx, sy)).toBe(d);
  });
});

describe('bandPath with steps', () => {
  it('holds each interval until the next x', () => {
    const sx = scaleLinear().domain([0, 1]).range([0, 100]);
    const sy = scaleLinear().domain([0, 1]).range([100, 0]);
    const d = bandPath([{ x: 0, lo: 0, hi: 0.5 }, { x: 1, lo: 0.5, hi: 1 }], sx, sy, true);
    expect(d).toBe('M0,50L100,50L100,0L100,50L100,100L0,100Z');
  });
});
