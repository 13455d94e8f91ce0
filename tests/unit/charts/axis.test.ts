import { describe, expect, it } from 'vitest';
import { scaleLinear, scaleLog } from 'd3-scale';
import { fmtDuration, tickLabel, ticksOf } from '../../../src/lib/charts/axis';

describe('ticksOf', () => {
  it.each([
    ['log, many decades: powers of ten only', scaleLog().domain([1e-5, 1e-1]).range([0, 100]), true, ['1e−5', '1e−4', '1e−3', '0.01', '0.1']],
    ['log, within one decade: still labelled', scaleLog().domain([0.2, 0.8]).range([0, 100]), true, ['0.2', '0.5']],
    ['log, two decades: 1-2-5', scaleLog().domain([0.05, 3]).range([0, 100]), true, ['0.05', '0.1', '0.2', '0.5', '1', '2']],
    ['linear', scaleLinear().domain([0, 100]).range([0, 100]), false, ['0', '20', '40', '60', '80', '100']],
  ])('%s', (_name, scale, log, labels) => {
    const t = ticksOf(scale, 6, log);
    expect(t.map((x) => x.label)).toEqual(labels);
    for (const x of t) expect(x.pos).toBeGreaterThanOrEqual(0);
  });
});

describe('labels', () => {
  it.each([[0, '0'], [0.25, '0.25'], [0.001, '1e−3'], [1500, '1.5k'], [3e5, '3e5']])('tickLabel(%s) = %s', (v, s) => {
    expect(tickLabel(v)).toBe(s);
  });
  it.each([[950, '950 ms'], [12_400, '12 s'], [125_000, '2 min 5 s'], [NaN, '—']])('fmtDuration(%s) = %s', (v, s) => {
    expect(fmtDuration(v)).toBe(s);
  });
});
