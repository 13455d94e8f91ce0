import { describe, expect, it } from 'vitest';
import { allIndices, configIndex, loadTable, snapIndices, TABLE_SPECS, type TableName, type TableRun } from '../../../bench/tabular/table';

// The committed tabular benchmarks (bench/tabular/*.json) must be complete and match the grids
// they claim, so that a broken or partial regeneration is caught here, not in the bench.

function finiteCurve(c: (number | null)[]): boolean {
  return c.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** A complete run has every epoch finite; a diverged one stops early at its first non-finite loss. */
function checkRun(r: TableRun, epochs: number): string | null {
  const curves = [r.valLoss, r.valAcc, r.trainLoss];
  if (new Set(curves.map((c) => c.length)).size !== 1) return 'curves of different lengths';
  const n = r.valLoss.length;
  if (r.valAcc.some((v) => v !== null && (v < 0 || v > 1))) return 'accuracy outside 0..1';
  if (!(r.ms > 0)) return 'no wall time';
  if (r.status === 'complete') return n === epochs && curves.every(finiteCurve) ? null : 'complete but not finite over every epoch';
  if (r.status === 'diverged') {
    const lastBad = r.valLoss[n - 1] === null || r.trainLoss[n - 1] === null;
    const before = curves.every((c) => finiteCurve(c.slice(0, n - 1)));
    return n >= 1 && n <= epochs && lastBad && before ? null : 'diverged but not ending at its first non-finite loss';
  }
  return `status ${r.status}`;
}

describe.each(Object.keys(TABLE_SPECS) as TableName[])('tabular benchmark table %s', (name) => {
  const spec = TABLE_SPECS[name];
  const table = loadTable(name);

  it('describes the grid of its spec', () => {
    expect(table.format).toBe('hpp-tabular-benchmark');
    expect(table.version).toBe(1);
    expect(table.name).toBe(spec.name);
    expect(table.epochs).toBe(spec.model.epochs);
    expect(table.seeds).toEqual(spec.seeds);
    expect(table.model).toEqual(spec.model);
    expect({ ...table.data, nTrain: undefined, nVal: undefined }).toEqual({ ...spec.data, nTrain: undefined, nVal: undefined });
    expect(table.axes).toEqual(spec.axes.map((a) => ({ name: a.name, spec: a.spec, values: a.values })));
    expect(table.generated.command).toContain('bench:search:generate');
    expect(table.generated.wallTimeSec).toBeGreaterThan(0);
  });

  it('has at least 5 training seeds per grid point', () => {
    expect(table.seeds.length).toBeGreaterThanOrEqual(5);
  });

  it('has every grid point, in order, with one run per seed', () => {
    const grid = allIndices(table.axes);
    expect(table.configs).toHaveLength(grid.length);
    grid.forEach((idx, k) => {
      const c = table.configs[k];
      expect(configIndex(table.axes, idx)).toBe(k);
      expect(snapIndices(spec.axes, c.params)).toEqual(idx);
      expect(c.runs.map((r) => r.seed)).toEqual(table.seeds);
    });
  });

  it('has curves that are finite, or explicitly diverged', () => {
    const problems = table.configs.flatMap((c, k) => c.runs.map((r) => ({ k, seed: r.seed, why: checkRun(r, table.epochs) }))).filter((p) => p.why);
    expect(problems).toEqual([]);
  });

  it('holds real trainings: some learn well, some do not, and seeds differ', () => {
    const finalAcc = table.configs.flatMap((c) => c.runs.map((r) => r.valAcc[r.valAcc.length - 1] ?? 0));
    expect(Math.max(...finalAcc)).toBeGreaterThan(0.9);
    expect(Math.min(...finalAcc)).toBeLessThan(0.8);
    const seedsDiffer = table.configs.filter((c) => c.runs.some((r) => r.valLoss.join() !== c.runs[0].valLoss.join())).length;
    expect(seedsDiffer).toBeGreaterThan(table.configs.length / 2);
  });
});

describe('snapIndices (tabular objective: params -> nearest grid point)', () => {
  const axes = TABLE_SPECS['digits-mlp'].axes;
  const base = { learningRate: 1e-3, batchSize: 32, dropout: 0, l2: 1e-5, units: 16 };
  const cases: [string, Partial<typeof base>, number, number][] = [
    // [what, params, axis, expected value index]
    ['lr at the low end', { learningRate: 1e-4 }, 0, 0],
    ['lr at the high end', { learningRate: 0.1 }, 0, 4],
    ['lr just below the log-midpoint of 1e-4 and 5.62e-4', { learningRate: 2.3e-4 }, 0, 0],
    ['lr just above it', { learningRate: 2.45e-4 }, 0, 1],
    ['batch, categorical, exact', { batchSize: 128 }, 1, 1],
    ['dropout 0.12 -> 0', { dropout: 0.12 }, 2, 0],
    ['dropout 0.13 -> 0.25', { dropout: 0.13 }, 2, 1],
    ['l2 on a log axis', { l2: 3e-4 }, 3, 1],
    ['units 31 (int, log) -> 16', { units: 31 }, 4, 0],
    ['units 33 -> 64', { units: 33 }, 4, 1],
  ];
  it.each(cases)('%s', (_, p, axis, want) => {
    expect(snapIndices(axes, { ...base, ...p })[axis]).toBe(want);
  });

  it('snaps an int axis with linear steps (spiral depth)', () => {
    const spiral = TABLE_SPECS['spiral-mlp'].axes;
    const p = { learningRate: 1e-3, depth: 2, units: 16, l2: 1e-4, batchSize: 16 };
    expect(snapIndices(spiral, p)).toEqual([1, 1, 1, 1, 0]);
    expect(snapIndices(spiral, { ...p, depth: 3, units: 8 })).toEqual([1, 2, 0, 1, 0]);
  });

  it('rejects a categorical value that is not on the grid', () => {
    expect(() => snapIndices(axes, { ...base, batchSize: 64 })).toThrow(/not a grid value/);
  });
});
