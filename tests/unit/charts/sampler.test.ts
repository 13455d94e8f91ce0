import { describe, expect, it } from 'vitest';
import { argmax, specMatches, metricOfObjective, metricOfSpread, nearestIndex, stripOffsets, unitDomain, unitScale, type NumericSpec } from '../../../src/lib/charts/sampler';
import { fromUnit } from '../../../src/lib/search/space';

describe('unitDomain', () => {
  it.each([
    { spec: { type: 'float', low: 0.001, high: 0.1, log: true }, domain: [0.001, 0.1], log: true },
    { spec: { type: 'float', low: 0, high: 0.5, log: false }, domain: [0, 0.5], log: false },
    { spec: { type: 'float', low: 0, high: 1, log: true }, domain: [0, 1], log: false }, // log needs low > 0
    { spec: { type: 'int', low: 1, high: 3, log: false }, domain: [0.5, 3.5], log: false },
    { spec: { type: 'int', low: 8, high: 128, log: true }, domain: [7.5, 128.5], log: true },
    { spec: { type: 'int', low: 1, high: 64, log: true }, domain: [0.5, 64.5], log: true },
    { spec: { type: 'int', low: 0.4, high: 4, log: true }, domain: [0.4, 4.5], log: true }, // low − 0.5 would not be positive
  ] as { spec: NumericSpec; domain: [number, number]; log: boolean }[])('$spec.type $spec.low..$spec.high log=$spec.log', ({ spec, domain, log }) => {
    expect(unitDomain(spec)).toEqual({ domain, log });
  });
});

describe('unitScale', () => {
  it.each([
    { type: 'float', low: 3e-4, high: 0.03, log: true },
    { type: 'float', low: 0, high: 0.5, log: false },
    { type: 'float', low: 1e-6, high: 1e-2, log: true },
  ] as NumericSpec[])('puts fromUnit(u) at u·width for $low..$high', (spec) => {
    const s = unitScale(spec, 200);
    for (const u of [0, 0.1, 0.37, 0.5, 0.99, 1]) expect(s(Number(fromUnit(spec, u)))).toBeCloseTo(u * 200, 6);
  });

  it('puts an int inside the bin of the unit coordinates that map to it', () => {
    const spec: NumericSpec = { type: 'int', low: 8, high: 128, log: true };
    const s = unitScale(spec, 100);
    for (const u of [0.02, 0.3, 0.61, 0.98]) {
      const v = Number(fromUnit(spec, u));
      // the value's pixel and u·width differ by at most half a step of the log-int grid
      expect(Math.abs(s(v) - u * 100)).toBeLessThan(100 * Math.log((v + 0.5) / (v - 0.5)) / Math.log(128.5 / 7.5));
    }
  });
});

describe('metric units', () => {
  it.each([
    { objective: -0.9, accuracy: true, metric: 90 },
    { objective: 0.25, accuracy: false, metric: 0.25 },
    { objective: NaN, accuracy: true, metric: NaN },
  ])('$objective (accuracy: $accuracy) -> $metric', ({ objective, accuracy, metric }) => {
    const v = metricOfObjective(objective, accuracy);
    if (Number.isNaN(metric)) expect(v).toBeNaN();
    else expect(v).toBeCloseTo(metric, 10);
  });
  it('scales spreads to percentage points for accuracy only', () => {
    expect(metricOfSpread(0.02, true)).toBeCloseTo(2);
    expect(metricOfSpread(0.02, false)).toBe(0.02);
  });
});

describe('argmax', () => {
  it.each([
    { values: [1, 3, 2], i: 1 },
    { values: [NaN, 0, -1], i: 1 },
    { values: [2, 2], i: 0 },
    { values: [NaN, Infinity], i: -1 },
    { values: [], i: -1 },
  ])('$values -> $i', ({ values, i }) => {
    expect(argmax(values)).toBe(i);
  });
});

describe('stripOffsets', () => {
  it.each([
    { n: 0, w: 10, out: [] },
    { n: 1, w: 10, out: [0] },
    { n: 3, w: 10, out: [-5, 0, 5] },
  ])('$n in $w', ({ n, w, out }) => {
    expect(stripOffsets(n, w)).toEqual(out);
  });
});

describe('nearestIndex', () => {
  it.each([
    { xs: [0.1, 0.3, 0.5], u: 0.31, i: 1 },
    { xs: [0.1, 0.3, 0.5], u: 0, i: 0 },
    { xs: [0.1, 0.3, 0.5], u: 2, i: 2 },
    { xs: [], u: 0.5, i: -1 },
  ])('$u in $xs -> $i', ({ xs, u, i }) => {
    expect(nearestIndex(xs, u)).toBe(i);
  });
});

describe('strategy styles', () => {
  it('give every kind its own colour and dash pattern', async () => {
    const { STRATEGY_STYLE, shortLabel } = await import('../../../src/lib/charts/strategy-style');
    const styles = Object.values(STRATEGY_STYLE);
    expect(new Set(styles.map((s) => s.color)).size).toBe(styles.length);
    expect(new Set(styles.map((s) => s.dash)).size).toBe(styles.length);
    expect(shortLabel('TPE (Bayesian)')).toBe('TPE');
    expect(shortLabel('Random')).toBe('Random');
  });
});

describe('specMatches', () => {
  const spec: NumericSpec = { type: 'float', low: 1e-3, high: 1e-1, log: true };
  const xs = [0.05, 0.5, 0.95];
  const values = xs.map((x) => Number(fromUnit(spec, x)));
  it.each([
    { name: 'same range', s: spec, ok: true },
    { name: 'edited range', s: { ...spec, high: 1 }, ok: false },
    { name: 'now linear', s: { ...spec, log: false }, ok: false },
    { name: 'now fixed', s: { type: 'fixed' as const }, ok: false },
    { name: 'missing', s: undefined, ok: false },
  ])('$name', ({ s, ok }) => {
    expect(specMatches(s, xs, values)).toBe(ok);
  });
});
