import { describe, expect, it } from 'vitest';
import { axisFromSpec, binIndex, gapMap } from '../../../src/lib/analysis/gapmap';
import type { GapAxisSpec, GapPoint } from '../../../src/lib/analysis/gapmap';

const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));
};

describe('axis bins', () => {
  it.each([
    { name: 'linear 0..0.5 in 5', spec: { type: 'numeric', low: 0, high: 0.5, bins: 5 } as GapAxisSpec,
      edges: [0, 0.1, 0.2, 0.3, 0.4, 0.5], hits: [[0, 0], [0.1, 1], [0.25, 2], [0.5, 4], [0.55, -1], [-0.01, -1]] },
    { name: 'log 1e-4..1 in 4', spec: { type: 'numeric', low: 1e-4, high: 1, log: true, bins: 4 } as GapAxisSpec,
      edges: [1e-4, 1e-3, 1e-2, 1e-1, 1], hits: [[1e-4, 0], [5e-4, 0], [1e-3, 1], [0.03, 2], [0.3, 3], [1, 3], [2, -1]] },
    { name: 'grid values, log', spec: { type: 'numeric', log: true, values: [0.1, 0.001, 0.01] } as GapAxisSpec,
      edges: [10 ** -3.5, 10 ** -2.5, 10 ** -1.5, 10 ** -0.5], hits: [[0.001, 0], [0.01, 1], [0.1, 2], [0.3, 2], [1, -1]] },
    { name: 'one bin when low = high', spec: { type: 'numeric', low: 32, high: 32, bins: 4 } as GapAxisSpec,
      edges: [32, 32], hits: [[32, 0], [33, -1]] },
  ])('$name', ({ spec, edges, hits }) => {
    const m = gapMap([], spec, { type: 'categorical', choices: ['a'] });
    close(m.x.edges, edges);
    expect(m.x.size).toBe(edges.length - 1);
    for (const [v, i] of hits) expect(binIndex(m.x, v)).toBe(i);
  });

  it('axisFromSpec: one bin per integer for small int ranges, categorical choices, else maxBins', () => {
    expect(axisFromSpec({ type: 'int', low: 1, high: 3, log: false })).toEqual({ type: 'numeric', log: false, values: [1, 2, 3] });
    expect(axisFromSpec({ type: 'categorical', choices: ['sgd', 'adam'] })).toEqual({ type: 'categorical', choices: ['sgd', 'adam'] });
    expect(axisFromSpec({ type: 'float', low: 1e-4, high: 1, log: true }, 6)).toEqual({ type: 'numeric', low: 1e-4, high: 1, log: true, bins: 6 });
    const m = gapMap([], axisFromSpec({ type: 'int', low: 1, high: 3, log: false }), { type: 'categorical', choices: ['a'] });
    close(m.x.edges, [0.5, 1.5, 2.5, 3.5]);
    expect(m.x.labels).toEqual(['1', '2', '3']);
  });

  it('numeric range defaults to the data and labels ranges', () => {
    const pts: GapPoint[] = [{ x: 2, y: 'a', value: 1 }, { x: 6, y: 'a', value: 1 }];
    const m = gapMap(pts, { type: 'numeric', bins: 2 }, { type: 'categorical', choices: ['a'] });
    expect(m.x.edges).toEqual([2, 4, 6]);
    expect(m.x.centers).toEqual([3, 5]);
    expect(m.x.labels).toEqual(['2–4', '4–6']);
  });
});

describe('gapMap', () => {
  // x: learning rate, log bins [1e-3, 1e-2), [1e-2, 1e-1]; y: optimizer
  const xAxis: GapAxisSpec = { type: 'numeric', low: 1e-3, high: 1e-1, log: true, bins: 2 };
  const yAxis: GapAxisSpec = { type: 'categorical', choices: ['sgd', 'adam'] };
  const points: GapPoint[] = [
    { x: 0.002, y: 'sgd', value: 0.8, verdict: 'underfitting' },
    { x: 0.005, y: 'sgd', value: 0.7, verdict: 'underfitting' },
    { x: 0.009, y: 'sgd', value: 0.9, verdict: 'good' },
    { x: 0.05, y: 'sgd', value: 0.95, verdict: 'good' },
    { x: 0.05, y: 'adam', value: NaN, verdict: 'diverged' },
    { x: 0.1, y: 'adam', value: 0.6, verdict: 'overfitting' },
    { x: 0.003, y: 'adam', value: 0.9, verdict: null },
    { x: 0.5, y: 'adam', value: 0.1, verdict: 'diverged' }, // outside the x range
    { x: 0.01, y: 'rmsprop', value: 0.5, verdict: 'good' }, // unknown choice
  ];
  const m = gapMap(points, xAxis, yAxis);

  it.each([
    { ix: 0, iy: 0, count: 3, valueCount: 3, mean: (0.8 + 0.7 + 0.9) / 3, verdict: 'underfitting', verdictCount: 2 },
    { ix: 1, iy: 0, count: 1, valueCount: 1, mean: 0.95, verdict: 'good', verdictCount: 1 },
    // one diverged (NaN value) and one overfitting: tie broken towards the more severe
    { ix: 1, iy: 1, count: 2, valueCount: 1, mean: 0.6, verdict: 'diverged', verdictCount: 1 },
    { ix: 0, iy: 1, count: 1, valueCount: 1, mean: 0.9, verdict: null, verdictCount: 0 },
  ])('cell ($ix, $iy)', ({ ix, iy, ...rest }) => {
    const c = m.cells[iy * m.x.size + ix];
    expect(c.ix).toBe(ix);
    expect(c.iy).toBe(iy);
    expect(c.count).toBe(rest.count);
    expect(c.valueCount).toBe(rest.valueCount);
    expect(c.mean).toBeCloseTo(rest.mean, 12);
    expect(c.verdict).toBe(rest.verdict);
    expect(c.verdictCount).toBe(rest.verdictCount);
  });

  it('reports skipped points, the extent and the axes', () => {
    expect(m.skipped).toBe(2);
    expect(m.cells).toHaveLength(4);
    expect(m.extent[0]).toBeCloseTo(0.6, 12);
    expect(m.extent[1]).toBeCloseTo(0.95, 12);
    close(m.x.edges, [1e-3, 1e-2, 1e-1]);
    expect(m.x.log).toBe(true);
    expect(m.y.labels).toEqual(['sgd', 'adam']);
  });

  it('empty cells have count 0, NaN mean and no verdict; no values -> NaN extent', () => {
    const e = gapMap([{ x: 0.002, y: 'sgd', value: NaN, verdict: 'diverged' }], xAxis, yAxis);
    expect(e.cells[1]).toEqual({ ix: 1, iy: 0, count: 0, valueCount: 0, mean: NaN, verdict: null, verdictCount: 0 });
    expect(e.extent).toEqual([NaN, NaN]);
  });

  it('numeric category values match choices by string', () => {
    const b = gapMap([{ x: '16', y: 'sgd', value: 1 }], { type: 'categorical', choices: [8, 16] }, yAxis);
    expect(b.cells[1].count).toBe(1);
  });
});
